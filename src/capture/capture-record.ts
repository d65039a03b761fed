/**
 * One packet record of a capture file, whatever the container format.
 */

/** A point in time: whole seconds since 1970 (UTC) and nanoseconds within the second. */
export interface CaptureTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** A packet record as the container (pcap or pcapng) describes it. */
export interface CaptureRecord {
  /** 1-based frame number, counted over the whole file (all pcapng sections), as Wireshark does. */
  readonly frame: number;
  /** File offset of the record header or block. */
  readonly fileOffset: number;
  /** Link type (LINKTYPE_* value) of the interface that captured it. */
  readonly linkType: number;
  readonly timestamp: CaptureTimestamp;
  /** Octets present in the file. */
  readonly capturedLength: number;
  /** Octets the frame had on the wire; more than `capturedLength` means the record is truncated. */
  readonly originalLength: number;
  /** The captured octets; only valid during the callback that receives the record. */
  readonly data: Uint8Array;
}

/** Receives packet records and the container format once it is known. */
export interface CaptureRecordSink {
  onFormat(format: CaptureFormat): void;
  onRecord(record: CaptureRecord): void;
}

/** The container formats the reader understands. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** Builds a timestamp, carrying a fraction field of a second or more into the seconds. */
export function normaliseTimestamp(seconds: number, nanos: number): CaptureTimestamp {
  if (nanos >= 1_000_000_000) {
    // Some writers put a whole number of seconds into the fraction field.
    const extra = Math.floor(nanos / 1_000_000_000);
    return { seconds: seconds + extra, nanos: nanos - extra * 1_000_000_000 };
  }
  return { seconds, nanos };
}
