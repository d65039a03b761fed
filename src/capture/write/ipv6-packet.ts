/**
 * IPv6 packets (RFC 8200) and fragmentation with a Fragment extension header when a packet does
 * not fit the link MTU (transports.md §5.5).
 */
import { checkUint, putU16, putU32 } from './octets.js';

const HEADER = 40;
const FRAGMENT_HEADER = 8;
/** Next Header value of the Fragment extension header (RFC 8200 §4.5). */
export const IPV6_FRAGMENT_HEADER = 44;

/** The fields of an IPv6 header. */
export interface Ipv6Header {
  /** 16 octets. */
  readonly src: Uint8Array;
  /** 16 octets. */
  readonly dst: Uint8Array;
  /** Upper-layer protocol: 132 SCTP, 17 UDP. */
  readonly nextHeader: number;
  /** Hop limit (default 64). */
  readonly hopLimit?: number;
  /** Traffic class (default 0). */
  readonly trafficClass?: number;
  /** 20-bit flow label (default 0). */
  readonly flowLabel?: number;
}

/** One IPv6 packet with no extension headers. */
export function ipv6Packet(h: Ipv6Header, payload: Uint8Array): Uint8Array {
  return packet(h, h.nextHeader, payload);
}

function packet(h: Ipv6Header, nextHeader: number, payload: Uint8Array): Uint8Array {
  if (h.src.length !== 16 || h.dst.length !== 16) throw new RangeError('IPv6 addresses must be 16 octets');
  // Payload Length is 16 bits; larger payloads would need a jumbogram, which no capture here uses.
  if (payload.length > 0xffff) throw new RangeError(`IPv6 payload of ${payload.length} octets exceeds the 16-bit Payload Length`);
  const flow = h.flowLabel ?? 0;
  checkUint('IPv6 flow label', flow, 0xfffff);
  const tc = h.trafficClass ?? 0;
  const p = new Uint8Array(HEADER + payload.length);
  putU32(p, 0, ((6 << 28) | (tc << 20) | flow) >>> 0);
  putU16(p, 4, payload.length);
  p[6] = nextHeader;
  p[7] = h.hopLimit ?? 64;
  p.set(h.src, 8);
  p.set(h.dst, 24);
  p.set(payload, HEADER);
  return p;
}

/**
 * The packets that carry `payload` over a link of `mtu` octets: one packet when it fits, else
 * fragments, each with a Fragment header naming `id` (the source fragments, never a router).
 */
export function ipv6Fragments(h: Ipv6Header, payload: Uint8Array, mtu: number, id: number): Uint8Array[] {
  if (HEADER + payload.length <= mtu) return [ipv6Packet(h, payload)];
  checkUint('IPv6 fragment identification', id, 0xffffffff);
  const step = Math.floor((mtu - HEADER - FRAGMENT_HEADER) / 8) * 8;
  if (step < 8) throw new RangeError(`MTU ${mtu} leaves no room for fragment data`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const end = Math.min(at + step, payload.length);
    const body = new Uint8Array(FRAGMENT_HEADER + end - at);
    body[0] = h.nextHeader;
    // Offset in 8-octet units in the upper 13 bits, M flag in the lowest bit.
    putU16(body, 2, at | (end < payload.length ? 1 : 0));
    putU32(body, 4, id);
    body.set(payload.subarray(at, end), FRAGMENT_HEADER);
    out.push(packet(h, IPV6_FRAGMENT_HEADER, body));
  }
  return out;
}
