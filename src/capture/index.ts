/**
 * Capture reader: from a pcap/pcapng file down to whole ASAP/ENRP messages (transports.md §4–§5).
 *
 * Entry points: {@link readCaptureMessages} (a file), {@link readCaptureStream} (any chunk
 * stream, e.g. stdin) and {@link CaptureDecoder} (the synchronous push core). The CRC32c helpers
 * are exported for the SCTP stack.
 */
export { readCaptureMessages, readCaptureStream } from './read-capture.js';
export { CaptureDecoder, type CaptureItem, type CaptureSink } from './capture-decoder.js';
export { CAPTURE_DEFAULTS, type CaptureDecoderOptions, type CaptureProgress, type ReadCaptureOptions } from './capture-options.js';
export type { CapturedMessage, CaptureTransport } from './captured-message.js';
export {
  SKIP_REASON,
  type CaptureEvent,
  type CaptureEventKind,
  type CaptureLayer,
  type DuplicateChunkEvent,
  type IncompleteMessageEvent,
  type IpFragmentsEvent,
  type MalformedEvent,
  type SctpChecksumEvent,
  type SkippedFrameEvent,
  type SkippedMessageEvent,
  type SkipReason,
  type SummaryEvent,
  type TruncatedRecordEvent,
} from './capture-events.js';
export type { CaptureSummary } from './capture-summary.js';
export type { CaptureFormat, CaptureRecord, CaptureRecordSink, CaptureTimestamp } from './capture-record.js';
export { CaptureFileReader, type CaptureFileLimits } from './capture-file.js';
export { CAPTURE_ERR, CaptureError, type CaptureErrorCode } from './errors.js';
export { crc32c, crc32cUpdate, sctpChecksum, storedSctpChecksum, verifySctpChecksum, writeSctpChecksum, CRC32C_POLYNOMIAL } from './crc32c.js';
export { LINKTYPE, ETHERTYPE } from './link-types.js';
export { SCTP_CHUNK, SCTP_CHUNK_NAME, sctpChunkName } from './sctp-chunk-types.js';
export { RSERPOOL_PPID, RSERPOOL_PORT, UDP_PORT, type RserpoolProtocol } from './rserpool-ids.js';
