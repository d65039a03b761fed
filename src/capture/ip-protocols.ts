/**
 * IP protocol / IPv6 next-header numbers the reader acts on (IANA "Assigned Internet Protocol
 * Numbers"; transports.md §5.4–§5.5).
 */
export const IP_PROTOCOL = Object.freeze({
  hopByHop: 0,
  udp: 17,
  routing: 43,
  fragment: 44,
  esp: 50,
  ah: 51,
  noNextHeader: 59,
  destinationOptions: 60,
  sctp: 132,
} as const);

/**
 * IPv6 extension headers in the uniform layout of RFC 6564 (next header, length in 8-octet units
 * not counting the first): Hop-by-Hop, Routing, Destination Options, and Mobility/HIP/Shim6 which
 * share the layout. AH and Fragment are handled on their own.
 */
export const IPV6_UNIFORM_EXTENSION_HEADERS: ReadonlySet<number> = new Set([0, 43, 60, 135, 139, 140]);
