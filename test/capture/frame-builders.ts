/**
 * Byte builders for hand-made capture files: link layers, IPv4/IPv6, UDP, SCTP chunks and the
 * pcap/pcapng containers. Only what the capture tests need; no checksums beyond SCTP's CRC32c.
 */
import { writeSctpChecksum } from '../../src/capture/index.js';

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function be16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}
export function be32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
export function le16(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, n >>> 8);
}
export function le32(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}
function u16(n: number, le: boolean): Uint8Array {
  return le ? le16(n) : be16(n);
}
function u32(n: number, le: boolean): Uint8Array {
  return le ? le32(n) : be32(n);
}
function pad4(b: Uint8Array): Uint8Array {
  return b.length % 4 ? concat(b, new Uint8Array(4 - (b.length % 4))) : b;
}

/** An RSerPool-looking message: type, flags, length, then filler (the reader never parses it). */
export function rsMessage(type: number, length = 8, fill = 0xab): Uint8Array {
  const m = new Uint8Array(length).fill(fill);
  m[0] = type;
  m[1] = 0;
  m[2] = length >> 8;
  m[3] = length & 0xff;
  return m;
}

// ---- SCTP --------------------------------------------------------------------------------

export function chunk(type: number, flags: number, value: Uint8Array): Uint8Array {
  return pad4(concat(Uint8Array.of(type, flags), be16(4 + value.length), value));
}

export interface DataOpts {
  tsn: number;
  data: Uint8Array;
  ppid?: number;
  sid?: number;
  ssn?: number;
  /** B and E both set unless given. */
  flags?: number;
}
export function dataChunk(o: DataOpts): Uint8Array {
  return chunk(0, o.flags ?? 0x03, concat(be32(o.tsn), be16(o.sid ?? 0), be16(o.ssn ?? 0), be32(o.ppid ?? 11), o.data));
}

export interface IDataOpts {
  tsn: number;
  mid: number;
  data: Uint8Array;
  flags: number;
  /** PPID (with B) or FSN (without B). */
  ppidOrFsn: number;
  sid?: number;
}
export function iDataChunk(o: IDataOpts): Uint8Array {
  return chunk(64, o.flags, concat(be32(o.tsn), be16(o.sid ?? 0), be16(0), be32(o.mid), be32(o.ppidOrFsn), o.data));
}

export function initAckChunk(initiateTag: number): Uint8Array {
  // Initiate Tag, a_rwnd, outbound/inbound streams, initial TSN (no parameters).
  return chunk(2, 0, concat(be32(initiateTag), be32(65536), be16(10), be16(10), be32(1)));
}

export function sackChunk(cumTsn: number): Uint8Array {
  return chunk(3, 0, concat(be32(cumTsn), be32(65536), be16(0), be16(0)));
}

export function sctpPacket(srcPort: number, dstPort: number, tag: number, chunks: Uint8Array[], opts: { badChecksum?: boolean } = {}): Uint8Array {
  const p = concat(be16(srcPort), be16(dstPort), be32(tag), new Uint8Array(4), ...chunks);
  writeSctpChecksum(p);
  if (opts.badChecksum) p[8]! ^= 0xff;
  return p;
}

// ---- IP and UDP ----------------------------------------------------------------------------

export function ip4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  protocol: number;
  payload: Uint8Array;
  id?: number;
  /** Fragment offset in octets (multiple of 8). */
  fragOffset?: number;
  more?: boolean;
  options?: Uint8Array;
  /** Override the total length field. */
  totalLength?: number;
}
export function ipv4(o: Ipv4Opts): Uint8Array {
  const options = o.options ? pad4(o.options) : new Uint8Array(0);
  const ihl = 5 + options.length / 4;
  const total = o.totalLength ?? ihl * 4 + o.payload.length;
  const flags = ((o.more ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8)) & 0xffff;
  return concat(
    Uint8Array.of(0x40 | ihl, 0),
    be16(total),
    be16(o.id ?? 0x1234),
    be16(flags),
    Uint8Array.of(64, o.protocol),
    be16(0),
    ip4(o.src ?? '10.0.0.1'),
    ip4(o.dst ?? '10.0.0.2'),
    options,
    o.payload,
  );
}

export function ip6(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0x20;
  a[1] = 0x01;
  a[2] = 0x0d;
  a[3] = 0xb8;
  a[15] = last;
  return a;
}

export function ipv6(nextHeader: number, payload: Uint8Array, src = ip6(1), dst = ip6(2)): Uint8Array {
  return concat(Uint8Array.of(0x60, 0, 0, 0), be16(payload.length), Uint8Array.of(nextHeader, 64), src, dst, payload);
}

