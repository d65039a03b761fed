/**
 * IPv4 header (RFC 791; transports.md §5.4): finds the payload and whether it is a fragment.
 */
import { u16be } from './bytes.js';
import type { IpResult } from './ip-result.js';

const MIN_HEADER = 20;
const MORE_FRAGMENTS = 0x2000;
const OFFSET_MASK = 0x1fff;

/** Parses the IPv4 packet at `frame[off]` (the link layer is already stripped). */
export function parseIpv4(frame: Uint8Array, off: number): IpResult {
  const avail = frame.length - off;
  if (avail < MIN_HEADER) return { kind: 'skip', reason: 'malformed', detail: 'IPv4 header cut short' };
  if (frame[off]! >> 4 !== 4) return { kind: 'skip', reason: 'malformed', detail: `IP version ${frame[off]! >> 4} in an IPv4 frame` };
  // IHL counts 32-bit words, so options make the header longer than 20 octets.
  const headerLen = (frame[off]! & 0x0f) * 4;
  if (headerLen < MIN_HEADER) return { kind: 'skip', reason: 'malformed', detail: `IPv4 IHL ${headerLen / 4} below 5` };
  if (headerLen > avail) return { kind: 'skip', reason: 'malformed', detail: 'IPv4 options cut short' };
  let total = u16be(frame, off + 2);
  // Segmentation offload on the capturing host leaves 0 here; then the frame is all we have.
  if (total === 0) total = avail;
  if (total < headerLen) return { kind: 'skip', reason: 'malformed', detail: `IPv4 total length ${total} below header length ${headerLen}` };
  // Total length, not the frame, bounds the packet: Ethernet pads short frames to 60 octets.
  const truncated = total > avail;
  const end = off + Math.min(total, avail);
  // The header checksum is not checked: the reader reports rather than drops, and captures taken
  // on the sending host may hold values the NIC was left to fill in.
  const protocol = frame[off + 9]!;
  const src = frame.subarray(off + 12, off + 16);
  const dst = frame.subarray(off + 16, off + 20);
  const flagsOffset = u16be(frame, off + 6);
  const fragOffset = (flagsOffset & OFFSET_MASK) * 8;
  const more = (flagsOffset & MORE_FRAGMENTS) !== 0;
  const payload = frame.subarray(off + headerLen, end);
  if (more || fragOffset > 0) {
    return { kind: 'fragment', version: 4, src, dst, id: u16be(frame, off + 4), protocol, offset: fragOffset, more, payload, truncated };
  }
  return { kind: 'packet', version: 4, src, dst, protocol, payload, truncated };
}
