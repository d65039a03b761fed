/**
 * The capture writer (`src/capture/write/`): containers and timestamps read back by our reader,
 * checksums of every layer, IP fragmentation, DATA / I-DATA fragmentation and the association
 * script's bookkeeping, and determinism.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINKTYPE, SCTP_CHUNK, readCaptureStream, verifySctpChecksum, type CaptureItem, type CapturedMessage } from '../../src/capture/index.js';
import {
  CaptureClock,
  CaptureInterface,
  FileSink,
  MemorySink,
  SctpAssociation,
  dataChunk,
  iDataChunk,
  internetChecksum,
  ipv4Fragments,
  ipv6Fragments,
  openCaptureWriter,
  parseIpAddress,
  sctpPacket,
  udpDatagram,
  type CaptureFileSpec,
} from '../../src/capture/write/index.js';

const T0 = { seconds: 1_700_000_000, nanos: 123_456_789 };

async function readBack(bytes: Uint8Array): Promise<CaptureItem[]> {
  const items: CaptureItem[] = [];
  async function* one() {
    yield bytes;
  }
  for await (const item of readCaptureStream(one())) items.push(item);
  return items;
}
const messagesOf = (items: CaptureItem[]) => items.filter((i): i is CapturedMessage => i.kind === 'message');

/** A tiny capture: one association on one interface, built into memory. */
function scripted(spec: CaptureFileSpec, assoc: (iface: CaptureInterface) => void, mtu = 1500): Uint8Array {
  const sink = new MemorySink();
  const w = openCaptureWriter(sink, spec);
  assoc(new CaptureInterface(w, new CaptureClock(T0), { seed: 9, mtu }));
  w.close();
  return sink.bytes();
}

const v4 = { client: { addresses: ['192.0.2.1'], port: 40000 }, server: { addresses: ['192.0.2.2'], port: 3863 } };
const v6 = { client: { addresses: ['2001:db8::1'], port: 40000 }, server: { addresses: ['2001:db8::2'], port: 3863 } };
const message = (n: number, fill = 0x5a) => {
  const b = new Uint8Array(n).fill(fill);
  b[0] = 0x0b; // ASAP Cookie header, so the bytes look like a message
  b[2] = n >> 8;
  b[3] = n & 0xff;
  return b;
};

