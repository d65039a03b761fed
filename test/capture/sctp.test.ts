/**
 * SCTP: checksum reporting, bundling, DATA and I-DATA reassembly, associations, PPID rules.
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE } from '../../src/capture/index.js';
import { decode, eventsOf, hex } from './decode-helpers.js';
import { chunk, concat, dataChunk, iDataChunk, initAckChunk, ipv4, pcapFile, rsMessage, sackChunk, sctpPacket, udp } from './frame-builders.js';

const B = 0x02;
const E = 0x01;
const U = 0x04;

/** One raw-IPv4 frame per SCTP packet, A (10.0.0.1:5000) → B (10.0.0.2:3863) unless `reverse`. */
function frames(packets: Uint8Array[], reverse: boolean[] = []): Uint8Array {
  return pcapFile(
    packets.map((p, i) => ({
      data: reverse[i] ? ipv4({ protocol: 132, payload: p, src: '10.0.0.2', dst: '10.0.0.1' }) : ipv4({ protocol: 132, payload: p }),
      seconds: 1000 + i,
      fraction: i,
    })),
    { linkType: LINKTYPE.raw },
  );
}

const TAG_B = 0xb0b0b0b0;
const TAG_A = 0xa0a0a0a0;
const toB = (chunks: Uint8Array[], opts?: { badChecksum?: boolean }): Uint8Array => sctpPacket(5000, 3863, TAG_B, chunks, opts);
const toA = (chunks: Uint8Array[]): Uint8Array => sctpPacket(3863, 5000, TAG_A, chunks);

describe('SCTP checksum', () => {
  it('reports a bad CRC32c and still produces the message, flagged', () => {
    const d = decode(frames([toB([dataChunk({ tsn: 1, data: rsMessage(1, 8) })], { badChecksum: true })]));
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]!.checksumOk).toBe(false);
    const ev = eventsOf(d, 'sctp-checksum');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ frames: [1], zero: false });
    expect(ev[0]!.stored).not.toBe(ev[0]!.computed);
    expect(d.summary).toMatchObject({ sctpPackets: 1, checksumFailures: 1, checksumZero: 0 });
  });

  it('names a zero checksum (offload on the capturing host)', () => {
    const p = toB([dataChunk({ tsn: 1, data: rsMessage(1, 8) })]);
    p.fill(0, 8, 12);
    const d = decode(frames([p]));
    expect(eventsOf(d, 'sctp-checksum')[0]!.zero).toBe(true);
    expect(d.summary!.checksumZero).toBe(1);
  });
});

