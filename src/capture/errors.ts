/**
 * The one error the capture reader throws: a stable code and the file offset where reading stopped.
 *
 * Frame-level problems (bad checksums, truncated records, malformed headers) are not errors: they
 * become {@link CaptureEvent}s and reading goes on. Only a file that cannot be read further throws.
 */

/**
 * Stable error codes of the capture reader. The value is what {@link CaptureError.code} holds;
 * codes never change meaning once published.
 */
export const CAPTURE_ERR = Object.freeze({
  /** The input has no bytes at all. */
  empty: 'RSP_ERR_CAPTURE_EMPTY',
  /** The first octets are neither a pcap magic number nor a pcapng Section Header Block. */
  unknownFormat: 'RSP_ERR_CAPTURE_UNKNOWN_FORMAT',
  /** A pcap major version other than 2, or a pcapng section major version other than 1. */
  unsupportedVersion: 'RSP_ERR_CAPTURE_UNSUPPORTED_VERSION',
  /** The input ends inside a file header, record header, record or block. */
  truncated: 'RSP_ERR_CAPTURE_TRUNCATED',
  /** A record or block length above the configured maximum (`maxRecordBytes`). */
  recordTooLarge: 'RSP_ERR_CAPTURE_RECORD_TOO_LARGE',
  /** Lengths that contradict each other, a bad pcapng byte-order magic, an unknown interface, … */
  corrupt: 'RSP_ERR_CAPTURE_CORRUPT',
  /** Reading the file failed (missing file, permission, I/O error); `cause` holds the system error. */
  io: 'RSP_ERR_CAPTURE_IO',
} as const);

/** One of the {@link CAPTURE_ERR} codes. */
export type CaptureErrorCode = (typeof CAPTURE_ERR)[keyof typeof CAPTURE_ERR];

/** A capture file that cannot be read (further). */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  /** Stable code, one of {@link CAPTURE_ERR}. */
  readonly code: CaptureErrorCode;
  /** Octet offset in the input where the offending header, record or block starts. */
  readonly offset: number;

  constructor(code: CaptureErrorCode, offset: number, message: string, options?: { cause?: unknown }) {
    super(`${code} at offset ${offset}: ${message}`, options);
    this.code = code;
    this.offset = offset;
  }

  /** Plain JSON form for reports and the CLI. */
  toJSON(): { name: string; code: CaptureErrorCode; offset: number; message: string } {
    return { name: this.name, code: this.code, offset: this.offset, message: this.message };
  }
}