describe('containers', () => {
  it.each([
    ['pcap µs', { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }] }, 123_456_000],
    ['pcap ns', { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet, tsresol: 9 }] }, 123_456_789],
    ['pcapng µs', { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.linuxSll2 }] }, 123_456_000],
    ['pcapng ns', { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.raw, tsresol: 9, name: 'x' }], application: 'test' }, 123_456_789],
  ] as const)('%s: the reader gets the frames, link type and timestamps back', async (_, spec, nanos) => {
    const bytes = scripted(spec, (iface) => new SctpAssociation(iface, { ...v4, seed: 1 }).send('client', { ppid: 11, bytes: message(40) }));
    const items = await readBack(bytes);
    const [m] = messagesOf(items);
    expect(m?.bytes).toEqual(message(40));
    // INIT, INIT ACK, COOKIE ECHO, COOKIE ACK, then the DATA: the fifth frame, 4 × 20 µs later.
    expect(m?.frames).toEqual([5]);
    expect(m?.timestamp).toEqual({ seconds: T0.seconds, nanos: nanos + 80_000 });
    const summary = items.at(-1);
    expect(summary?.kind === 'summary' && summary.summary.linkTypes).toEqual({ [spec.interfaces[0].linkType]: 5 });
  });

  it('a pcapng file holds several interfaces with their own link types', async () => {
    const sink = new MemorySink();
    const w = openCaptureWriter(sink, { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.ethernet }, { linkType: LINKTYPE.ipv6 }] });
    const clock = new CaptureClock(T0);
    new SctpAssociation(new CaptureInterface(w, clock, { seed: 1 }), { ...v4, seed: 2 }).send('client', { ppid: 11, bytes: message(8) });
    new SctpAssociation(new CaptureInterface(w, clock, { seed: 1, index: 1 }), { ...v6, seed: 3 }).send('client', { ppid: 12, bytes: message(8) });
    w.close();
    const items = await readBack(sink.bytes());
    expect(messagesOf(items).map((m) => [m.src, m.protocol])).toEqual([
      ['192.0.2.1', 'asap'],
      ['2001:db8::1', 'enrp'],
    ]);
    const summary = items.at(-1);
    expect(summary?.kind === 'summary' && summary.summary.linkTypes).toEqual({ [LINKTYPE.ethernet]: 5, [LINKTYPE.ipv6]: 5 });
  });

  it('pcap has exactly one interface', () => {
    expect(() => openCaptureWriter(new MemorySink(), { format: 'pcap', interfaces: [] })).toThrow(RangeError);
  });

  it('FileSink writes what MemorySink collects, through a small buffer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-writer-'));
    try {
      const build = (sink: MemorySink | FileSink) => {
        const w = openCaptureWriter(sink, { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.ethernet }] });
        const a = new SctpAssociation(new CaptureInterface(w, new CaptureClock(T0), { seed: 4 }), { ...v4, seed: 5 });
        a.send('client', { ppid: 11, bytes: message(5000) });
        a.shutdown();
        w.close();
      };
      const mem = new MemorySink();
      build(mem);
      build(new FileSink(join(dir, 'x.pcapng'), 100));
      expect(readFileSync(join(dir, 'x.pcapng'))).toEqual(Buffer.from(mem.bytes()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('IP and UDP', () => {
  const src4 = parseIpAddress('192.0.2.1').bytes;
  const dst4 = parseIpAddress('192.0.2.2').bytes;
  const src6 = parseIpAddress('2001:db8::1').bytes;
  const dst6 = parseIpAddress('2001:db8::2').bytes;

  it('parses IPv6 text forms', () => {
    expect([...parseIpAddress('::ffff:192.0.2.1').bytes.slice(10)]).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect([...parseIpAddress('ff05::5e:50').bytes]).toEqual([0xff, 0x05, ...new Array<number>(11).fill(0), 0x5e, 0, 0x50]);
    for (const bad of ['1.2.3', '1::2::3', '01.2.3.4', '1:2:3:4:5:6:7:8:9', 'x']) expect(() => parseIpAddress(bad), bad).toThrow(RangeError);
  });

  it('IPv4 fragments: valid header checksums, offsets in 8-octet units, MF on all but the last', () => {
    const payload = new Uint8Array(3000).map((_, i) => i & 0xff);
    const frags = ipv4Fragments({ src: src4, dst: dst4, protocol: 132, id: 0x1234 }, payload, 1500);
    expect(frags.map((f) => f.length)).toEqual([1500, 1500, 60]);
    let joined: number[] = [];
    for (const [i, f] of frags.entries()) {
      expect(internetChecksum(f, 0, 20)).toBe(0);
      const word = (f[6]! << 8) | f[7]!;
      expect(word & 0x2000 ? 1 : 0).toBe(i < 2 ? 1 : 0);
      expect((word & 0x1fff) * 8).toBe(joined.length);
      joined = joined.concat([...f.subarray(20)]);
    }
    expect(joined).toEqual([...payload]);
  });

  it('IPv6 fragments carry a Fragment header with one identification', () => {
    const frags = ipv6Fragments({ src: src6, dst: dst6, nextHeader: 132 }, new Uint8Array(3000), 1280, 0xabcdef01);
    expect(frags.length).toBe(3);
    for (const f of frags) {
      expect(f[6]).toBe(44);
      expect(f[40]).toBe(132);
      expect([...f.subarray(44, 48)]).toEqual([0xab, 0xcd, 0xef, 0x01]);
    }
  });

  it('UDP checksums verify over the pseudo-header (IPv4 and IPv6); IPv4 may send 0', () => {
    for (const [s, d] of [
      [src4, dst4],
      [src6, dst6],
    ] as const) {
      const u = udpDatagram({ srcPort: 3863, dstPort: 3863, payload: Uint8Array.of(1, 2, 3), src: s, dst: d });
      const pseudo = new Uint8Array([...s, ...d, 0, 17, 0, u.length]);
      expect(internetChecksum(new Uint8Array([...pseudo, ...u]))).toBe(0);
    }
    expect(udpDatagram({ srcPort: 1, dstPort: 2, payload: new Uint8Array(4), src: src4, dst: dst4, zeroChecksum: true }).subarray(6, 8)).toEqual(new Uint8Array(2));
    expect(() => udpDatagram({ srcPort: 1, dstPort: 2, payload: new Uint8Array(4), src: src6, dst: dst6, zeroChecksum: true })).toThrow(RangeError);
  });
});

describe('SCTP', () => {
  it('packets carry a valid CRC32c', () => {
    const p = sctpPacket({ srcPort: 1, dstPort: 2, verificationTag: 3 }, [dataChunk({ tsn: 1, streamId: 0, ssn: 0, ppid: 11, data: message(9), begin: true, end: true })]);
    expect(verifySctpChecksum(p)).toBe(true);
  });

  it('I-DATA puts the PPID in the first fragment and the FSN in the others', () => {
    const first = iDataChunk({ tsn: 7, streamId: 2, mid: 5, ppid: 11, fsn: 0, data: message(8), begin: true, end: false });
    const next = iDataChunk({ tsn: 8, streamId: 2, mid: 5, ppid: 11, fsn: 1, data: message(8), begin: false, end: true });
    expect(first[0]).toBe(SCTP_CHUNK.iData);
    expect([first[1], next[1]]).toEqual([0x02, 0x01]);
    expect([...first.subarray(16, 20)]).toEqual([0, 0, 0, 11]);
    expect([...next.subarray(16, 20)]).toEqual([0, 0, 0, 1]);
  });

  it.each([
    ['DATA over IPv4', { ...v4 }],
    ['I-DATA over IPv6', { ...v6, iData: true }],
    ['DATA over UDP', { ...v4, overUdp: true }],
    ['DATA, IP-fragmented', { ...v4, pathMtu: 9000 }],
  ])('%s: large messages are rebuilt, small ones bundled', async (_, options) => {
    const big = message(7000, 0x33);
    const bytes = scripted({ format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }] }, (iface) => {
      const a = new SctpAssociation(iface, { ...options, seed: 11 });
      a.send('client', [
        { ppid: 11, bytes: message(20) },
        { ppid: 11, bytes: message(24) },
      ]);
      a.send('server', { ppid: 11, bytes: big });
      a.shutdown();
    });
    const items = await readBack(bytes);
    const ms = messagesOf(items);
    expect(ms.map((m) => m.bytes.length)).toEqual([20, 24, 7000]);
    expect(ms[0]!.frames).toEqual(ms[1]!.frames);
    expect(ms[2]!.bytes).toEqual(big);
    expect(ms[2]!.frames.length).toBeGreaterThan(1);
    expect(ms.every((m) => m.checksumOk)).toBe(true);
    const summary = items.at(-1);
    if (summary?.kind !== 'summary') throw new Error('no summary');
    expect(summary.summary.checksumFailures).toBe(0);
    expect(summary.summary.associations).toBe(1);
    expect(summary.summary.duplicateChunks).toBe(0);
  });

  it('stream sequence numbers count per stream; TSNs are consecutive; tags come from the seed', () => {
    const run = (seed: number) =>
      scripted({ format: 'pcap', interfaces: [{ linkType: LINKTYPE.raw }] }, (iface) => {
        const a = new SctpAssociation(iface, { ...v4, seed });
        a.send('client', [
          { ppid: 11, bytes: message(8), streamId: 1 },
          { ppid: 11, bytes: message(12), streamId: 1 },
          { ppid: 11, bytes: message(16), streamId: 2 },
        ]);
      });
    const bytes = run(21);
    expect(run(21)).toEqual(bytes);
    expect(run(22)).not.toEqual(bytes);
    // The DATA packet is the fifth record: 24 + 4 × (16 + packet) … find its chunks by walking.
    let at = 24;
    const records: Uint8Array[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    while (at < bytes.length) {
      const len = view.getUint32(at + 8, true);
      records.push(bytes.subarray(at + 16, at + 16 + len));
      at += 16 + len;
    }
    const sctp = records[4]!.subarray(20);
    const chunks: { tsn: number; sid: number; ssn: number }[] = [];
    for (let o = 12; o < sctp.length; ) {
      const len = (sctp[o + 2]! << 8) | sctp[o + 3]!;
      const dv = new DataView(sctp.buffer, sctp.byteOffset + o);
      chunks.push({ tsn: dv.getUint32(4), sid: dv.getUint16(8), ssn: dv.getUint16(10) });
      o += (len + 3) & ~3;
    }
    expect(chunks.map((c) => [c.sid, c.ssn])).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
    expect(chunks[1]!.tsn).toBe((chunks[0]!.tsn + 1) >>> 0);
    expect(chunks[2]!.tsn).toBe((chunks[0]!.tsn + 2) >>> 0);
  });
});