describe('SCTP chunks', () => {
  it('processes every chunk of a bundle, in order', () => {
    const a1 = rsMessage(0x05, 12, 1);
    const e1 = rsMessage(0x04, 20, 2);
    const a2 = rsMessage(0x07, 8, 3);
    const d = decode(
      frames([toB([sackChunk(9), dataChunk({ tsn: 1, data: a1, ppid: 11 }), dataChunk({ tsn: 2, data: e1, ppid: 12, sid: 3, ssn: 0 }), dataChunk({ tsn: 3, data: a2, ppid: 0xfaeeb5d1 })])]),
    );
    expect(d.messages.map((m) => [m.protocol, m.ppid, m.streamId, hex(m.bytes)])).toEqual([
      ['asap', 11, 0, hex(a1)],
      ['enrp', 12, 3, hex(e1)],
      ['asap', 0xfaeeb5d1, 0, hex(a2)],
    ]);
    expect(d.summary!.chunkTypes).toEqual({ SACK: 1, DATA: 3 });
  });

  it('counts other PPIDs and control-only packets without producing messages', () => {
    const d = decode(frames([toB([dataChunk({ tsn: 1, data: rsMessage(1, 8), ppid: 0x29097603 })]), toA([sackChunk(1)])]), { skipEvents: true });
    expect(d.messages).toHaveLength(0);
    expect(d.summary!.otherPpids).toEqual({ [0x29097603]: 1 });
    expect(d.summary!.skippedFrames['sctp-no-user-data']).toBe(1);
    expect(eventsOf(d, 'skipped-message')[0]).toMatchObject({ ppid: 0x29097603, frames: [1] });
  });

  it('uses ports 3863/9901 for unknown PPIDs only when the heuristic is on', () => {
    const packets = [toB([dataChunk({ tsn: 1, data: rsMessage(1, 8), ppid: 0 })])];
    expect(decode(frames(packets)).messages).toHaveLength(0);
    const d = decode(frames(packets), { portHeuristic: true });
    expect(d.messages[0]).toMatchObject({ protocol: 'asap', classifiedBy: 'port', ppid: 0 });
  });

  it('honours the action bits of unknown chunk types', () => {
    const msg = dataChunk({ tsn: 1, data: rsMessage(1, 8) });
    const skipIt = chunk(0xc5, 0, new Uint8Array(4)); // 11: skip and report
    const stopAtIt = chunk(0x25, 0, new Uint8Array(4)); // 00: stop processing the packet
    const d1 = decode(frames([toB([skipIt, msg])]));
    expect(d1.messages).toHaveLength(1);
    expect(d1.summary!.chunkTypes['UNKNOWN(0xc5)']).toBe(1);
    const d2 = decode(frames([toB([stopAtIt, msg])]));
    expect(d2.messages).toHaveLength(0);
    expect(eventsOf(d2, 'malformed')[0]!.detail).toMatch(/unknown chunk type 37/);
  });

  it('reports chunks with impossible lengths and DATA without user data', () => {
    const shortLen = concat(Uint8Array.of(3, 0, 0, 2), new Uint8Array(4));
    const overrun = concat(Uint8Array.of(0, 3, 0, 200), new Uint8Array(12));
    const empty = chunk(0, 3, new Uint8Array(12));
    const d = decode(frames([toB([shortLen]), toB([overrun]), toB([empty]), sctpPacket(1, 2, 3, []).subarray(0, 10)]));
    expect(d.messages).toHaveLength(0);
    expect(eventsOf(d, 'malformed').map((e) => e.detail)).toEqual([
      expect.stringMatching(/chunk length 2 below 4/),
      expect.stringMatching(/overruns the packet/),
      expect.stringMatching(/carries no user data/),
      expect.stringMatching(/shorter than the common header/),
    ]);
  });
});

