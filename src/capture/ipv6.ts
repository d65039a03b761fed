/**
 * IPv6 header and extension-header chain (RFC 8200; transports.md §5.5).
 */
import { u16be, u32be } from './bytes.js';
import { IPV6_UNIFORM_EXTENSION_HEADERS, IP_PROTOCOL } from './ip-protocols.js';
import type { IpResult } from './ip-result.js';

const HEADER = 40;
const FRAGMENT_HEADER = 8;

/** Parses the IPv6 packet at `frame[off]` (the link layer is already stripped). */
export function parseIpv6(frame: Uint8Array, off: number): IpResult {
  const avail = frame.length - off;
  if (avail < HEADER) return { kind: 'skip', reason: 'malformed', detail: 'IPv6 header cut short' };
  if (frame[off]! >> 4 !== 6) return { kind: 'skip', reason: 'malformed', detail: `IP version ${frame[off]! >> 4} in an IPv6 frame` };
  let payloadLen = u16be(frame, off + 4);
  // 0 announces a jumbogram (or offloaded segmentation): the frame is all we have.
  if (payloadLen === 0) payloadLen = avail - HEADER;
  const truncated = payloadLen > avail - HEADER;
  const end = off + HEADER + Math.min(payloadLen, avail - HEADER);
  return walkIpv6Headers(
    frame.subarray(off + 8, off + 24),
    frame.subarray(off + 24, off + 40),
    frame[off + 6]!,
    frame.subarray(off + HEADER, end),
    truncated,
  );
}

/**
 * Follows the next-header chain through `data` until a transport header, a fragment, or a header
 * the reader does not cross. Also used on a reassembled fragmentable part.
 */
export function walkIpv6Headers(src: Uint8Array, dst: Uint8Array, nextHeader: number, data: Uint8Array, truncated: boolean): IpResult {
  let nh = nextHeader;
  let pos = 0;
  const end = data.length;
  for (;;) {
    if (nh === IP_PROTOCOL.sctp || nh === IP_PROTOCOL.udp) {
      return { kind: 'packet', version: 6, src, dst, protocol: nh, payload: data.subarray(pos), truncated };
    }
    if (nh === IP_PROTOCOL.noNextHeader) return { kind: 'skip', reason: 'no-next-header', detail: 'IPv6 No Next Header' };
    if (nh === IP_PROTOCOL.esp) return { kind: 'skip', reason: 'encrypted', detail: 'IPv6 ESP' };
    let len: number;
    if (IPV6_UNIFORM_EXTENSION_HEADERS.has(nh)) {
      if (pos + 2 > end) return cut(truncated, nh);
      len = (data[pos + 1]! + 1) * 8;
    } else if (nh === IP_PROTOCOL.ah) {
      // AH counts 32-bit words minus 2, unlike the other extension headers.
      if (pos + 2 > end) return cut(truncated, nh);
      len = (data[pos + 1]! + 2) * 4;
    } else if (nh === IP_PROTOCOL.fragment) {
      if (pos + FRAGMENT_HEADER > end) return cut(truncated, nh);
      const field = u16be(data, pos + 2);
      const offset = field & 0xfff8;
      const more = (field & 1) !== 0;
      const inner = data[pos]!;
      // An atomic fragment (offset 0, no more) is a whole packet that merely carries the header.
      if (offset === 0 && !more) {
        nh = inner;
        pos += FRAGMENT_HEADER;
        continue;
      }
      return {
        kind: 'fragment',
        version: 6,
        src,
        dst,
        id: u32be(data, pos + 4),
        protocol: inner,
        offset,
        more,
        payload: data.subarray(pos + FRAGMENT_HEADER),
        truncated,
      };
    } else {
      return { kind: 'skip', reason: 'other-ip-protocol', detail: `IPv6 next header ${nh}` };
    }
    if (pos + len > end) return cut(truncated, nh);
    nh = data[pos]!;
    pos += len;
  }
}

function cut(truncated: boolean, nh: number): IpResult {
  return { kind: 'skip', reason: 'malformed', detail: `IPv6 extension header ${nh} ${truncated ? 'cut by the capture' : 'overruns the payload'}` };
}
