/** Parsing of the `udp:HOST:PORT` endpoint notation of the networked commands. */
import type { Address } from '../../codecs/index.js';

/** A UDP endpoint (SCTP over UDP). */
export interface UdpEndpointAddress {
  readonly host: string;
  readonly port: number;
}

/** Stable error code of a bad endpoint notation. */
export const NET_ERR_BAD_ENDPOINT = 'RSP_ERR_NET_BAD_ENDPOINT';

/** Parses `udp:HOST:PORT`, `udp:[V6]:PORT`, `HOST:PORT` or `HOST` (port `defaultPort`). Throws Error with {@link NET_ERR_BAD_ENDPOINT}. */
export function parseUdpEndpoint(text: string, defaultPort: number): UdpEndpointAddress {
  const s = text.startsWith('udp:') ? text.slice(4) : text;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (m === null || m[1] === undefined || m[1] === '') throw new Error(`${NET_ERR_BAD_ENDPOINT}: expected udp:HOST:PORT, got ${JSON.stringify(text)}`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${NET_ERR_BAD_ENDPOINT}: bad port in ${JSON.stringify(text)}`);
  return { host: m[1], port };
}

/** An IP address as the codecs want it. */
export function ipAddress(text: string): Address {
  return text.includes(':') ? { family: 'ipv6', address: text } : { family: 'ipv4', address: text };
}
