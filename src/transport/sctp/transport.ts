/** What every packet driver of an {@link SctpEndpoint} offers (UDP socket, in-memory network). */
import type { RemoteAddress } from './association.js';
import type { SctpEndpoint } from './endpoint.js';

/** One endpoint bound to one packet socket. */
export interface SctpTransport {
  /** The endpoint: `listen`, `connect`, events. */
  readonly endpoint: SctpEndpoint;
  /** Local IP address and UDP port the socket is bound to. */
  readonly local: RemoteAddress;
  /** Aborts the associations (unless `graceful`, which shuts them down first) and releases the socket. */
  close(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}
