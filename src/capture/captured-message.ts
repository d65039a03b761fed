/**
 * An ASAP or ENRP message found in a capture.
 */
import type { CaptureTimestamp } from './capture-record.js';
import type { RserpoolProtocol } from './rserpool-ids.js';

/** How the message travelled. */
export type CaptureTransport = 'sctp' | 'udp' | 'sctp-over-udp';

/** One whole ASAP or ENRP message: an SCTP user message or a UDP payload. */
export interface CapturedMessage {
  /** Tells messages from {@link CaptureEvent}s in the reader's output. */
  readonly kind: 'message';
  /** 1-based numbers of every frame that carried a part of it, ascending. */
  readonly frames: readonly number[];
  /** Timestamp of the frame that completed it. */
  readonly timestamp: CaptureTimestamp;
  /** IP source of the frame that completed it, as text (`10.0.0.1`, `2001:db8::1`). */
  readonly src: string;
  /** IP destination of the frame that completed it, as text. */
  readonly dst: string;
  /** SCTP ports (UDP ports for messages carried directly in UDP). */
  readonly srcPort: number;
  readonly dstPort: number;
  readonly transport: CaptureTransport;
  /** SCTP only: the outer UDP ports of SCTP over UDP (RFC 6951). */
  readonly encapsulation?: { readonly srcPort: number; readonly dstPort: number };
  /** SCTP only: stable name of the association (see `sctp-associations.ts`). */
  readonly association?: string;
  /** SCTP only: stream identifier. */
  readonly streamId?: number;
  /** SCTP only: Payload Protocol Identifier. */
  readonly ppid?: number;
  /** SCTP only: false when any carrying packet failed CRC32c or could not be checked (truncated). */
  readonly checksumOk?: boolean;
  readonly protocol: RserpoolProtocol;
  /** `ppid`: by SCTP PPID (11/12 or the legacy values); `port`: by port 3863/9901 (UDP, or SCTP with the port heuristic). */
  readonly classifiedBy: 'ppid' | 'port';
  /** The whole message, owned by the receiver. */
  readonly bytes: Uint8Array;
}
