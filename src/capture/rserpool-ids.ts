/**
 * How ASAP and ENRP are recognised on the wire (wire-format.md §1, transports.md §2 and §5.6),
 * as lookups over the codecs' PPID and port tables.
 */
import { PORT, PPID } from '../../codecs/constants.js';
import type { Protocol as CodecProtocol } from '../../codecs/types.js';

/** The two RSerPool protocols. */
export type RserpoolProtocol = CodecProtocol;

/** SCTP Payload Protocol Identifiers: IANA 11/12 and rsplib's pre-IANA values. */
export const RSERPOOL_PPID: ReadonlyMap<number, RserpoolProtocol> = new Map([
  [PPID.asap, 'asap'],
  [PPID.enrp, 'enrp'],
  [PPID.legacyAsap, 'asap'],
  [PPID.legacyEnrp, 'enrp'],
]);

/** Well-known ports (IANA): ASAP 3863, ENRP 9901 (SCTP and UDP). */
export const RSERPOOL_PORT: ReadonlyMap<number, RserpoolProtocol> = new Map([
  [PORT.asap, 'asap'],
  [PORT.enrp, 'enrp'],
]);

/** Other well-known UDP ports the reader names when it skips them or follows them. */
export const UDP_PORT = Object.freeze({
  /** SCTP over UDP, IANA "sctp-tunneling" (RFC 6951). */
  sctpTunneling: PORT.sctpOverUdp,
  /** rsplib's Component Status Protocol (not RSerPool; present in the 2007 demo capture). */
  componentStatus: 2960,
} as const);

/**
 * The protocol of an RSerPool message by port, or undefined. The destination port is asked
 * first, since multicast announcements are addressed to the well-known port.
 */
export function protocolByPort(srcPort: number, dstPort: number): RserpoolProtocol | undefined {
  return RSERPOOL_PORT.get(dstPort) ?? RSERPOOL_PORT.get(srcPort);
}
