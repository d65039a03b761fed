/**
 * Textual IP addresses for capture records: the codecs' canonical forms (dotted quad; RFC 5952
 * for IPv6), so a capture record and a decoded Address parameter print the same address alike.
 */
import { ipv4ToText, ipv6ToText } from '../../codecs/ip-text.js';

/** Text of a 4- or 16-octet address. */
export function ipText(addr: Uint8Array): string {
  return addr.length === 4 ? ipv4ToText(addr) : ipv6ToText(addr);
}
