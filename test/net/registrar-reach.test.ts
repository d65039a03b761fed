/**
 * The networked registrar sends to PEs it holds no association with (TO-3: the Endpoint Keep-Alive
 * with H = 1 after a takeover) by opening one to the PE's ASAP transport, reached through the
 * `--reach` map (NAT / slirp) or directly at UDP 9899.
 */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { decode, encode, PPID, PORT, type AsapMessage } from '../../codecs/index.js';
import { parseReach, reachKey, reachTarget, RegistrarNode, NET_ERR_BAD_REACH } from '../../src/net/registrar-node.js';
import type { NetLogRecord } from '../../src/net/log.js';
import { defaultConfig } from '../../src/registrar/index.js';
import { UdpSctpTransport, type Association } from '../../src/transport/sctp/index.js';

/** A UDP port that was free a moment ago (a shared socket needs a fixed, non-zero port). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const until = async (what: string, cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not met in ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const v4 = (address: string) => ({ family: 'ipv4', address }) as const;
const v6 = (address: string) => ({ family: 'ipv6', address }) as const;

describe('reach map', () => {
  it('parses IP=udp:HOST:PORT and refuses what it cannot use', () => {
    expect(parseReach('10.0.2.15=udp:127.0.0.1:9920')).toEqual(['10.0.2.15', { host: '127.0.0.1', port: 9920 }]);
    expect(parseReach('FEC0::1=udp:[::1]:9920')).toEqual(['fec0::1', { host: '::1', port: 9920 }]);
    for (const bad of ['10.0.2.15', 'host=udp:127.0.0.1:9920', '10.0.2.15=udp:127.0.0.1', '10.0.2.15=udp:127.0.0.1:0', '=udp:1.2.3.4:5']) {
      expect(() => parseReach(bad), bad).toThrow(NET_ERR_BAD_REACH);
    }
    expect(reachKey('[FE80::A]')).toBe('fe80::a');
  });

  it('prefers a mapped address, else the first of our family at UDP 9899', () => {
    const reach = new Map([['10.0.2.15', { host: '127.0.0.1', port: 9920 }]]);
    // slirp: the guest PE lists 10.0.2.15 and a site-local IPv6 address; only the map reaches it.
    expect(reachTarget([v6('fec0::5054:ff:fe12:3456'), v4('10.0.2.15')], reach, 'ipv4')).toEqual({ listed: '10.0.2.15', address: '127.0.0.1', udpPort: 9920, via: 'reach' });
    expect(reachTarget([v6('fec0::1'), v4('192.0.2.7'), v4('192.0.2.8')], reach, 'ipv4')).toEqual({ listed: '192.0.2.7', address: '192.0.2.7', udpPort: 9899, via: 'direct' });
    expect(reachTarget([v6('fec0::1')], reach, 'ipv4')).toBeUndefined();
    // A mapping our socket cannot send to (IPv6 target on an IPv4 socket) is skipped.
    expect(reachTarget([v4('10.0.2.15')], new Map([['10.0.2.15', { host: '::1', port: 9920 }]]), 'ipv4')).toEqual({ listed: '10.0.2.15', address: '10.0.2.15', udpPort: 9899, via: 'direct' });
  });
});

/**
 * A minimal rsplib-like PE: one SCTP endpoint listening on its ASAP port (where a new home
 * registrar reaches it, like rsplib's registrar hunt socket), registered at a registrar from that
 * same port, answering every Keep-Alive on the association it came on; a Keep-Alive with H = 1
 * makes its sender the home registrar, and the PE re-registers there (as rsplib does on the
 * association it peels off).
 */
class TestPe {
  readonly keepAlives: { association: number; H: boolean; serverId: number; remotePort: number }[] = [];
  readonly responses: { association: number; R: boolean }[] = [];
  home = 0;
  private readonly handle = new TextEncoder().encode('reach-pool');

