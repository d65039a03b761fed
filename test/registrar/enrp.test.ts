import { describe, expect, it } from 'vitest';
import type { EnrpMessage, PoolElement } from '../../codecs/index.js';
import { POOL, asap, enrp, only, registration, rig, sent, toPeers, up, type Rig } from './helpers.js';

const ASAP_T = { transport: 'sctp', port: 1, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.0.0.8' }] } as const;

function presence(from: number, checksum = 0xffff, R = false): EnrpMessage {
  return { protocol: 'enrp', type: 'presence', flags: { R }, senderId: from, receiverId: 100, peChecksum: checksum, serverInformation: { serverId: from, transport: ASAP_T } };
}

function foreignPe(peId: number, home: number): PoolElement {
  return { ...registration(peId).poolElement, homeRegistrarId: home, asapTransport: ASAP_T };
}

function add(rg: Rig, from: number, peId: number, home = from) {
  return enrp(rg, 900, { protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: from, receiverId: 100, updateAction: 0, poolHandle: POOL, poolElement: foreignPe(peId, home) });
}

describe('Presence and peer table (PP-*)', () => {
  it('PP-2/PP-3/PP-6: unknown PR becomes a peer (R = 1 probe), R = 1 answered on the association, one List Request', () => {
    const rg = rig('rfc', { mentorDiscoveryTimeout: 0 });
    rg.advance(0);
    const acts = enrp(rg, 900, presence(200, 0xffff, true));
    expect(rg.r.peerIds()).toEqual([200]);
    const peer = toPeers(acts);
    expect(peer.some((x) => x.message.type === 'presence' && x.message.flags.R)).toBe(true);
    expect(peer.filter((x) => x.message.type === 'listRequest')).toHaveLength(1);
    const replies = only(sent(acts), 'presence');
    expect(replies[0]?.flags.R).toBe(false);
    expect(toPeers(enrp(rg, 900, presence(200))).filter((x) => x.message.type === 'listRequest')).toHaveLength(0);
  });

  it('PP-5: Server Information ID 0 is ignored', () => {
    const rg = rig();
    enrp(rg, 900, { ...presence(0), senderId: 0 } as EnrpMessage);
    expect(rg.r.peerIds()).toEqual([]);
  });

  it('PP-1/CK-1: Presence every heartbeat to every peer plus multicast, carrying the own checksum', () => {
    const rg = rig('rfc', { peerHeartbeatCycle: 1000, mentorDiscoveryTimeout: 100, peerMaxTimeLastHeard: 1e9 });
    rg.advance(0);
    enrp(rg, 900, presence(200));
    up(rg, 1);
    asap(rg, 1, registration(1));
    let count = 0;
    for (let t = 0; t < 5000; t += 50) {
      for (const a of rg.advance(50)) {
        if (a.kind === 'sendPeer' && a.message.type === 'presence') {
          count++;
          expect(a.message.peChecksum).toBe(rg.r.handlespace.ownershipChecksum(100));
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(4);
  });

  it('HU-2: DEL_PE from a PR that is not the recorded home is ignored (delPeRequiresHome); rsplib removes it anyway', () => {
    const del = (rg: Rig, from: number, peId: number) =>
      enrp(rg, 900, { protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: from, receiverId: 100, updateAction: 1, poolHandle: POOL, poolElement: foreignPe(peId, from) });
    for (const profile of ['rfc', 'rsplib'] as const) {
      const rg = rig(profile);
      enrp(rg, 900, presence(200));
      enrp(rg, 900, presence(300));
      add(rg, 300, 5); // 300 took the PE over from 200 (or it re-registered there)
      up(rg, 1);
      asap(rg, 1, registration(6)); // this PR's own PE
      del(rg, 200, 5); // stale: 200 is no longer its home
      del(rg, 200, 6);
      expect(rg.r.handlespace.find(POOL, 5) !== undefined).toBe(profile === 'rfc');
      expect(rg.r.handlespace.find(POOL, 6) !== undefined).toBe(profile === 'rfc');
      del(rg, 300, 5); // the home's DEL_PE always applies
      expect(rg.r.handlespace.find(POOL, 5)).toBeUndefined();
    }
  });

  it('PP-2: a configured peer removed as dead is probed again, so it rejoins after a partition (retryStaticPeers)', () => {
    const rg = rig('rfc', { staticPeers: [200], peerMaxTimeLastHeard: 3000, peerMaxTimeNoResponse: 1000, peerHeartbeatCycle: 1e9 });
    rg.advance(3000); // probe
    rg.advance(1000);
    expect(rg.r.peerIds()).toEqual([200]); // declared dead, owned nothing, re-entered at once
    expect(toPeers(rg.advance(3000)).filter((x) => x.peerId === 200 && x.message.type === 'presence' && x.message.flags.R)).toHaveLength(1);
    const off = rig('rfc', { staticPeers: [200], retryStaticPeers: false, peerMaxTimeLastHeard: 3000, peerMaxTimeNoResponse: 1000, peerHeartbeatCycle: 1e9 });
    off.advance(3000);
    off.advance(1000);
    expect(off.r.peerIds()).toEqual([]);
  });

  it('PP-4: silent peer probed after MAX-TIME-LAST-HEARD, dropped after MAX-TIME-NO-RESPONSE when it owns nothing', () => {
    const rg = rig('rfc', { peerMaxTimeLastHeard: 3000, peerMaxTimeNoResponse: 1000, peerHeartbeatCycle: 1e9 });
    enrp(rg, 900, presence(200));
    expect(toPeers(rg.advance(2999)).filter((x) => x.message.type === 'presence' && x.message.flags.R)).toHaveLength(0);
    expect(toPeers(rg.advance(1)).filter((x) => x.message.type === 'presence' && x.message.flags.R)).toHaveLength(1);
    rg.advance(1000);
    expect(rg.r.peerIds()).toEqual([]);
  });

  it('LS-1: List Request answered with all peers; List Response adds new peers and greets them', () => {
    const rg = rig();
    enrp(rg, 900, presence(200));
    enrp(rg, 901, presence(300));
    const [resp] = only(sent(enrp(rg, 902, { protocol: 'enrp', type: 'listRequest', senderId: 400, receiverId: 100 })), 'listResponse');
    expect(resp?.servers.map((s) => s.serverId).sort()).toEqual([200, 300]);
    const acts = enrp(rg, 900, { protocol: 'enrp', type: 'listResponse', flags: { R: false }, senderId: 200, receiverId: 100, servers: [{ serverId: 500, transport: ASAP_T }, { serverId: 0, transport: ASAP_T }] });
    expect(rg.r.peerIds()).toEqual([200, 300, 500]);
    expect(toPeers(acts).filter((x) => x.peerId === 500 && x.message.type === 'presence')).toHaveLength(1);
  });
});

describe('Handle Update (HU-2)', () => {
  it('ADD_PE adds a foreign PE with expiry after its Registration Life (REG-12); own-home ADD ignored; DEL removes', () => {
    const rg = rig();
    enrp(rg, 900, presence(200));
    add(rg, 200, 5);
    expect(rg.r.handlespace.find(POOL, 5)?.homeRegistrarId).toBe(200);
    add(rg, 200, 6, 100);
    expect(rg.r.handlespace.find(POOL, 6)).toBeUndefined();
    rg.advance(29_999);
    expect(rg.r.handlespace.find(POOL, 5)).toBeDefined();
    add(rg, 200, 5);
    rg.advance(29_999);
    expect(rg.r.handlespace.find(POOL, 5)).toBeDefined();
    rg.advance(1);
    expect(rg.r.handlespace.find(POOL, 5)).toBeUndefined();
    add(rg, 200, 7);
    enrp(rg, 900, { protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: 200, receiverId: 100, updateAction: 1, poolHandle: POOL, poolElement: foreignPe(7, 200) });
    expect(rg.r.handlespace.find(POOL, 7)).toBeUndefined();
  });

  it('messages with the own Sending ID are ignored', () => {
    const rg = rig();
    add(rg, 100, 5, 300);
    expect(rg.r.handlespace.size).toBe(0);
  });
});

describe('checksum audit and handle table (CK-2, HT-*)', () => {
  it('CK-2: mismatch over SCTP sends Handle Table Request W = 1; unconfirmed PEs of that peer are deleted after M = 0', () => {
    // Start-up over first: a mentor's table download is a sync in progress and is not audited.
    const rg = rig('rfc', { mentorDiscoveryTimeout: 0 });
    rg.advance(0);
    enrp(rg, 900, presence(200));
    add(rg, 200, 1);
    add(rg, 200, 2);
    const acts = enrp(rg, 900, presence(200, 0x1234));
    const [req] = only(sent(acts), 'handleTableRequest');
    expect(req?.flags.W).toBe(true);
    // No second audit while syncing.
    expect(only(sent(enrp(rg, 900, presence(200, 0x1234))), 'handleTableRequest')).toHaveLength(0);
    enrp(rg, 900, { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: 200, receiverId: 100, pools: [{ poolHandle: POOL, poolElements: [foreignPe(2, 200), foreignPe(3, 200)] }] });
    expect(rg.r.handlespace.find(POOL, 1)).toBeUndefined();
    expect(rg.r.handlespace.find(POOL, 2)).toBeDefined();
    expect(rg.r.handlespace.find(POOL, 3)).toBeDefined();
  });

  it('CK-2: multicast Presences are never audited; matching checksums trigger nothing', () => {
    const rg = rig('rfc', { mentorDiscoveryTimeout: 0 });
    rg.advance(0);
    const acts = rg.r.handle({ kind: 'announce', source: { family: 'ipv4', address: '10.0.0.2' }, message: presence(200, 0x1234) });
    expect([...sent(acts), ...toPeers(acts).map((x) => x.message)].filter((m) => m.type === 'handleTableRequest')).toHaveLength(0);
    add(rg, 200, 1);
    const ck = rg.r.handlespace.ownershipChecksum(200);
    expect(only(sent(enrp(rg, 900, presence(200, ck))), 'handleTableRequest')).toHaveLength(0);
  });

  it('HT-1: unknown requester refused with R = 1; W = 1 returns only own PEs', () => {
    const rg = rig();
    const [refused] = only(sent(enrp(rg, 900, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: 200, receiverId: 100 })), 'handleTableResponse');
    expect(refused?.flags.R).toBe(true);
    enrp(rg, 900, presence(200));
    add(rg, 200, 50);
    up(rg, 1);
    asap(rg, 1, registration(1));
    const [own] = only(sent(enrp(rg, 900, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: 200, receiverId: 100 })), 'handleTableResponse');
    expect(own?.pools.flatMap((p) => p.poolElements.map((e) => e.peId))).toEqual([1]);
    const [all] = only(sent(enrp(rg, 900, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: 200, receiverId: 100 })), 'handleTableResponse');
    expect(all?.pools.flatMap((p) => p.poolElements.map((e) => e.peId)).sort((a, b) => a - b)).toEqual([1, 50]);
  });

  it('HT-2: pages of MaxElementsPerHTRequest with M = 1, a full last page followed by an empty M = 0 page', () => {
    const rg = rig('rfc', { maxElementsPerHandleTableResponse: 2 });
    enrp(rg, 900, presence(200));
    up(rg, 1);
    for (let i = 1; i <= 4; i++) asap(rg, 1, registration(i));
    const pages: number[][] = [];
    const flags: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const [p] = only(sent(enrp(rg, 900, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: 200, receiverId: 100 })), 'handleTableResponse');
      pages.push(p!.pools.flatMap((x) => x.poolElements.map((e) => e.peId)));
      flags.push(p!.flags.M);
    }
    expect(pages).toEqual([[1, 2], [3, 4], []]);
    expect(flags).toEqual([true, true, false]);
  });

  it('HT-2 requester side: M = 1 makes it ask again', () => {
    const rg = rig();
    enrp(rg, 900, presence(200));
    enrp(rg, 900, presence(200, 0x1111));
    const acts = enrp(rg, 900, { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: true }, senderId: 200, receiverId: 100, pools: [{ poolHandle: POOL, poolElements: [foreignPe(2, 200)] }] });
    expect(toPeers(acts).filter((x) => x.message.type === 'handleTableRequest')).toHaveLength(1);
  });

  it('ST-2: the first peer heard in start-up is the mentor: List Request and W = 0 download; its last page ends start-up', () => {
    const rg = rig();
    expect(rg.r.inStartup).toBe(true);
    const acts = enrp(rg, 900, presence(200));
    const reqs = toPeers(acts).filter((x) => x.message.type === 'handleTableRequest');
    expect(reqs[0]?.message.type === 'handleTableRequest' && reqs[0].message.flags.W).toBe(false);
    enrp(rg, 900, { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: 200, receiverId: 100, pools: [{ poolHandle: POOL, poolElements: [foreignPe(2, 300)] }] });
    expect(rg.r.inStartup).toBe(false);
    expect(rg.r.handlespace.find(POOL, 2)?.homeRegistrarId).toBe(300);
  });
});

