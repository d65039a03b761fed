import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryNetwork } from '../../src/transport/sctp/memory.js';
import type { Association, DownInfo, SctpMessage } from '../../src/transport/sctp/association.js';
import { SCTP_ERR, SctpError } from '../../src/transport/sctp/errors.js';
import { decodePacket, encodePacket } from '../../src/transport/sctp/packet.js';
import { CHUNK } from '../../src/transport/sctp/constants.js';
import { seededRandom } from '../../src/transport/sctp/random.js';

const FAST = { rto: { initial: 200, min: 100, max: 2000 }, heartbeatInterval: 1000 };

function pair(seed: number, conditions = {}, association = {}) {
  const net = new MemoryNetwork(seed, conditions);
  const server = net.attach('10.0.0.1', 9899, { association: { ...FAST, ...association } });
  const client = net.attach('10.0.0.2', 9899, { association: { ...FAST, ...association } });
  server.endpoint.listen(3863);
  const serverAssocs: Association[] = [];
  server.endpoint.on('up', (a) => serverAssocs.push(a));
  const c = client.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 3863 });
  return { net, server, client, c, serverAssocs };
}

function payload(rand: () => number, size: number, tag: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (rand() + tag) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, tag);
  return b;
}

/** Sends `count` messages each way as the buffers allow, returns what arrived. */
function exchange(net: MemoryNetwork, a: Association, b: Association, count: number, sizes: (i: number) => number, streams: number) {
  const rand = seededRandom(7);
  const sentAB: SctpMessage[] = [];
  const gotAB: SctpMessage[] = [];
  const sentBA: SctpMessage[] = [];
  const gotBA: SctpMessage[] = [];
  b.on('message', (m) => gotAB.push(m));
  a.on('message', (m) => gotBA.push(m));
  let ia = 0;
  let ib = 0;
  const pump = (from: Association, sent: SctpMessage[], i: number): number => {
    while (i < count) {
      const msg: SctpMessage = { streamId: i % streams, ppid: 1000 + i, bytes: payload(rand, sizes(i), i), unordered: false };
      try {
        from.send(msg.streamId, msg.ppid, msg.bytes);
      } catch (e) {
        if (e instanceof SctpError && e.code === SCTP_ERR.bufferFull) break;
        throw e;
      }
      sent.push(msg);
      i++;
    }
    return i;
  };
  const ok = net.runUntil(() => {
    ia = pump(a, sentAB, ia);
    ib = pump(b, sentBA, ib);
    return gotAB.length === count && gotBA.length === count;
  }, 3_600_000);
  return { ok, sentAB, gotAB, sentBA, gotBA };
}

function checkDelivery(sent: SctpMessage[], got: SctpMessage[]): void {
  expect(got.length).toBe(sent.length);
  // Per stream: exactly the sent sequence, in order, no loss, no duplicate.
  const byStream = (list: SctpMessage[]) => {
    const m = new Map<number, SctpMessage[]>();
    for (const x of list) m.set(x.streamId, [...(m.get(x.streamId) ?? []), x]);
    return m;
  };
  const s = byStream(sent);
  const g = byStream(got);
  for (const [sid, list] of s) {
    const other = g.get(sid) ?? [];
    expect(other.length).toBe(list.length);
    for (let i = 0; i < list.length; i++) {
      expect(other[i]!.ppid).toBe(list[i]!.ppid);
      expect(Buffer.from(other[i]!.bytes).equals(Buffer.from(list[i]!.bytes))).toBe(true);
    }
  }
}

describe('SCTP packet', () => {
  it('round-trips and checks the CRC32c', () => {
    const bytes = encodePacket({ srcPort: 1, dstPort: 2, vtag: 0xdeadbeef, chunks: [{ type: CHUNK.COOKIE_ACK, flags: 0, value: new Uint8Array(0) }, { type: 0x80, flags: 3, value: new Uint8Array([1, 2, 3]) }] });
    const p = decodePacket(bytes);
    expect(p.vtag).toBe(0xdeadbeef);
    expect(p.chunks.map((c) => c.type)).toEqual([CHUNK.COOKIE_ACK, 0x80]);
    expect([...p.chunks[1]!.value]).toEqual([1, 2, 3]);
    bytes[13] ^= 1;
    expect(() => decodePacket(bytes)).toThrow(SCTP_ERR.checksum);
  });
});