  constructor(
    readonly transport: UdpSctpTransport,
    readonly asapPort: number,
    readonly peId: number,
  ) {
    transport.endpoint.listen(asapPort);
    transport.endpoint.on('message', (a, m) => {
      if (m.ppid !== PPID.asap) return;
      const msg = decode(m.bytes, { protocol: 'asap', mode: 'lenient', profile: 'auto' }).value;
      if (msg.protocol !== 'asap') return;
      if (msg.type === 'registrationResponse') this.responses.push({ association: a.id, R: msg.flags.R });
      if (msg.type !== 'endpointKeepAlive') return;
      this.keepAlives.push({ association: a.id, H: msg.flags.H, serverId: msg.serverId, remotePort: a.remotePort });
      this.send(a, { protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: this.handle, peId: this.peId });
      if (msg.flags.H && msg.serverId !== this.home) {
        this.home = msg.serverId;
        this.register(a);
      }
    });
  }

  static async start(asapPort: number, peId: number): Promise<TestPe> {
    // Its own loopback address: the reach entry for it must not catch the registrars (127.0.0.1).
    return new TestPe(await UdpSctpTransport.open({ host: '127.0.0.2', port: 0 }), asapPort, peId);
  }

  get udpPort(): number {
    return this.transport.local.port;
  }

  /** Registers at the registrar on `registrarUdpPort`, from the PE's ASAP port. */
  connect(registrarUdpPort: number): Association {
    const a = this.transport.endpoint.connect({ address: '127.0.0.1', udpPort: registrarUdpPort, sctpPort: PORT.asap, localPort: this.asapPort });
    this.register(a);
    return a;
  }

  private register(a: Association): void {
    this.send(a, {
      protocol: 'asap',
      type: 'registration',
      poolHandle: this.handle,
      poolElement: {
        peId: this.peId,
        homeRegistrarId: this.home,
        registrationLife: 30_000,
        userTransport: { transport: 'sctp', port: 7, transportUse: 'dataOnly', addresses: [v4('127.0.0.2')] },
        policy: { name: 'roundRobin' },
      },
    });
  }

  private send(a: Association, m: AsapMessage): void {
    a.send(0, PPID.asap, encode(m));
  }

  find(node: RegistrarNode) {
    return node.registrar.handlespace.find(this.handle, this.peId);
  }
}

