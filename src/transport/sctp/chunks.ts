/**
 * Typed views of the chunks the stack speaks (RFC 9260 §3.3): build the value octets of a chunk
 * and parse them back. Parsers throw {@link SctpError} `RSP_ERR_SCTP_MALFORMED_PACKET`.
 */
import { CHUNK, DATA_FLAG, PARAM } from './constants.js';
import { SCTP_ERR, SctpError } from './errors.js';
import type { RawChunk } from './packet.js';

/** A TLV parameter or error cause (same layout, RFC 9260 §3.2.1, §3.3.10). */
export interface Tlv {
  readonly type: number;
  readonly value: Uint8Array;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const need = (b: Uint8Array, n: number, what: string): void => {
  if (b.length < n) throw new SctpError(SCTP_ERR.malformed, `${what}: ${b.length} octets, need ${n}`);
};

/** Parses a list of TLVs (parameters or causes). */
export function parseTlvs(b: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  const dv = view(b);
  let o = 0;
  while (o + 4 <= b.length) {
    const len = dv.getUint16(o + 2);
    if (len < 4 || o + len > b.length) throw new SctpError(SCTP_ERR.malformed, `parameter at ${o} has bad length ${len}`);
    out.push({ type: dv.getUint16(o), value: b.subarray(o + 4, o + len) });
    o += (len + 3) & ~3;
  }
  return out;
}

/** Encodes TLVs, each padded to 4 octets. */
export function encodeTlvs(list: readonly Tlv[]): Uint8Array {
  let size = 0;
  for (const t of list) size += (4 + t.value.length + 3) & ~3;
  const out = new Uint8Array(size);
  const dv = view(out);
  let o = 0;
  for (const t of list) {
    dv.setUint16(o, t.type);
    dv.setUint16(o + 2, 4 + t.value.length);
    out.set(t.value, o + 4);
    o += (4 + t.value.length + 3) & ~3;
  }
  return out;
}

/** The value of an unpadded TLV (for the last item of a chunk, whose padding is not in the chunk length). */
export function encodeTlvsUnpadded(list: readonly Tlv[]): Uint8Array {
  const full = encodeTlvs(list);
  const last = list[list.length - 1];
  if (last === undefined) return full;
  const padding = ((4 + last.value.length + 3) & ~3) - (4 + last.value.length);
  return full.subarray(0, full.length - padding);
}

// ---------------------------------------------------------------------------------------------
// INIT and INIT ACK (RFC 9260 §3.3.2, §3.3.3)

/** The fixed part and parameters of INIT / INIT ACK. */
export interface InitChunk {
  readonly initiateTag: number;
  readonly aRwnd: number;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly initialTsn: number;
  readonly params: readonly Tlv[];
}

/** Builds an INIT (`ack` false) or INIT ACK chunk. */
export function buildInit(ack: boolean, c: InitChunk): RawChunk {
  const params = encodeTlvsUnpadded(c.params);
  const value = new Uint8Array(16 + params.length);
  const dv = view(value);
  dv.setUint32(0, c.initiateTag >>> 0);
  dv.setUint32(4, c.aRwnd >>> 0);
  dv.setUint16(8, c.outboundStreams);
  dv.setUint16(10, c.inboundStreams);
  dv.setUint32(12, c.initialTsn >>> 0);
  value.set(params, 16);
  return { type: ack ? CHUNK.INIT_ACK : CHUNK.INIT, flags: 0, value };
}

/** Parses INIT / INIT ACK. */
export function parseInit(value: Uint8Array): InitChunk {
  need(value, 16, 'INIT');
  const dv = view(value);
  return {
    initiateTag: dv.getUint32(0),
    aRwnd: dv.getUint32(4),
    outboundStreams: dv.getUint16(8),
    inboundStreams: dv.getUint16(10),
    initialTsn: dv.getUint32(12),
    params: parseTlvs(value.subarray(16)),
  };
}

/** Text form of IPv4 / IPv6 address parameters (recorded, never used as paths). */
export function addressParams(params: readonly Tlv[]): string[] {
  const out: string[] = [];
  for (const p of params) {
    if (p.type === PARAM.IPV4 && p.value.length === 4) out.push([...p.value].join('.'));
    else if (p.type === PARAM.IPV6 && p.value.length === 16) {
      const dv = view(p.value);
      const words: string[] = [];
      for (let i = 0; i < 8; i++) words.push(dv.getUint16(2 * i).toString(16));
      out.push(words.join(':'));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DATA (RFC 9260 §3.3.1)

/** A DATA chunk. */
export interface DataChunk {
  readonly tsn: number;
  readonly streamId: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly begin: boolean;
  readonly end: boolean;
  readonly immediate?: boolean;
  readonly payload: Uint8Array;
}

/** Builds a DATA chunk. */
export function buildData(d: DataChunk): RawChunk {
  const value = new Uint8Array(12 + d.payload.length);
  const dv = view(value);
  dv.setUint32(0, d.tsn >>> 0);
  dv.setUint16(4, d.streamId);
  dv.setUint16(6, d.ssn);
  dv.setUint32(8, d.ppid >>> 0);
  value.set(d.payload, 12);
  const flags =
    (d.end ? DATA_FLAG.END : 0) | (d.begin ? DATA_FLAG.BEGIN : 0) | (d.unordered ? DATA_FLAG.UNORDERED : 0) | (d.immediate ? DATA_FLAG.IMMEDIATE : 0);
  return { type: CHUNK.DATA, flags, value };
}

/** Parses a DATA chunk (the payload is copied out of the packet buffer). */
export function parseData(c: RawChunk): DataChunk {
  need(c.value, 12, 'DATA');
  const dv = view(c.value);
  return {
    tsn: dv.getUint32(0),
    streamId: dv.getUint16(4),
    ssn: dv.getUint16(6),
    ppid: dv.getUint32(8),
    unordered: (c.flags & DATA_FLAG.UNORDERED) !== 0,
    begin: (c.flags & DATA_FLAG.BEGIN) !== 0,
    end: (c.flags & DATA_FLAG.END) !== 0,
    immediate: (c.flags & DATA_FLAG.IMMEDIATE) !== 0,
    payload: c.value.slice(12),
  };
}

// ---------------------------------------------------------------------------------------------
// SACK (RFC 9260 §3.3.4)

/** A SACK: cumulative TSN ack, gap ack blocks (offsets from it, inclusive) and duplicates. */
export interface SackChunk {
  readonly cumulativeTsnAck: number;
  readonly aRwnd: number;
  readonly gaps: readonly (readonly [start: number, end: number])[];
  readonly duplicates: readonly number[];
}

/** Builds a SACK chunk. */
export function buildSack(s: SackChunk): RawChunk {
  const value = new Uint8Array(12 + 4 * s.gaps.length + 4 * s.duplicates.length);
  const dv = view(value);
  dv.setUint32(0, s.cumulativeTsnAck >>> 0);
  dv.setUint32(4, s.aRwnd >>> 0);
  dv.setUint16(8, s.gaps.length);
  dv.setUint16(10, s.duplicates.length);
  let o = 12;
  for (const [a, b] of s.gaps) {
    dv.setUint16(o, a);
    dv.setUint16(o + 2, b);
    o += 4;
  }
  for (const d of s.duplicates) {
    dv.setUint32(o, d >>> 0);
    o += 4;
  }
  return { type: CHUNK.SACK, flags: 0, value };
}

/** Parses a SACK chunk. */
export function parseSack(value: Uint8Array): SackChunk {
  need(value, 12, 'SACK');
  const dv = view(value);
  const nGaps = dv.getUint16(8);
  const nDups = dv.getUint16(10);
  need(value, 12 + 4 * (nGaps + nDups), 'SACK');
  const gaps: [number, number][] = [];
  const duplicates: number[] = [];
  let o = 12;
  for (let i = 0; i < nGaps; i++, o += 4) gaps.push([dv.getUint16(o), dv.getUint16(o + 2)]);
  for (let i = 0; i < nDups; i++, o += 4) duplicates.push(dv.getUint32(o));
  return { cumulativeTsnAck: dv.getUint32(0), aRwnd: dv.getUint32(4), gaps, duplicates };
}

// ---------------------------------------------------------------------------------------------
// Small chunks

/** A 32-bit big-endian value (SHUTDOWN's cumulative TSN ack). */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  view(b).setUint32(0, v >>> 0);
  return b;
}

/** Reads a 32-bit big-endian value. */
export function readU32(b: Uint8Array, offset = 0): number {
  need(b, offset + 4, 'u32');
  return view(b).getUint32(offset);
}

/** Builds a chunk whose value is a list of error causes (ABORT, ERROR). */
export function causeChunk(type: number, flags: number, causes: readonly Tlv[]): RawChunk {
  return { type, flags, value: encodeTlvsUnpadded(causes) };
}

/** A chunk without value (COOKIE ACK, SHUTDOWN ACK, SHUTDOWN COMPLETE). */
export function emptyChunk(type: number, flags = 0): RawChunk {
  return { type, flags, value: new Uint8Array(0) };
}
