/**
 * Counters over a whole capture read, given with the final `summary` event.
 */
import type { CaptureFormat } from './capture-record.js';
import type { SkipReason } from './capture-events.js';
import { SKIP_REASON } from './capture-events.js';

/** Counters over a capture; plain data, JSON-ready. Keys of the records are decimal numbers or names. */
export interface CaptureSummary {
  /** Container format; undefined if the input ended before it could be recognised. */
  format: CaptureFormat | undefined;
  /** Octets consumed. */
  bytesRead: number;
  /** Packet records (frames). */
  records: number;
  /** Records per link type (decimal LINKTYPE value). */
  linkTypes: Record<string, number>;
  /** RSerPool messages produced, by protocol. */
  messages: { asap: number; enrp: number };
  /** RSerPool messages produced, by transport. */
  transports: { sctp: number; udp: number; 'sctp-over-udp': number };
  /** SCTP packets seen (directly or over UDP). */
  sctpPackets: number;
  /** SCTP packets whose stored CRC32c differs from the computed one. */
  checksumFailures: number;
  /** … of which the stored value was 0 (checksum offload on the capturing host). */
  checksumZero: number;
  /** SCTP packets whose checksum could not be checked because the record is truncated. */
  checksumUnverifiable: number;
  /** Chunks by name (`DATA`, `SACK`, `UNKNOWN(0x..)`, …). */
  chunkTypes: Record<string, number>;
  /** Distinct SCTP associations named. */
  associations: number;
  /** SCTP user messages skipped for their PPID, by decimal PPID. */
  otherPpids: Record<string, number>;
  /** DATA/I-DATA chunks dropped as retransmissions. */
  duplicateChunks: number;
  /** Fragmented SCTP user messages given up. */
  incompleteMessages: number;
  /** Records with fewer captured than original octets. */
  truncatedRecords: number;
  /** Malformed headers reported. */
  malformed: number;
  /** Frames that led to no RSerPool message, by reason. */
  skippedFrames: Record<SkipReason, number>;
  /** IP fragments seen, datagrams rebuilt, datagrams given up, fragments refused. */
  ipFragments: { fragments: number; reassembled: number; abandoned: number; rejected: number };
}

/** A summary with every counter at zero. */
export function emptySummary(): CaptureSummary {
  const skippedFrames = Object.fromEntries(Object.values(SKIP_REASON).map((r) => [r, 0])) as Record<SkipReason, number>;
  return {
    format: undefined,
    bytesRead: 0,
    records: 0,
    linkTypes: {},
    messages: { asap: 0, enrp: 0 },
    transports: { sctp: 0, udp: 0, 'sctp-over-udp': 0 },
    sctpPackets: 0,
    checksumFailures: 0,
    checksumZero: 0,
    checksumUnverifiable: 0,
    chunkTypes: {},
    associations: 0,
    otherPpids: {},
    duplicateChunks: 0,
    incompleteMessages: 0,
    truncatedRecords: 0,
    malformed: 0,
    skippedFrames,
    ipFragments: { fragments: 0, reassembled: 0, abandoned: 0, rejected: 0 },
  };
}

/** Adds one to a keyed counter. */
export function bump(counters: Record<string, number>, key: string | number): void {
  counters[key] = (counters[key] ?? 0) + 1;
}

/** A deep copy, so a snapshot does not change as reading goes on. */
export function copySummary(s: CaptureSummary): CaptureSummary {
  return structuredClone(s);
}
