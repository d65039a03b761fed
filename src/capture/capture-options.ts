/**
 * Options of the capture reader and their defaults. Every buffer the reader keeps has a cap here,
 * so hostile or broken input cannot make it allocate without bound.
 */

/** Options of {@link CaptureDecoder} (and of the file/stream readers built on it). */
export interface CaptureDecoderOptions {
  /** UDP ports carrying SCTP (RFC 6951) besides 9899, which is always followed. */
  readonly sctpOverUdpPorts?: readonly number[];
  /**
   * Also take SCTP user messages whose PPID is not ASAP/ENRP as ASAP/ENRP when a port is
   * 3863/9901 (what Wireshark does). Off by default: the PPID decides (wire-format.md §1).
   */
  readonly portHeuristic?: boolean;
  /** Emit `skipped-frame`, `skipped-message` and `duplicate-chunk` events (default: count only). */
  readonly skipEvents?: boolean;
  /** Size of the input when known: length fields running past it fail at once. */
  readonly totalBytes?: number;
  /** Longest record or packet block accepted (default 16 MiB). */
  readonly maxRecordBytes?: number;
  /** Caps of SCTP reassembly (all directions together). */
  readonly sctpLimits?: Partial<{ maxBytes: number; maxFragments: number; maxFragmentsPerMessage: number; maxDirections: number }>;
  /** Caps of IP fragment reassembly. */
  readonly ipFragmentLimits?: Partial<{ maxDatagrams: number; maxBytes: number }>;
}

/** Progress of a file or stream read. */
export interface CaptureProgress {
  readonly bytesRead: number;
  /** Undefined when the size is unknown (a pipe). */
  readonly totalBytes: number | undefined;
}

/** Options of {@link readCaptureMessages} and {@link readCaptureStream}. */
export interface ReadCaptureOptions extends CaptureDecoderOptions {
  /** Octets per read from the file (default 256 KiB). */
  readonly chunkSize?: number;
  /** Called after each chunk is decoded, e.g. to draw a progress bar on a TTY. */
  readonly onProgress?: (progress: CaptureProgress) => void;
}

/** Defaults of the caps (read-only). */
export const CAPTURE_DEFAULTS = Object.freeze({
  // Far above any real frame (libpcap's largest snap length is 256 KiB) yet a bounded buffer.
  maxRecordBytes: 16 * 1024 * 1024,
  chunkSize: 256 * 1024,
  sctpMaxBytes: 32 * 1024 * 1024,
  sctpMaxFragments: 65536,
  // An RSerPool message is at most 65535 octets; 4096 fragments leave room for tiny MTUs.
  sctpMaxFragmentsPerMessage: 4096,
  sctpMaxDirections: 8192,
  ipMaxDatagrams: 1024,
  ipMaxBytes: 16 * 1024 * 1024,
} as const);
