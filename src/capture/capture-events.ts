/**
 * What the capture reader reports besides messages. Problems (checksum failures, truncation,
 * malformed headers, incomplete messages, IP fragments) always produce an event; skipped frames,
 * skipped user messages and retransmitted chunks are counted in the summary and produce events
 * only when `skipEvents` is set.
 */
import type { CaptureSummary } from './capture-summary.js';

/** Why a frame led to no RSerPool message (transports.md §5; summary counters use these names). */
export const SKIP_REASON = Object.freeze({
  /** A link type the reader does not decode. */
  unsupportedLinkType: 'unsupported-link-type',
  /** Not IPv4/IPv6: ARP, LLC, another EtherType or address family. */
  notIp: 'not-ip',
  /** IP, but neither UDP nor SCTP. */
  otherIpProtocol: 'other-ip-protocol',
  /** IPv6 No Next Header. */
  noNextHeader: 'no-next-header',
  /** IPv6 ESP: the rest is encrypted. */
  encrypted: 'encrypted',
  /** UDP on a port that is not ASAP, ENRP or SCTP tunnelling. */
  udpOtherPort: 'udp-other-port',
  /** UDP 2960: rsplib's Component Status Protocol, not RSerPool. */
  componentStatus: 'component-status-protocol',
  /** SCTP packet with control chunks only. */
  sctpNoUserData: 'sctp-no-user-data',
  /** The record was cut by the capture's snap length where the layer needed the octets. */
  truncated: 'truncated',
  /** A header that contradicts itself or its container (also reported as a `malformed` event). */
  malformed: 'malformed',
} as const);

/** One of the {@link SKIP_REASON} values. */
export type SkipReason = (typeof SKIP_REASON)[keyof typeof SKIP_REASON];

/** The layer a malformed header belongs to. */
export type CaptureLayer = 'link' | 'ipv4' | 'ipv6' | 'ip-fragment' | 'udp' | 'sctp' | 'internal';

/** A packet whose stored SCTP CRC32c differs from the computed one (the packet is still decoded). */
export interface SctpChecksumEvent {
  readonly kind: 'sctp-checksum';
  readonly frames: readonly number[];
  readonly association: string | undefined;
  readonly stored: number;
  readonly computed: number;
  /**
   * The stored value is 0: typical of checksum offload on the capturing host (e.g. Linux
   * loopback), where the CRC is never filled in.
   */
  readonly zero: boolean;
}

/** A record with fewer captured than original octets; nothing cut is passed on as complete. */
export interface TruncatedRecordEvent {
  readonly kind: 'truncated-record';
  readonly frame: number;
  readonly fileOffset: number;
  readonly capturedLength: number;
  readonly originalLength: number;
}

/** A header that cannot be right; decoding of the frame stops at that layer. */
export interface MalformedEvent {
  readonly kind: 'malformed';
  readonly frames: readonly number[];
  readonly layer: CaptureLayer;
  readonly detail: string;
}

/** A frame that led to no RSerPool message (only with `skipEvents`). */
export interface SkippedFrameEvent {
  readonly kind: 'skipped-frame';
  readonly frames: readonly number[];
  readonly reason: SkipReason;
  readonly detail: string;
}

/** An SCTP user message with a PPID that is not ASAP/ENRP (only with `skipEvents`). */
export interface SkippedMessageEvent {
  readonly kind: 'skipped-message';
  /** Frames of the message's first chunk. */
  readonly frames: readonly number[];
  readonly association: string;
  readonly ppid: number;
}

/** A DATA/I-DATA chunk whose TSN was already seen: a retransmission (only with `skipEvents`). */
export interface DuplicateChunkEvent {
  readonly kind: 'duplicate-chunk';
  readonly frames: readonly number[];
  readonly association: string;
  readonly tsn: number;
}

/** A fragmented SCTP user message that could not be rebuilt. */
export interface IncompleteMessageEvent {
  readonly kind: 'incomplete-message';
  readonly frames: readonly number[];
  readonly association: string;
  readonly chunkType: 'DATA' | 'I-DATA';
  readonly streamId: number;
  readonly bytes: number;
  readonly reason: 'missing-fragments' | 'evicted' | 'too-many-fragments' | 'inconsistent';
}

/** IP fragments: a datagram rebuilt, given up, or a fragment refused. */
export interface IpFragmentsEvent {
  readonly kind: 'ip-fragments';
  readonly frames: readonly number[];
  readonly version: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly id: number;
  readonly outcome: 'reassembled' | 'incomplete' | 'evicted' | 'rejected';
  readonly detail?: string;
}

/** The last item of a read: counters over the whole input. */
export interface SummaryEvent {
  readonly kind: 'summary';
  readonly summary: CaptureSummary;
}

/** Everything the reader reports besides messages. */
export type CaptureEvent =
  | SctpChecksumEvent
  | TruncatedRecordEvent
  | MalformedEvent
  | SkippedFrameEvent
  | SkippedMessageEvent
  | DuplicateChunkEvent
  | IncompleteMessageEvent
  | IpFragmentsEvent
  | SummaryEvent;

/** The `kind` of a {@link CaptureEvent}. */
export type CaptureEventKind = CaptureEvent['kind'];