describe('SCTP association (in memory)', () => {
  it('sets up with the four-way handshake and tears down gracefully', () => {
    const { net, c, serverAssocs, client, server } = pair(1);
    const events: string[] = [];
    c.on('up', () => events.push('client up'));
    expect(net.runUntil(() => serverAssocs.length === 1 && c.state === 'established', 10_000)).toBe(true);
    expect(events).toEqual(['client up']);
    const s = serverAssocs[0]!;
    expect(s.peerTag).toBe(c.myTag);
    expect(c.peerTag).toBe(s.myTag);
    const downs: DownInfo[] = [];
    s.on('down', (d) => downs.push(d));
    c.on('down', (d) => downs.push(d));
    c.send(0, 11, new Uint8Array([1, 2, 3]));
    c.shutdown();
    const got: SctpMessage[] = [];
    s.on('message', (m) => got.push(m));
    expect(net.runUntil(() => downs.length === 2, 10_000)).toBe(true);
    expect(got).toHaveLength(1);
    expect(downs.map((d) => d.reason)).toEqual(['shutdown', 'shutdown']);
    expect(client.endpoint.associations()).toHaveLength(0);
    expect(server.endpoint.associations()).toHaveLength(0);
  });

  it('carries 300 messages of 1 B–64 KiB both ways on 5 streams', () => {
    const { net, c, serverAssocs } = pair(2);
    net.runUntil(() => serverAssocs.length === 1 && c.state === 'established', 10_000);
    const sizes = (i: number) => [1, 17, 1000, 1176, 1177, 5000, 65536][i % 7]!;
    const r = exchange(net, c, serverAssocs[0]!, 300, sizes, 5);
    expect(r.ok).toBe(true);
    checkDelivery(r.sentAB, r.gotAB);
    checkDelivery(r.sentBA, r.gotBA);
  });

  it('recovers from loss, duplication, reordering and corruption', () => {
    const { net, c, serverAssocs } = pair(3, { loss: 0.1, duplicate: 0.05, reorder: 0.1, corrupt: 0.01, jitter: 3 });
    expect(net.runUntil(() => serverAssocs.length === 1 && c.state === 'established', 60_000)).toBe(true);
    const sizes = (i: number) => [1, 300, 3000, 20000][i % 4]!;
    const r = exchange(net, c, serverAssocs[0]!, 200, sizes, 4);
    expect(r.ok).toBe(true);
    checkDelivery(r.sentAB, r.gotAB);
    checkDelivery(r.sentBA, r.gotBA);
    expect(c.stats.retransmissions + serverAssocs[0]!.stats.retransmissions).toBeGreaterThan(0);
    expect(c.stats.fastRetransmits + serverAssocs[0]!.stats.fastRetransmits).toBeGreaterThan(0);
    expect(c.stats.duplicateTsnsReceived + serverAssocs[0]!.stats.duplicateTsnsReceived).toBeGreaterThan(0);
  });

  it('delivers unordered messages and keeps PPIDs', () => {
    const { net, c, serverAssocs } = pair(4, { jitter: 20 });
    net.runUntil(() => serverAssocs.length === 1, 10_000);
    const got: SctpMessage[] = [];
    serverAssocs[0]!.on('message', (m) => got.push(m));
    for (let i = 0; i < 50; i++) c.send(1, i, new Uint8Array([i]), { unordered: true });
    net.runUntil(() => got.length === 50, 10_000);
    expect(got.every((m) => m.unordered && m.bytes[0] === m.ppid)).toBe(true);
    expect(new Set(got.map((m) => m.ppid)).size).toBe(50);
  });

  it('reports ABORT to the peer', () => {
    const { net, c, serverAssocs } = pair(5);
    net.runUntil(() => serverAssocs.length === 1, 10_000);
    const downs: DownInfo[] = [];
    serverAssocs[0]!.on('down', (d) => downs.push(d));
    c.abort('testing');
    net.runUntil(() => downs.length === 1, 10_000);
    expect(downs[0]!.reason).toBe('peerAbort');
    expect(downs[0]!.detail).toContain('testing');
  });

  it('resolves an INIT collision into one association per side', () => {
    const net = new MemoryNetwork(6, { latency: 10 });
    const a = net.attach('10.0.0.1', 9899, { association: FAST });
    const b = net.attach('10.0.0.2', 9899, { association: FAST });
    a.endpoint.listen(5000);
    b.endpoint.listen(5000);
    const x = a.endpoint.connect({ address: '10.0.0.2', udpPort: 9899, sctpPort: 5000, localPort: 5000 });
    const y = b.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 5000, localPort: 5000 });
    expect(net.runUntil(() => x.state === 'established' && y.state === 'established', 10_000)).toBe(true);
    net.runFor(1000);
    expect(x.peerTag).toBe(y.myTag);
    expect(y.peerTag).toBe(x.myTag);
    expect(a.endpoint.associations()).toHaveLength(1);
    const got: SctpMessage[] = [];
    y.on('message', (m) => got.push(m));
    x.send(0, 1, new Uint8Array(5000));
    net.runUntil(() => got.length === 1, 10_000);
    expect(got[0]!.bytes.length).toBe(5000);
  });

  it('detects a peer restart (RFC 9260 §5.2.4 case A)', async () => {
    const net = new MemoryNetwork(7);
    const server = net.attach('10.0.0.1', 9899, { association: FAST });
    server.endpoint.listen(3863);
    let first = net.attach('10.0.0.2', 9899, { association: FAST });
    const c1 = first.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 3863, localPort: 4000 });
    net.runUntil(() => c1.state === 'established', 10_000);
    const restarts: number[] = [];
    server.endpoint.on('restart', (a) => restarts.push(a.id));
    // The client "crashes": its endpoint disappears without a word, a new one takes its place.
    first.endpoint.output = () => undefined;
    await first.close();
    first = net.attach('10.0.0.2', 9899, { association: FAST, random: seededRandom(99) });
    const c2 = first.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 3863, localPort: 4000 });
    expect(net.runUntil(() => c2.state === 'established', 10_000)).toBe(true);
    expect(restarts).toHaveLength(1);
    expect(server.endpoint.associations()).toHaveLength(1);
  });

  it('declares an unreachable peer down and times out a connect', () => {
    const { net, c, serverAssocs } = pair(8);
    net.runUntil(() => serverAssocs.length === 1, 10_000);
    const downs: DownInfo[] = [];
    c.on('down', (d) => downs.push(d));
    net.conditions.loss = 0.999999;
    c.send(0, 1, new Uint8Array(10));
    expect(net.runUntil(() => downs.length === 1, 3_600_000)).toBe(true);
    expect(downs[0]!.reason).toBe('timeout');

    const lonely = new MemoryNetwork(9);
    const t = lonely.attach('10.0.0.3', 9899, { association: FAST });
    const a = t.endpoint.connect({ address: '10.9.9.9', udpPort: 9899, sctpPort: 1 });
    const d2: DownInfo[] = [];
    a.on('down', (d) => d2.push(d));
    expect(lonely.runUntil(() => d2.length === 1, 3_600_000)).toBe(true);
    expect(d2[0]!.reason).toBe('timeout');
  });

  it('refuses bad sends and associations beyond the limit with typed errors', () => {
    const { net, c, serverAssocs } = pair(10, {}, { maxBufferedBytes: 10_000, maxMessageSize: 8000, outboundStreams: 4 });
    net.runUntil(() => serverAssocs.length === 1, 10_000);
    const code = (f: () => void): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof SctpError ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => c.send(4, 0, new Uint8Array(1)))).toBe(SCTP_ERR.invalidStream);
    expect(code(() => c.send(0, 0, new Uint8Array(0)))).toBe(SCTP_ERR.emptyMessage);
    expect(code(() => c.send(0, 0, new Uint8Array(9000)))).toBe(SCTP_ERR.messageTooLarge);
    c.send(0, 0, new Uint8Array(8000));
    expect(code(() => c.send(0, 0, new Uint8Array(8000)))).toBe(SCTP_ERR.bufferFull);
    let drained = false;
    c.on('drain', () => (drained = true));
    net.runUntil(() => drained, 10_000);
    expect(c.bufferedBytes).toBeLessThanOrEqual(5000);
    net.runUntil(() => c.bufferedBytes === 0, 10_000);
    expect(c.bufferedBytes).toBe(0);

    const net2 = new MemoryNetwork(11);
    const srv = net2.attach('10.0.0.1', 9899, { maxAssociations: 1, association: FAST });
    srv.endpoint.listen(1);
    const cl = net2.attach('10.0.0.2', 9899, { association: FAST });
    const a1 = cl.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 1 });
    net2.runUntil(() => a1.state === 'established', 10_000);
    const a2 = cl.endpoint.connect({ address: '10.0.0.1', udpPort: 9899, sctpPort: 1 });
    const d: DownInfo[] = [];
    a2.on('down', (x) => d.push(x));
    net2.runUntil(() => d.length === 1, 10_000);
    expect(d[0]!.reason).toBe('peerAbort');
    expect(srv.endpoint.stats.associationsRefused).toBe(1);
    expect(code(() => srv.endpoint.connect({ address: '10.0.0.2', udpPort: 9899, sctpPort: 7 }))).toBe(SCTP_ERR.tooManyAssociations);
  });

  it('keeps idle associations alive with heartbeats', () => {
    const { net, c, serverAssocs } = pair(12);
    net.runUntil(() => serverAssocs.length === 1, 10_000);
    net.runFor(20_000);
    expect(c.state).toBe('established');
    expect(c.stats.heartbeatsSent).toBeGreaterThan(5);
    expect(c.transmission.srtt).toBeGreaterThan(0);
  });

  it('property: any sizes and conditions deliver everything exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (seed, sizes, loss) => {
          const { net, c, serverAssocs } = pair(seed, { loss, duplicate: loss / 2, reorder: loss, jitter: 2 });
          if (!net.runUntil(() => serverAssocs.length === 1 && c.state === 'established', 600_000)) return false;
          const r = exchange(net, c, serverAssocs[0]!, sizes.length, (i) => sizes[i]!, 3);
          checkDelivery(r.sentAB, r.gotAB);
          checkDelivery(r.sentBA, r.gotBA);
          return r.ok;
        },
      ),
      { numRuns: 15, seed: 42 },
    );
  });
});
