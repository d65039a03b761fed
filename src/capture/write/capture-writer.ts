/**
 * The common face of the pcap and pcapng writers: declare interfaces (link types) once, then
 * write frames with their timestamps.
 */
import type { CaptureFormat, CaptureTimestamp } from '../capture-record.js';

/** One capture interface: what kind of frames it records. */
export interface InterfaceDescription {
  /** LINKTYPE_* value (see `LINKTYPE`). */
  readonly linkType: number;
  /** Timestamp resolution as a power of ten: 6 = microseconds (default), 9 = nanoseconds. */
  readonly tsresol?: 6 | 9;
  /** Snap length written in the header (default 262144, libpcap's maximum). */
  readonly snaplen?: number;
  /** pcapng only: `if_name` option. */
  readonly name?: string;
}

/** Writes frames into a capture file. */
export interface CaptureWriter {
  readonly format: CaptureFormat;
  /** Frames written so far; the next frame gets number `frameCount + 1`, as Wireshark counts. */
  readonly frameCount: number;
  /** Link type of interface `index`. */
  linkType(index: number): number;
  /**
   * Writes one frame captured on interface `iface` (default 0). `originalLength` larger than the
   * frame records a frame the capture cut short.
   */
  writeFrame(frame: Uint8Array, timestamp: CaptureTimestamp, iface?: number, originalLength?: number): void;
  /** Finishes the file and closes its sink. */
  close(): void;
}

/** Default snap length: libpcap's MAXIMUM_SNAPLEN. */
export const DEFAULT_SNAPLEN = 262144;

/** Checks a timestamp before it is written. */
export function checkTimestamp(t: CaptureTimestamp): void {
  if (!Number.isInteger(t.seconds) || t.seconds < 0 || t.seconds > 0xffffffff) throw new RangeError(`timestamp seconds ${t.seconds} out of range`);
  if (!Number.isInteger(t.nanos) || t.nanos < 0 || t.nanos >= 1_000_000_000) throw new RangeError(`timestamp nanoseconds ${t.nanos} out of range`);
}