describe('takeover Keep-Alive to a PE we hold no association with (TO-3)', () => {
  it('opens an association to the PE through the reach map; the PE names the new home and is monitored there', async () => {
    const fast = {
      asapAnnounce: false,
      enrpAnnounce: false,
      mentorDiscoveryTimeout: 300,
      peerHeartbeatCycle: 200,
      peerMaxTimeLastHeard: 800,
      peerMaxTimeNoResponse: 300,
      keepAliveTransmissionInterval: 600,
      keepAliveTimeoutInterval: 1500,
      checkAddresses: true,
      minAddressScope: 'loopback',
    } as const;
    const portA = await freePort();
    const sharedA = { host: '127.0.0.1', port: portA };
    const logA: NetLogRecord[] = [];
    const logB: NetLogRecord[] = [];
    let a: RegistrarNode | undefined = await RegistrarNode.start({ config: defaultConfig(0xa, fast), asap: sharedA, enrp: sharedA, log: (r) => logA.push(r) });
    const pe = await TestPe.start(4321, 0x4242);
    // B: A is its static peer. The PE's ASAP address 127.0.0.2 is "behind a NAT": only the map
    // says that its SCTP stack listens on the PE's UDP port, not on 9899.
    const b = await RegistrarNode.start({
      config: defaultConfig(0xb, { ...fast, staticPeers: [0xa] }),
      asap: { host: '127.0.0.1', port: 0 },
      enrp: { host: '127.0.0.1', port: 0 },
      peers: new Map([[0xa, sharedA]]),
      reach: new Map([['127.0.0.2', { host: '127.0.0.2', port: pe.udpPort }]]),
      log: (r) => logB.push(r),
    });
    const t0 = performance.now();
    try {
      pe.connect(portA);
      await until('PE registered at A', () => pe.responses.some((r) => !r.R), 3000);
      // HU-1 / HT-1: B knows the PE, homed at A, with its ASAP transport (SCTP port 4321).
      await until('B has the PE of A', () => pe.find(b)?.homeRegistrarId === 0xa, 5000);
      expect(pe.find(b)?.asapTransport).toMatchObject({ transport: 'sctp', port: 4321 });
      expect(pe.keepAlives.every((k) => k.serverId === 0xa)).toBe(true);

      // A goes away (its associations end, no DEL_PE: the PE stays in B's handlespace): B's peer
      // checks fail (PP-4) and, alone, it completes the takeover at once (TO-6, RFC reading), TO-3.
      const killed = performance.now();
      await a.stop();
      a = undefined;
      await until('B took the PE over', () => pe.find(b)?.homeRegistrarId === 0xb, 5000);
      await until('the PE heard the Keep-Alive with H = 1 from B', () => pe.home === 0xb, 3000);
      const tookMs = Math.round(performance.now() - killed);
      const h = pe.keepAlives.find((k) => k.H)!;
      expect(h).toMatchObject({ serverId: 0xb, remotePort: PORT.asap });
      const opened = logB.find((r) => r.event === 'endpointAssociationOpened');
      expect(opened?.detail).toMatchObject({ message: 'endpointKeepAlive', port: 4321, listed: '127.0.0.2', to: `udp:127.0.0.2:${pe.udpPort}`, via: 'reach' });
      expect(logB.some((r) => r.event === 'actionNotCarried' || r.event === 'endpointUnreachable' || r.event === 'endpointAssociationFailed')).toBe(false);

      // The PE re-registers on B's association (home = B), and B monitors it there: the Ack put
      // the PE on that association (KA-2), later Keep-Alives (H = 0) go on it, and the PE outlives
      // the Keep-Alive timeout that TO-3 started.
      await until('re-registration answered by B', () => pe.responses.some((r) => r.association === h.association && !r.R), 3000);
      expect(logB.some((r) => r.event === 'pe.reregistered' && r.detail?.['peId'] === 0x4242)).toBe(true);
      expect(pe.find(b)?.association).toBeDefined();
      await until('a routine Keep-Alive from B on the same association', () => pe.keepAlives.some((k) => !k.H && k.serverId === 0xb && k.association === h.association), 3000);
      await new Promise((r) => setTimeout(r, fast.keepAliveTimeoutInterval + 200));
      expect(pe.find(b)?.homeRegistrarId).toBe(0xb);
      expect(logB.some((r) => r.event === 'pe.removed')).toBe(false);
      // One association, opened once, for everything B sent the PE.
      expect(logB.filter((r) => r.event === 'endpointAssociationOpened')).toHaveLength(1);
      console.log(`takeover to Keep-Alive H = 1 at the PE: ${tookMs} ms; test ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await a?.stop();
      await b.stop();
      await pe.transport.close();
    }
  }, 20_000);

  it('without a reach entry goes straight to the listed address at UDP 9899, and only logs a failure', async () => {
    const log: NetLogRecord[] = [];
    const node = await RegistrarNode.start({ config: defaultConfig(0xc, { asapAnnounce: false, enrpAnnounce: false }), asap: { host: '127.0.0.1', port: 0 }, log: (r) => log.push(r) });
    try {
      // Drive the node's action path directly: what the registrar asks for after a takeover.
      const run = (node as unknown as { run(actions: unknown[]): void }).run.bind(node);
      const ka = { protocol: 'asap', type: 'endpointKeepAlive', flags: { H: true }, serverId: 0xc, poolHandle: new Uint8Array([0x61]), peId: 1 } as const;
      run([{ kind: 'sendEndpoint', transport: { transport: 'sctp', port: 4999, transportUse: 'dataOnly', addresses: [v6('fec0::1'), v4('127.0.0.9')] }, message: ka }]);
      run([{ kind: 'sendEndpoint', transport: { transport: 'sctp', port: 4999, transportUse: 'dataOnly', addresses: [v4('127.0.0.9')] }, message: ka }]);
      run([{ kind: 'sendEndpoint', transport: { transport: 'tcp', port: 4999, transportUse: 'dataOnly', addresses: [v4('127.0.0.9')] }, message: ka }]);
      expect(log.filter((r) => r.event === 'endpointAssociationOpened').map((r) => r.detail)).toEqual([
        expect.objectContaining({ listed: '127.0.0.9', to: 'udp:127.0.0.9:9899', via: 'direct' }),
      ]);
      // The second message waits on the association the first one opened.
      expect(log.filter((r) => r.event === 'endpointSend').map((r) => r.detail?.['association'])).toHaveLength(2);
      expect(log.find((r) => r.event === 'endpointUnreachable')?.detail).toMatchObject({ transport: 'tcp', why: 'not SCTP' });
    } finally {
      await node.stop();
    }
  });
});

describe('peers reached by their Server Information through the reach map (PP-5)', () => {
  it('opens an ENRP association to a peer known only from a Presence, at the mapped endpoint', async () => {
    const port = await freePort();
    const shared = { host: '127.0.0.1', port };
    const quick = { asapAnnounce: false, enrpAnnounce: false, mentorDiscoveryTimeout: 200 } as const;
    const logB: NetLogRecord[] = [];
    const a = await RegistrarNode.start({ config: defaultConfig(0x1a, quick), asap: shared, enrp: shared, log: () => undefined });
    // A names itself 10.9.9.9 (as a NATed peer would): not routable; the map says where it is.
    const b = await RegistrarNode.start({
      config: defaultConfig(0x1b, quick),
      asap: { host: '127.0.0.1', port: 0 },
      enrp: { host: '127.0.0.1', port: 0 },
      reach: new Map([['10.9.9.9', shared]]),
      log: (r) => logB.push(r),
    });
    try {
      // A multicast Presence of A (no association): B enters A as a peer and probes it (PP-2).
      const presence = {
        protocol: 'enrp',
        type: 'presence',
        flags: { R: false },
        senderId: 0x1a,
        receiverId: 0,
        peChecksum: 0,
        serverInformation: { serverId: 0x1a, transport: { transport: 'sctp', port: PORT.enrp, transportUse: 'dataOnly', addresses: [v4('10.9.9.9')] } },
      } as const;
      const run = (b as unknown as { run(actions: unknown[]): void }).run.bind(b);
      run(b.registrar.handle({ kind: 'announce', source: v4('10.9.9.9'), message: presence }));
      expect(b.registrar.peerTransport(0x1a)?.addresses).toEqual([v4('10.9.9.9')]);
      await until('A learned B from the probe that reached it', () => a.registrar.peerIds().includes(0x1b), 3000);
      expect(logB.find((r) => r.event === 'peerAssociationOpened')?.detail).toMatchObject({ peerId: 0x1a, to: `udp:127.0.0.1:${port}`, sctpPort: PORT.enrp });
      expect(logB.some((r) => r.event === 'peerUnknown')).toBe(false);

      // A peer whose announced ENRP port nobody listens on (a vanished hsdump, say) refuses the
      // INIT: one attempt, then the node holds further messages back for a Presence cycle.
      run(b.registrar.handle({ kind: 'announce', source: v4('10.9.9.9'), message: { ...presence, senderId: 0x1c, serverInformation: { serverId: 0x1c, transport: { ...presence.serverInformation.transport, port: 9999 } } } }));
      await until('the INIT to the dead peer was refused', () => logB.some((r) => r.event === 'associationDown' && r.detail?.['protocol'] === 'enrp'), 3000);
      const probe = { protocol: 'enrp', type: 'presence', flags: { R: true }, senderId: 0x1b, receiverId: 0x1c, peChecksum: 0, serverInformation: presence.serverInformation } as const;
      for (let i = 0; i < 3; i++) run([{ kind: 'sendPeer', peerId: 0x1c, message: probe }]);
      expect(logB.filter((r) => r.event === 'peerAssociationOpened' && r.detail?.['peerId'] === 0x1c)).toHaveLength(1);
      expect(logB.filter((r) => r.event === 'peerConnectDeferred' && r.detail?.['peerId'] === 0x1c)).toHaveLength(3);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
