/**
 * UDP datagrams (RFC 768) with the checksum over the IPv4 or IPv6 pseudo-header. IPv6 requires
 * the checksum (RFC 8200 §8.1); IPv4 allows 0 for "none" (transports.md §4.1, §5.6).
 */
import { finishChecksum, onesSum } from './internet-checksum.js';
import { checkUint, putU16 } from './octets.js';

/** IP protocol number of UDP. */
const UDP = 17;
const HEADER = 8;

/** Fields of a UDP datagram and the IP addresses its checksum covers. */
export interface UdpDatagramFields {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  /** IP source, 4 or 16 octets. */
  readonly src: Uint8Array;
  /** IP destination, same family as `src`. */
  readonly dst: Uint8Array;
  /** IPv4 only: send checksum 0 ("not computed"). IPv6 always gets a real checksum. */
  readonly zeroChecksum?: boolean;
}

/** Builds a UDP datagram (header and payload). */
export function udpDatagram(f: UdpDatagramFields): Uint8Array {
  checkUint('UDP source port', f.srcPort, 0xffff);
  checkUint('UDP destination port', f.dstPort, 0xffff);
  if (f.src.length !== f.dst.length || (f.src.length !== 4 && f.src.length !== 16)) throw new RangeError('UDP pseudo-header needs two IPv4 or two IPv6 addresses');
  const length = HEADER + f.payload.length;
  if (length > 0xffff) throw new RangeError(`UDP datagram of ${length} octets exceeds the 16-bit length`);
  const d = new Uint8Array(length);
  putU16(d, 0, f.srcPort);
  putU16(d, 2, f.dstPort);
  putU16(d, 4, length);
  d.set(f.payload, HEADER);
  if (f.zeroChecksum && f.src.length === 16) throw new RangeError('IPv6 UDP needs a checksum (RFC 8200 §8.1)');
  if (!f.zeroChecksum) {
    // Pseudo-header: addresses, protocol and UDP length; the 32-bit IPv6 length word sums the same.
    let sum = onesSum(0, f.src);
    sum = onesSum(sum, f.dst);
    sum += UDP + length;
    sum = onesSum(sum, d);
    const c = finishChecksum(sum);
    // A computed 0 is sent as all ones: 0 on the wire means "no checksum".
    putU16(d, 6, c === 0 ? 0xffff : c);
  }
  return d;
}
