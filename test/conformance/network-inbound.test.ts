/**
 * The network target accepting associations the registrar opens (T-6), against a scripted fake
 * registrar on loopback: one UDP socket with the ASAP and ENRP SCTP ports behind it, like a Linux
 * registrar with one RFC 6951 port (the qemu guest over slirp).
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT, PPID, decode, encode, type Message } from '../../codecs/index.js';
import { CaseSkip } from '../../src/conformance/case.js';
import { NetworkTarget, parseTargetSpec } from '../../src/conformance/network-target.js';
import type { Endpoint } from '../../src/conformance/target.js';
import { buildInit } from '../../src/transport/sctp/chunks.js';
import { UdpSctpTransport, type Association, type SctpMessage } from '../../src/transport/sctp/index.js';
import { decodePacket, encodePacket } from '../../src/transport/sctp/packet.js';

/** A registrar stand-in: accepts on 3863/9901, records messages, can open associations itself. */
class FakeRegistrar {
  readonly received: { association: Association; message: SctpMessage }[] = [];
  private constructor(readonly udp: UdpSctpTransport) {}
  static async start(): Promise<FakeRegistrar> {
    const udp = await UdpSctpTransport.open({ host: '127.0.0.1', port: 0 });
    udp.endpoint.listen(PORT.asap);
    udp.endpoint.listen(PORT.enrp);
    const f = new FakeRegistrar(udp);
    udp.endpoint.on('message', (a, m) => f.received.push({ association: a, message: m }));
    return f;
  }
  /** Opens an association from `fromPort` (the registrar's own SCTP port) to a driver port and waits for it. */
  async connect(listenPort: number, toSctpPort: number, fromPort: number): Promise<Association> {
    const a = this.udp.endpoint.connect({ address: '127.0.0.1', udpPort: listenPort, sctpPort: toSctpPort, localPort: fromPort });
    await new Promise<void>((resolve, reject) => {
      a.once('up', () => resolve());
      a.once('down', (d) => reject(new Error(`down: ${d.reason}`)));
    });
    return a;
  }
  async next(predicate: (m: SctpMessage) => boolean, withinMs = 2000): Promise<{ association: Association; message: SctpMessage }> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const hit = this.received.find((r) => predicate(r.message));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error('fake registrar: nothing matching arrived');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const presence = (sender: number, receiver: number): Message => ({
  protocol: 'enrp',
  type: 'presence',
  flags: { R: true },
  senderId: sender,
  receiverId: receiver,
  peChecksum: 0xffff,
  serverInformation: { serverId: sender, transport: { transport: 'sctp', port: PORT.enrp, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.0.2.15' }] } },
});

let registrar: FakeRegistrar | undefined;
let target: NetworkTarget | undefined;
afterEach(async () => {
  await target?.dispose();
  await registrar?.udp.close();
  target = undefined;
  registrar = undefined;
});

async function setup(extra: Partial<ConstructorParameters<typeof NetworkTarget>[0]> = {}): Promise<{ registrar: FakeRegistrar; target: NetworkTarget; listenPort: number }> {
  registrar = await FakeRegistrar.start();
  const port = registrar.udp.local.port;
  target = new NetworkTarget({ host: '127.0.0.1', asapPort: port, enrpPort: port, listen: { host: '127.0.0.1', port: 0 }, ...extra });
  const l = await target.startListening();
  return { registrar, target, listenPort: l.port };
}

async function receive(ep: Endpoint, withinMs = 2000) {
  const r = await ep.receive(withinMs);
  if (r === undefined) throw new Error(`${ep.name}: nothing within ${withinMs} ms`);
  return r;
}

describe('parseTargetSpec local=', () => {
  it('takes the socket for inbound associations', () => {
    expect(parseTargetSpec('udp:127.0.0.1:9910,enrp=9910,local=udp:127.0.0.1:9899')).toEqual({ host: '127.0.0.1', asapPort: 9910, enrpPort: 9910, listen: { host: '127.0.0.1', port: 9899 } });
    expect(parseTargetSpec('udp:[::1]:9910,local=udp:[::1]:9899')).toEqual({ host: '::1', asapPort: 9910, listen: { host: '::1', port: 9899 } });
    for (const bad of ['udp:h:1,local=h:2', 'udp:h:1,local=udp:h', 'udp:h:1,local=udp:h:0']) expect(() => parseTargetSpec(bad)).toThrow('RSP_ERR_CONFORMANCE_BAD_TARGET');
  });
});

describe('network target: inbound associations', () => {
  it('hands an association opened to a passive peer to that peer, and its replies go back on it', async () => {
    const { registrar, target, listenPort } = await setup({ peerAddresses: ['10.0.2.2'] });
    expect(target.describe().capabilities.acceptsIncoming).toBe(true);
    await target.beginCase('x');
    const peer = await target.open('peer', { passive: true, serverId: 0x1234 });
    expect(peer.association).toBeUndefined();
    expect(peer.addresses).toEqual([{ family: 'ipv4', address: '10.0.2.2' }]);
    const a = await registrar.connect(listenPort, peer.port, PORT.enrp);
    a.send(0, PPID.enrp, encode(presence(0x77, 0x1234)));
    const r = await receive(peer);
    expect(r.channel).toBe('incoming');
    expect(r.message.type).toBe('presence');
    expect(peer.association).toBe(r.association);
    peer.send({ ...presence(0x1234, 0x77), flags: { R: false } } as Message, r.association);
    const back = await registrar.next((m) => m.ppid === PPID.enrp);
    expect(back.association).toBe(a);
    expect(decode(back.message.bytes, { protocol: 'enrp', mode: 'lenient', profile: 'auto' }).value.type).toBe('presence');
    const trace = await target.endCase();
    expect(trace.some((t) => t.associationEvent === 'up' && t.channel === 'incoming')).toBe(true);
    expect(trace.some((t) => t.direction === 'fromTarget' && t.channel === 'incoming')).toBe(true);
    // endCase shut the inbound association down.
    await new Promise((r) => setTimeout(r, 100));
    expect(a.state).toBe('closed');
  });

  it('gives an active PE a second association the registrar opens to its port (Keep-Alive after takeover)', async () => {
    const { registrar, target, listenPort } = await setup({ peAddresses: ['10.0.2.2'] });
    await target.beginCase('x');
    const pe = await target.open('pe');
    const main = pe.association;
    expect(main).toBeDefined();
    // From another SCTP port: 3863 → PE port is the PE's own association, which a registrar reuses.
    const a = await registrar.connect(listenPort, pe.port, 3864);
    a.send(0, PPID.asap, encode({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: true }, serverId: 0x77, poolHandle: new TextEncoder().encode('p'), peId: 5 }));
    const r = await receive(pe);
    expect(r.channel).toBe('incoming');
    expect(r.association).not.toBe(main);
    expect(pe.association).toBe(main);
    pe.send({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: new TextEncoder().encode('p'), peId: 5 }, r.association);
    const ack = await registrar.next((m) => m.ppid === PPID.asap);
    expect(ack.association).toBe(a);
    await target.endCase();
  });

  it('aborts an association opened to a port no endpoint owns (T bit clear, so a peer accepts the ABORT)', async () => {
    const { registrar, listenPort } = await setup();
    const a = registrar.udp.endpoint.connect({ address: '127.0.0.1', udpPort: listenPort, sctpPort: 4444, localPort: PORT.enrp });
    const down = await new Promise<string>((resolve) => {
      a.once('up', () => resolve('up'));
      a.once('down', (d) => resolve(d.reason));
    });
    expect(down).not.toBe('up');
    expect(a.state).toBe('closed');
  });

  it('answers an INIT to an unused port with ABORT carrying the Initiate Tag and the T bit clear (RFC 9260 §8.4 rule 3)', async () => {
    const { listenPort } = await setup();
    // A raw INIT, as the Linux guest sends it when rsplib reaches a fake peer that has left.
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const tag = 0x1234abcd;
    const init = buildInit(false, { initiateTag: tag, aRwnd: 65536, outboundStreams: 10, inboundStreams: 10, initialTsn: 1, params: [] });
    const reply = new Promise<Uint8Array>((resolve) => sock.once('message', (m) => resolve(new Uint8Array(m))));
    sock.send(encodePacket({ srcPort: PORT.enrp, dstPort: 4445, vtag: 0, chunks: [init] }), listenPort, '127.0.0.1');
    const p = decodePacket(await reply);
    sock.close();
    expect(p.vtag).toBe(tag);
    expect(p.chunks[0]?.type).toBe(6); // ABORT
    expect((p.chunks[0]?.flags ?? 0) & 1).toBe(0); // T bit clear: the tag is the peer's own
  });

  it('gives every endpoint its own SCTP port in a reproducible sequence', async () => {
    const { target } = await setup({ firstSctpPort: 41000 });
    await target.beginCase('x');
    const a = await target.open('pu');
    const b = await target.open('peer', { passive: true });
    expect([a.port, b.port]).toEqual([41000, 41001]);
    await target.endCase();
  });
});

describe('network target: what it cannot offer SKIPs', () => {
  it('refuses passive endpoints without local=, and multicast in both directions, with CaseSkip', async () => {
    const t = new NetworkTarget({ host: '127.0.0.1', asapPort: 9, enrpPort: 9 });
    target = t;
    expect(t.describe().capabilities).toMatchObject({ acceptsIncoming: false, multicastListen: false, multicastSend: false, roles: ['pe', 'pu', 'peer'] });
    await expect(t.open('peer', { passive: true })).rejects.toBeInstanceOf(CaseSkip);
    await expect(t.receiveMulticast(10)).rejects.toBeInstanceOf(CaseSkip);
    await expect(t.multicast(presence(1, 0), {} as Endpoint)).rejects.toBeInstanceOf(CaseSkip);
    const noEnrp = new NetworkTarget({ host: '127.0.0.1', asapPort: 9 });
    expect(noEnrp.describe().capabilities.roles).toEqual(['pe', 'pu']);
    await expect(noEnrp.open('peer')).rejects.toBeInstanceOf(CaseSkip);
    await noEnrp.dispose();
  });
});
