/**
 * IPv4 packets (RFC 791) with a correct header checksum, and fragmentation of a datagram that
 * does not fit a link MTU into several IP fragments (transports.md §5.4).
 */
import { internetChecksum } from './internet-checksum.js';
import { checkUint, putU16 } from './octets.js';

const HEADER = 20;
/** Flags/fragment-offset word: Don't Fragment and More Fragments bits (RFC 791 §3.1). */
const DF = 0x4000;
const MF = 0x2000;

/** The header fields of an IPv4 datagram (no options are written). */
export interface Ipv4Header {
  /** 4 octets. */
  readonly src: Uint8Array;
  /** 4 octets. */
  readonly dst: Uint8Array;
  /** Protocol number: 132 SCTP, 17 UDP. */
  readonly protocol: number;
  /** Identification; every fragment of one datagram carries the same value. */
  readonly id: number;
  /** Time to live (default 64). */
  readonly ttl?: number;
  /** DSCP and ECN octet (default 0). */
  readonly tos?: number;
  /** Sets the DF bit. A datagram that must be fragmented cannot have it. */
  readonly dontFragment?: boolean;
}

/**
 * One IPv4 packet: a whole datagram, or one fragment of it when `fragment` is given
 * (`offset` in octets, a multiple of 8; `more` sets MF).
 */
export function ipv4Packet(h: Ipv4Header, payload: Uint8Array, fragment?: { readonly offset: number; readonly more: boolean }): Uint8Array {
  checkUint('IPv4 identification', h.id, 0xffff);
  checkUint('IPv4 protocol', h.protocol, 0xff);
  if (h.src.length !== 4 || h.dst.length !== 4) throw new RangeError('IPv4 addresses must be 4 octets');
  const total = HEADER + payload.length;
  // Total Length is 16 bits: the whole packet, header included, must stay below 64 KiB.
  if (total > 0xffff) throw new RangeError(`IPv4 packet of ${total} octets exceeds the 16-bit Total Length`);
  const offset = fragment?.offset ?? 0;
  if (offset % 8 !== 0) throw new RangeError(`fragment offset ${offset} is not a multiple of 8`);
  const p = new Uint8Array(total);
  p[0] = 0x45; // version 4, IHL 5 words
  p[1] = h.tos ?? 0;
  putU16(p, 2, total);
  putU16(p, 4, h.id);
  putU16(p, 6, (h.dontFragment ? DF : 0) | (fragment?.more ? MF : 0) | (offset / 8));
  p[8] = h.ttl ?? 64;
  p[9] = h.protocol;
  p.set(h.src, 12);
  p.set(h.dst, 16);
  putU16(p, 10, internetChecksum(p, 0, HEADER));
  p.set(payload, HEADER);
  return p;
}

/**
 * The packets that carry `payload` over a link of `mtu` octets: one packet when it fits, else
 * fragments whose data lengths are multiples of 8 except the last. DF must be off to fragment.
 */
export function ipv4Fragments(h: Ipv4Header, payload: Uint8Array, mtu: number): Uint8Array[] {
  if (HEADER + payload.length <= mtu) return [ipv4Packet(h, payload)];
  if (h.dontFragment) throw new RangeError(`IPv4 packet of ${HEADER + payload.length} octets exceeds MTU ${mtu} and has DF set`);
  // Every fragment but the last carries a multiple of 8 octets (the offset field counts 8-octet units).
  const step = Math.floor((mtu - HEADER) / 8) * 8;
  if (step < 8) throw new RangeError(`MTU ${mtu} leaves no room for fragment data`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const end = Math.min(at + step, payload.length);
    out.push(ipv4Packet(h, payload.subarray(at, end), { offset: at, more: end < payload.length }));
  }
  return out;
}