describe('DATA reassembly', () => {
  const whole = rsMessage(0x03, 300, 0x77);
  const parts = [whole.subarray(0, 100), whole.subarray(100, 200), whole.subarray(200)];
  const frag = (i: number, tsn = 10 + i): Uint8Array =>
    dataChunk({ tsn, data: parts[i]!, ppid: 12, ssn: 4, flags: (i === 0 ? B : 0) | (i === 2 ? E : 0) });

  it('rebuilds a message from B, middle and E chunks arriving out of order and duplicated', () => {
    const d = decode(frames([toB([frag(2)]), toB([frag(0)]), toB([frag(2)]), toB([frag(1)]), toB([frag(1)])]), { skipEvents: true });
    expect(d.messages).toHaveLength(1);
    const m = d.messages[0]!;
    expect(hex(m.bytes)).toBe(hex(whole));
    expect(m.frames).toEqual([1, 2, 4]);
    expect(m.timestamp).toEqual({ seconds: 1003, nanos: 3000 });
    expect(m.protocol).toBe('enrp');
    expect(d.summary!.duplicateChunks).toBe(2);
    expect(eventsOf(d, 'duplicate-chunk').map((e) => e.tsn)).toEqual([12, 11]);
  });

  it('keeps neighbouring messages apart and reports one with a missing fragment', () => {
    const other = rsMessage(0x01, 40, 0x11);
    const d = decode(
      frames([toB([dataChunk({ tsn: 9, data: other, ppid: 12, ssn: 3 }), frag(0)]), toB([frag(2), dataChunk({ tsn: 13, data: other, ppid: 12, ssn: 5 })])]),
    );
    expect(d.messages.map((m) => m.bytes.length)).toEqual([40, 40]);
    const inc = eventsOf(d, 'incomplete-message');
    expect(inc).toHaveLength(2); // TSN 10 (B) and TSN 12 (E) cannot join without TSN 11
    expect(inc.every((e) => e.reason === 'missing-fragments' && e.chunkType === 'DATA')).toBe(true);
    expect(d.summary!.incompleteMessages).toBe(2);
  });

  it('refuses to join fragments of different streams', () => {
    const odd = dataChunk({ tsn: 11, data: parts[1]!, ppid: 12, ssn: 4, sid: 9, flags: 0 });
    const d = decode(frames([toB([frag(0), odd, frag(2)])]));
    expect(d.messages).toHaveLength(0);
    expect(eventsOf(d, 'incomplete-message')[0]!.reason).toBe('inconsistent');
  });

  it('rebuilds unordered messages and messages across the TSN wrap', () => {
    const wrapped = [0, 1, 2].map((i) => dataChunk({ tsn: (0xffffffff + i) >>> 0, data: parts[i]!, ppid: 12, flags: U | (i === 0 ? B : 0) | (i === 2 ? E : 0) }));
    const d = decode(frames([toB([wrapped[1]!, wrapped[2]!]), toB([wrapped[0]!])]));
    expect(d.messages).toHaveLength(1);
    expect(hex(d.messages[0]!.bytes)).toBe(hex(whole));
  });

  it('keeps directions and associations apart', () => {
    const d = decode(
      frames(
        [
          toB([frag(0)]),
          toA([dataChunk({ tsn: 11, data: parts[1]!, ppid: 12, ssn: 4, flags: 0 })]), // same TSN, other direction
          sctpPacket(5000, 3863, 0x12345678, [dataChunk({ tsn: 11, data: parts[1]!, ppid: 12, ssn: 4, flags: 0 })]), // other association
          toB([frag(1), frag(2)]),
        ],
        [false, true, false, false],
      ),
    );
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]!.frames).toEqual([1, 4]);
  });

  it('gives up the oldest unfinished message when the caps are reached', () => {
    const d = decode(frames([toB([frag(0)]), toB([dataChunk({ tsn: 50, data: parts[0]!, ppid: 12, flags: B })]), toB([frag(1), frag(2)])]), {
      sctpLimits: { maxFragments: 2 },
    });
    // TSN 11 joins TSN 10 into a run of two, the third fragment held: that oldest run goes.
    expect(eventsOf(d, 'incomplete-message')[0]).toMatchObject({ reason: 'evicted', frames: [1, 3] });
    expect(d.messages).toHaveLength(0);
  });
});

describe('I-DATA reassembly', () => {
  const whole = rsMessage(0x06, 240, 0x42);
  const parts = [whole.subarray(0, 80), whole.subarray(80, 160), whole.subarray(160)];
  const ifrag = (fsn: number, tsn: number, mid = 7): Uint8Array =>
    iDataChunk({ tsn, mid, data: parts[fsn]!, flags: (fsn === 0 ? B : 0) | (fsn === 2 ? E : 0), ppidOrFsn: fsn === 0 ? 11 : fsn, sid: 2 });

  it('orders fragments by FSN and takes the PPID from the B fragment', () => {
    const d = decode(frames([toB([ifrag(2, 102)]), toB([ifrag(1, 101)]), toB([ifrag(1, 101)]), toB([ifrag(0, 100)])]));
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]).toMatchObject({ protocol: 'asap', ppid: 11, streamId: 2, frames: [1, 2, 4] });
    expect(hex(d.messages[0]!.bytes)).toBe(hex(whole));
    expect(d.summary!.chunkTypes['I-DATA']).toBe(4);
    expect(d.summary!.duplicateChunks).toBe(1);
  });

  it('interleaves messages by MID and reports an unfinished one', () => {
    const d = decode(frames([toB([ifrag(0, 1, 1), ifrag(0, 2, 2)]), toB([ifrag(1, 3, 1), ifrag(2, 4, 1)]), toB([ifrag(2, 5, 2)])]));
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]!.frames).toEqual([1, 2]);
    const inc = eventsOf(d, 'incomplete-message');
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatchObject({ chunkType: 'I-DATA', streamId: 2, frames: [1, 3] });
  });

  it('drops the rest of a message whose B fragment has another PPID', () => {
    const b = iDataChunk({ tsn: 1, mid: 3, data: parts[0]!, flags: B, ppidOrFsn: 99 });
    const e = iDataChunk({ tsn: 2, mid: 3, data: parts[1]!, flags: E, ppidOrFsn: 1 });
    const d = decode(frames([toB([b]), toB([e])]));
    expect(d.messages).toHaveLength(0);
    expect(d.summary!.otherPpids).toEqual({ 99: 1 });
    expect(d.summary!.incompleteMessages).toBe(0);
  });
});

