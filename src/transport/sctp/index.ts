/**
 * Userland SCTP (RFC 9260) over UDP encapsulation (RFC 6951): a sans-IO association state machine
 * and endpoint, with a UDP socket driver and an in-memory network of the same interface.
 */
export {
  Association,
  DEFAULT_ASSOCIATION_OPTIONS,
  type AssociationEvents,
  type AssociationOptions,
  type AssociationState,
  type AssociationStats,
  type DownInfo,
  type RemoteAddress,
  type SctpMessage,
} from './association.js';
export { SctpEndpoint, type ConnectOptions, type EndpointEvents, type EndpointOptions, type EndpointStats } from './endpoint.js';
export { SCTP_ERR, SctpError, type SctpErrorCode } from './errors.js';
export { MemoryNetwork, MemoryTransport, type LinkConditions, type NetworkStats } from './memory.js';
export { UdpSctpTransport, type UdpStats, type UdpTransportOptions } from './udp.js';
export type { SctpTransport } from './transport.js';
export { seededRandom, systemRandom, type Random32 } from './random.js';
export { SCTP_UDP_PORT } from './constants.js';