describe('takeover (TO-*)', () => {
  const T = { peerMaxTimeLastHeard: 1000, peerMaxTimeNoResponse: 1000, peerHeartbeatCycle: 1e9, takeoverExpiryInterval: 3000 };
  function keepAlive(rg: Rig, ids: number[]) {
    for (const id of ids) enrp(rg, 900 + id, presence(id));
  }

  it('TO-1/TO-3: dead owner: Init Takeover to all, Acks from all others, then Takeover Server and Keep-Alive H = 1', () => {
    const rg = rig('rfc', T);
    keepAlive(rg, [200, 300]);
    add(rg, 200, 5);
    for (let i = 0; i < 4; i++) {
      rg.advance(500);
      keepAlive(rg, [300]);
    }
    const started = toPeers(rg.advance(0).concat(rg.advance(1)));
    void started;
    expect(rg.r.takeoverTargets()).toEqual([200]);
    const acts = enrp(rg, 300, { protocol: 'enrp', type: 'initTakeoverAck', senderId: 300, receiverId: 100, targetId: 200 });
    expect(toPeers(acts).filter((x) => x.message.type === 'takeoverServer').map((x) => x.peerId)).toEqual([300]);
    const ka = acts.filter((a) => a.kind === 'sendEndpoint');
    expect(ka).toHaveLength(1);
    expect(ka[0]?.kind === 'sendEndpoint' && ka[0].message.type === 'endpointKeepAlive' && ka[0].message.flags.H).toBe(true);
    expect(rg.r.handlespace.find(POOL, 5)?.homeRegistrarId).toBe(100);
    expect(rg.r.peerIds()).toEqual([300]);
  });

  it('TO-2: the target answers with Presence; a bystander acks; a competing lower ID wins the tie', () => {
    const rg = rig('rfc', T);
    keepAlive(rg, [50, 200, 300]);
    const self = enrp(rg, 300, { protocol: 'enrp', type: 'initTakeover', senderId: 300, receiverId: 100, targetId: 100 });
    expect(toPeers(self).filter((x) => x.message.type === 'presence').length).toBeGreaterThanOrEqual(3);
    const ack = enrp(rg, 300, { protocol: 'enrp', type: 'initTakeover', senderId: 300, receiverId: 100, targetId: 999 });
    expect(toPeers(ack).filter((x) => x.message.type === 'initTakeoverAck' && x.peerId === 300)).toHaveLength(1);
  });

  it('TO-2 tie-break: higher sender gets no Ack, lower sender wins and is acked', () => {
    const rg = rig('rfc', T);
    keepAlive(rg, [50, 200, 300]);
    add(rg, 200, 5);
    for (let i = 0; i < 4; i++) {
      rg.advance(500);
      keepAlive(rg, [50, 300]);
    }
    rg.advance(1);
    expect(rg.r.takeoverTargets()).toEqual([200]);
    const hi = enrp(rg, 300, { protocol: 'enrp', type: 'initTakeover', senderId: 300, receiverId: 100, targetId: 200 });
    expect(toPeers(hi).filter((x) => x.message.type === 'initTakeoverAck')).toHaveLength(0);
    const lo = enrp(rg, 50, { protocol: 'enrp', type: 'initTakeover', senderId: 50, receiverId: 100, targetId: 200 });
    expect(toPeers(lo).filter((x) => x.message.type === 'initTakeoverAck' && x.peerId === 50)).toHaveLength(1);
    expect(rg.r.takeoverTargets()).toEqual([]);
  });

  it('TO-4: Takeover Server moves the target PEs to the sender', () => {
    const rg = rig();
    keepAlive(rg, [200, 300]);
    add(rg, 200, 5);
    enrp(rg, 300, { protocol: 'enrp', type: 'takeoverServer', senderId: 300, receiverId: 100, targetId: 200 });
    expect(rg.r.handlespace.find(POOL, 5)?.homeRegistrarId).toBe(300);
    expect(rg.r.handlespace.ownershipChecksum(200)).toBe(0xffff);
  });

  it('TO-5: a Presence from the target cancels the takeover; TO-1 expiry abandons it', () => {
    const rg = rig('rfc', T);
    keepAlive(rg, [200, 300]);
    add(rg, 200, 5);
    for (let i = 0; i < 4; i++) {
      rg.advance(500);
      keepAlive(rg, [300]);
    }
    rg.advance(1);
    expect(rg.r.takeoverTargets()).toEqual([200]);
    keepAlive(rg, [200]);
    expect(rg.r.takeoverTargets()).toEqual([]);
  });

  it('TO-6: with no other peer the RFC reading completes at once, rsplib abandons at expiry', () => {
    for (const p of ['rfc', 'rsplib'] as const) {
      const rg = rig(p, T);
      keepAlive(rg, [200]);
      add(rg, 200, 5);
      rg.advance(1000);
      rg.advance(1000);
      if (p === 'rfc') expect(rg.r.handlespace.find(POOL, 5)?.homeRegistrarId).toBe(100);
      else {
        expect(rg.r.takeoverTargets()).toEqual([200]);
        rg.advance(3000);
        expect(rg.r.takeoverTargets()).toEqual([]);
        expect(rg.r.handlespace.find(POOL, 5)?.homeRegistrarId).toBe(200);
      }
    }
  });
});