describe('associations', () => {
  it('names both directions of a handshake alike, whatever the addresses (multi-homing)', () => {
    const initAck = sctpPacket(3863, 5000, TAG_A, [initAckChunk(TAG_B)]);
    const d = decode(
      pcapFile(
        [
          { data: ipv4({ protocol: 132, payload: initAck, src: '10.0.0.2', dst: '10.0.0.1' }) },
          { data: ipv4({ protocol: 132, payload: toB([dataChunk({ tsn: 1, data: rsMessage(1, 8) })]) }) },
          { data: ipv4({ protocol: 132, payload: toA([dataChunk({ tsn: 1, data: rsMessage(3, 8) })]), src: '192.168.0.2', dst: '192.168.0.1' }) },
        ],
        { linkType: LINKTYPE.raw },
      ),
    );
    // Each side shows the tag that endpoint chose: the one packets towards it carry.
    expect(d.messages.map((m) => m.association)).toEqual(['3863:b0b0b0b0-5000:a0a0a0a0', '3863:b0b0b0b0-5000:a0a0a0a0']);
    expect(d.summary!.associations).toBe(1);
  });

  it('pairs directions without a handshake by reversed ports and addresses, and keeps the first name', () => {
    const d = decode(frames([toB([dataChunk({ tsn: 1, data: rsMessage(1, 8) })]), toA([dataChunk({ tsn: 1, data: rsMessage(3, 8) })])], [false, true]));
    expect(d.messages.map((m) => m.association)).toEqual(['3863:b0b0b0b0-5000:????????', '3863:b0b0b0b0-5000:????????']);
  });

  it('does not register INIT (tag 0) or T-bit packets as directions', () => {
    const init = sctpPacket(5000, 3863, 0, [chunk(1, 0, new Uint8Array(16))]);
    const abortT = sctpPacket(3863, 5000, TAG_B, [chunk(6, 1, new Uint8Array(0))]);
    const d = decode(frames([init, abortT]));
    expect(d.summary!.associations).toBe(0);
  });
});

describe('truncated records', () => {
  it('uses whole chunks of a cut packet, never the cut one, and cannot verify its checksum', () => {
    const first = rsMessage(1, 16, 1);
    const second = rsMessage(2, 64, 2);
    const packet = toB([dataChunk({ tsn: 1, data: first }), dataChunk({ tsn: 2, data: second })]);
    const frame = ipv4({ protocol: 132, payload: packet });
    const cut = frame.subarray(0, frame.length - 20);
    const d = decode(pcapFile([{ data: cut, originalLength: frame.length }], { linkType: LINKTYPE.raw }));
    expect(d.messages).toHaveLength(1);
    expect(hex(d.messages[0]!.bytes)).toBe(hex(first));
    expect(d.messages[0]!.checksumOk).toBe(false);
    expect(eventsOf(d, 'truncated-record')[0]).toMatchObject({ frame: 1, capturedLength: cut.length, originalLength: frame.length, fileOffset: 24 });
    expect(d.summary).toMatchObject({ truncatedRecords: 1, checksumUnverifiable: 1, checksumFailures: 0, malformed: 0 });
    expect(d.summary!.skippedFrames.truncated).toBe(1);
  });

  it('never passes a cut UDP payload on', () => {
    const frame = ipv4({ protocol: 17, payload: udp(3863, 3863, rsMessage(0x0a, 8)) });
    const d = decode(pcapFile([{ data: frame.subarray(0, 30), originalLength: frame.length }], { linkType: LINKTYPE.raw }));
    expect(d.messages).toHaveLength(0);
    expect(d.summary!.skippedFrames.truncated).toBe(1);
    expect(d.summary!.malformed).toBe(0);
  });
});
