/**
 * Classic pcap and pcapng containers, fed whole and in awkward chunk sizes, and the typed errors
 * for files that cannot be read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPTURE_ERR, CaptureError, LINKTYPE } from '../../src/capture/index.js';
import { decode, hex } from './decode-helpers.js';
import {
  be32,
  concat,
  dataChunk,
  epb,
  ethernet,
  idb,
  ipv4,
  le32,
  obsoletePacketBlock,
  pcapFile,
  pcapngBlock,
  rsMessage,
  sctpPacket,
  shb,
  spb,
  udp,
} from './frame-builders.js';

const msg = (type: number, tsn: number): Uint8Array => ipv4({ protocol: 132, payload: sctpPacket(5000, 3863, 0x01010101, [dataChunk({ tsn, data: rsMessage(type, 8) })]) });
const CHUNK_SIZES = [1, 3, 7, 64, 100_000];

describe('classic pcap', () => {
  it.each([
    ['little-endian µs', true, false],
    ['big-endian µs', false, false],
    ['little-endian ns', true, true],
    ['big-endian ns', false, true],
  ])('%s, in any chunking', (_name, littleEndian, nanos) => {
    const file = pcapFile(
      [
        { data: ethernet(msg(1, 1)), seconds: 1_167_955_200, fraction: nanos ? 123_456_789 : 123_456 },
        { data: ethernet(msg(2, 2)), seconds: 1_167_955_201, fraction: nanos ? 999_999_999 : 999_999 },
      ],
      { littleEndian, nanos },
    );
    for (const size of CHUNK_SIZES) {
      const d = decode(file, {}, size);
      expect(d.error).toBeUndefined();
      expect(d.summary!.format).toBe('pcap');
      expect(d.messages.map((m) => [m.frames, m.timestamp, m.bytes[0]])).toEqual([
        [[1], { seconds: 1_167_955_200, nanos: nanos ? 123_456_789 : 123_456_000 }, 1],
        [[2], { seconds: 1_167_955_201, nanos: nanos ? 999_999_999 : 999_999_000 }, 2],
      ]);
    }
  });

  it('carries a fraction field of a second or more into the seconds', () => {
    const d = decode(pcapFile([{ data: ethernet(msg(1, 1)), seconds: 10, fraction: 2_500_000 }]));
    expect(d.messages[0]!.timestamp).toEqual({ seconds: 12, nanos: 500_000_000 });
  });
});

describe('pcapng', () => {
  it('reads several sections of different byte order, per-interface link types and timestamp resolutions', () => {
    const le = true;
    const be = false;
    const section1 = concat(
      shb(le),
      idb(LINKTYPE.ethernet, le), // default resolution: µs
      idb(LINKTYPE.raw, le, { tsresol: 9 }), // ns
      pcapngBlock(4, new Uint8Array(8), le), // Name Resolution: skipped
      epb(0, 1_700_000_000_123_456n, ethernet(msg(1, 1)), le),
      epb(1, 1_700_000_001_000_000_007n, msg(2, 2), le),
      pcapngBlock(5, new Uint8Array(16), le), // Interface Statistics: skipped
    );
    const section2 = concat(
      shb(be),
      idb(LINKTYPE.raw, be, { tsresol: 0x80 | 10, tsoffset: 100n }), // 2^-10 s, +100 s
      pcapngBlock(0x00000bad, new Uint8Array(12), be), // Custom: skipped
      pcapngBlock(0x12345678, new Uint8Array(40), be), // unknown: skipped by length
      epb(0, (5n << 10n) + 512n, msg(3, 3), be), // 5.5 s
      spb(msg(4, 4), be),
      obsoletePacketBlock(0, 7n << 10n, msg(5, 5), be),
    );
    const file = concat(section1, section2);
    for (const size of CHUNK_SIZES) {
      const d = decode(file, {}, size);
      expect(d.error).toBeUndefined();
      expect(d.summary!.format).toBe('pcapng');
      expect(d.summary!.linkTypes).toEqual({ 1: 1, 101: 4 });
      expect(d.messages.map((m) => [m.frames[0], m.bytes[0], m.timestamp])).toEqual([
        [1, 1, { seconds: 1_700_000_000, nanos: 123_456_000 }],
        [2, 2, { seconds: 1_700_000_001, nanos: 7 }],
        [3, 3, { seconds: 105, nanos: 500_000_000 }],
        [4, 4, { seconds: 0, nanos: 0 }],
        [5, 5, { seconds: 107, nanos: 0 }],
      ]);
    }
  });

  it('skips a large unread block without buffering it', () => {
    const file = concat(shb(true), idb(LINKTYPE.raw, true), pcapngBlock(0x40000bad, new Uint8Array(5000), true), epb(0, 0n, msg(1, 1), true));
    const d = decode(file, { maxRecordBytes: 1024 }, 333);
    expect(d.error).toBeUndefined();
    expect(d.messages).toHaveLength(1);
  });

  it('reports input ending inside a skipped block at the block start', () => {
    const head = concat(shb(true), idb(LINKTYPE.raw, true));
    const file = concat(head, pcapngBlock(0x40000bad, new Uint8Array(5000), true)).subarray(0, head.length + 3000);
    for (const size of [100, 4096]) {
      expect(decode(file, { maxRecordBytes: 1024 }, size).error).toMatchObject({ code: 'RSP_ERR_CAPTURE_TRUNCATED', offset: head.length });
    }
  });

  it('cuts a Simple Packet to the interface snap length', () => {
    const frame = ipv4({ protocol: 17, payload: udp(3863, 3863, rsMessage(0x0a, 8)) });
    const d = decode(concat(shb(true), idb(LINKTYPE.raw, true, { snaplen: 30 }), spb(frame, true)));
    expect(d.summary!.truncatedRecords).toBe(1);
    expect(d.messages).toHaveLength(0);
  });
});

describe('unreadable input', () => {
  const good = pcapFile([{ data: ethernet(msg(1, 1)) }, { data: ethernet(msg(2, 2)) }]);
  const secondRecord = 24 + 16 + ethernet(msg(1, 1)).length;

  function errorOf(bytes: Uint8Array, options = {}, chunk?: number): CaptureError {
    const d = decode(bytes, options, chunk);
    expect(d.error).toBeInstanceOf(CaptureError);
    return d.error!;
  }

  it('zero-length input', () => {
    expect(errorOf(new Uint8Array(0))).toMatchObject({ code: CAPTURE_ERR.empty, offset: 0 });
  });

  it('not a capture', () => {
    expect(errorOf(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toMatchObject({ code: CAPTURE_ERR.unknownFormat, offset: 0 });
    expect(errorOf(new TextEncoder().encode('hello'))).toMatchObject({ code: CAPTURE_ERR.unknownFormat, offset: 0 });
    // pcapng-like start with a bad byte-order magic
    expect(errorOf(concat(be32(0x0a0d0d0a), be32(28), be32(0x11223344), new Uint8Array(16)))).toMatchObject({ code: CAPTURE_ERR.unknownFormat, offset: 8 });
  });

  it('cut inside the file header', () => {
    expect(errorOf(good.subarray(0, 3))).toMatchObject({ code: CAPTURE_ERR.truncated, offset: 0 });
    expect(errorOf(good.subarray(0, 20))).toMatchObject({ code: CAPTURE_ERR.truncated, offset: 0 });
  });

  it('cut inside a record: messages before it are delivered, the error names the record', () => {
    for (const [cut, chunk] of [
      [secondRecord + 5, 1000],
      [secondRecord + 30, 7],
    ] as const) {
      const bytes = good.subarray(0, cut);
      // Known size (a file): fails as soon as the length field overruns the input.
      const known = decode(bytes, { totalBytes: bytes.length }, chunk);
      // Unknown size (a pipe): fails at the end of input.
      const piped = decode(bytes, {}, chunk);
      for (const d of [known, piped]) {
        expect(d.error).toMatchObject({ code: CAPTURE_ERR.truncated, offset: secondRecord });
        expect(d.messages).toHaveLength(1);
      }
    }
  });

  it('a record length beyond any sane maximum', () => {
    const bad = good.slice();
    bad.set(le32(0x7fffffff), secondRecord + 8);
    expect(errorOf(bad)).toMatchObject({ code: CAPTURE_ERR.recordTooLarge, offset: secondRecord });
    expect(errorOf(bad, { totalBytes: bad.length })).toMatchObject({ code: CAPTURE_ERR.truncated, offset: secondRecord });
  });

  it('unsupported pcap and pcapng versions', () => {
    const v3 = good.slice();
    v3[4] = 3;
    expect(errorOf(v3)).toMatchObject({ code: CAPTURE_ERR.unsupportedVersion, offset: 4 });
    const ng = concat(shb(true), idb(1, true));
    ng[12] = 2;
    expect(errorOf(ng)).toMatchObject({ code: CAPTURE_ERR.unsupportedVersion, offset: 12 });
  });

  it('corrupt pcapng blocks', () => {
    const head = concat(shb(true), idb(LINKTYPE.raw, true));
    const block = epb(0, 0n, msg(1, 1), true);
    const trailer = block.slice();
    trailer.set(le32(1234), trailer.length - 4);
    expect(errorOf(concat(head, trailer))).toMatchObject({ code: CAPTURE_ERR.corrupt, offset: head.length + block.length - 4 });
    const odd = block.slice();
    odd.set(le32(block.length - 2), 4);
    expect(errorOf(concat(head, odd))).toMatchObject({ code: CAPTURE_ERR.corrupt, offset: head.length + 4 });
    expect(errorOf(concat(head, epb(3, 0n, msg(1, 1), true)))).toMatchObject({ code: CAPTURE_ERR.corrupt, offset: head.length + 8 });
    const capTooBig = block.slice();
    capTooBig.set(le32(5000), 20);
    expect(errorOf(concat(head, capTooBig))).toMatchObject({ code: CAPTURE_ERR.corrupt, offset: head.length + 20 });
    expect(errorOf(concat(idb(1, true), head))).toMatchObject({ code: CAPTURE_ERR.unknownFormat, offset: 0 });
  });

  it('never throws anything but CaptureError, whatever the bytes', () => {
    const ng = concat(shb(true), idb(LINKTYPE.ethernet, true), epb(0, 0n, ethernet(msg(1, 1)), true), epb(0, 0n, ethernet(msg(2, 2)), true));
    fc.assert(
      fc.property(
        fc.constantFrom(good, ng),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.nat({ max: 400 }),
        fc.integer({ min: 1, max: 97 }),
        (base, edits, cutFromEnd, chunk) => {
          const bytes = base.slice(0, Math.max(0, base.length - (cutFromEnd % 60)));
          for (const [at, value] of edits) if (bytes.length) bytes[at % bytes.length] = value;
          const d = decode(bytes, { maxRecordBytes: 1 << 16 }, chunk);
          expect(d.summary !== undefined || d.error !== undefined).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const d = decode(bytes);
        expect(d.summary !== undefined || d.error !== undefined).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the decoded frame through random payload corruption without internal errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 200 }), fc.constantFrom(0, 1, 101, 113, 276, 228, 229, 108), (payload, linkType) => {
        const d = decode(pcapFile([{ data: payload }], { linkType }));
        expect(d.error).toBeUndefined();
        expect(d.events.filter((e) => e.kind === 'malformed' && e.layer === 'internal')).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

it('hands out message bytes the caller owns, also when fed Node Buffers (whose slice() is a view)', () => {
  for (const file of [pcapFile([{ data: ethernet(msg(1, 1)) }]), Buffer.from(pcapFile([{ data: ethernet(msg(1, 1)) }]))]) {
    const d = decode(file);
    const before = hex(d.messages[0]!.bytes);
    file.fill(0);
    expect(hex(d.messages[0]!.bytes)).toBe(before);
    expect(d.messages[0]!.bytes.constructor).toBe(Uint8Array);
  }
});