/** An IPv6 extension header in the uniform layout, padded to a multiple of 8. */
export function ipv6Ext(nextHeader: number, body: Uint8Array = new Uint8Array(6)): Uint8Array {
  const len = Math.ceil((body.length + 2) / 8) * 8;
  const h = new Uint8Array(len);
  h[0] = nextHeader;
  h[1] = len / 8 - 1;
  h.set(body, 2);
  return h;
}

export function ipv6Fragment(nextHeader: number, offset: number, more: boolean, id: number): Uint8Array {
  return concat(Uint8Array.of(nextHeader, 0), be16(offset | (more ? 1 : 0)), be32(id));
}

export function udp(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return concat(be16(srcPort), be16(dstPort), be16(8 + payload.length), be16(0), payload);
}

// ---- link layers ---------------------------------------------------------------------------

export function ethernet(ipPacket: Uint8Array, etherType = 0x0800, vlanTpids: number[] = [], minFrame = 0): Uint8Array {
  // MAC addresses, then (TPID, TCI) per VLAN tag, then the EtherType of the payload.
  const parts: Uint8Array[] = [new Uint8Array(12)];
  vlanTpids.forEach((tpid, i) => parts.push(be16(tpid), be16(100 + i)));
  parts.push(be16(etherType), ipPacket);
  const frame = concat(...parts);
  // Ethernet pads short frames; the padding is junk that the reader must not treat as payload.
  return frame.length < minFrame ? concat(frame, new Uint8Array(minFrame - frame.length).fill(0xee)) : frame;
}

export function sll(ipPacket: Uint8Array, protocol = 0x0800): Uint8Array {
  return concat(be16(0), be16(772), be16(6), new Uint8Array(8), be16(protocol), ipPacket);
}

export function sll2(ipPacket: Uint8Array, protocol = 0x0800): Uint8Array {
  return concat(be16(protocol), be16(0), be32(1), be16(772), Uint8Array.of(0, 6), new Uint8Array(8), ipPacket);
}

export function nullHeader(family: number, littleEndian: boolean, ipPacket: Uint8Array): Uint8Array {
  return concat(littleEndian ? le32(family) : be32(family), ipPacket);
}

// ---- containers ----------------------------------------------------------------------------

export interface PcapRecord {
  data: Uint8Array;
  seconds?: number;
  fraction?: number;
  /** Original length when larger than the data (truncated record). */
  originalLength?: number;
}

export function pcapFile(records: PcapRecord[], o: { linkType?: number; littleEndian?: boolean; nanos?: boolean; upperLinkBits?: number } = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const magic = o.nanos ? 0xa1b23c4d : 0xa1b2c3d4;
  const header = concat(u32(magic, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(262144, le), u32((o.linkType ?? 1) | (o.upperLinkBits ?? 0), le));
  return concat(
    header,
    ...records.map((r) => concat(u32(r.seconds ?? 1_700_000_000, le), u32(r.fraction ?? 0, le), u32(r.data.length, le), u32(r.originalLength ?? r.data.length, le), r.data)),
  );
}

export function pcapngBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = pad4(body);
  const len = 12 + padded.length;
  return concat(u32(type, le), u32(len, le), padded, u32(len, le));
}

export function pcapngOption(code: number, value: Uint8Array, le: boolean): Uint8Array {
  return concat(u16(code, le), u16(value.length, le), pad4(value));
}

export function shb(le: boolean): Uint8Array {
  // Byte-order magic, version 1.0, section length -1 (unknown), no options.
  return pcapngBlock(0x0a0d0d0a, concat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), new Uint8Array(8).fill(0xff)), le);
}

export function idb(linkType: number, le: boolean, opts: { tsresol?: number; tsoffset?: bigint; snaplen?: number } = {}): Uint8Array {
  const options: Uint8Array[] = [];
  if (opts.tsresol !== undefined) options.push(pcapngOption(9, Uint8Array.of(opts.tsresol), le));
  if (opts.tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, opts.tsoffset, le);
    options.push(pcapngOption(14, v, le));
  }
  if (options.length) options.push(pcapngOption(0, new Uint8Array(0), le));
  return pcapngBlock(1, concat(u16(linkType, le), u16(0, le), u32(opts.snaplen ?? 0, le), ...options), le);
}

export function epb(iface: number, ticks: bigint, data: Uint8Array, le: boolean, originalLength = data.length): Uint8Array {
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  return pcapngBlock(6, concat(u32(iface, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(originalLength, le), pad4(data)), le);
}

export function spb(data: Uint8Array, le: boolean): Uint8Array {
  return pcapngBlock(3, concat(u32(data.length, le), pad4(data)), le);
}

export function obsoletePacketBlock(iface: number, ticks: bigint, data: Uint8Array, le: boolean): Uint8Array {
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  return pcapngBlock(2, concat(u16(iface, le), u16(0, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(data.length, le), pad4(data)), le);
}
