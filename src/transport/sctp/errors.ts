/**
 * Typed errors of the userland SCTP stack, each with a stable code that callers (and the CLI) can
 * match on without parsing messages.
 */

/** Stable error codes of the SCTP stack. */
export const SCTP_ERR = Object.freeze({
  malformed: 'RSP_ERR_SCTP_MALFORMED_PACKET',
  checksum: 'RSP_ERR_SCTP_BAD_CHECKSUM',
  notEstablished: 'RSP_ERR_SCTP_NOT_ESTABLISHED',
  shuttingDown: 'RSP_ERR_SCTP_SHUTTING_DOWN',
  invalidStream: 'RSP_ERR_SCTP_INVALID_STREAM',
  messageTooLarge: 'RSP_ERR_SCTP_MESSAGE_TOO_LARGE',
  emptyMessage: 'RSP_ERR_SCTP_EMPTY_MESSAGE',
  bufferFull: 'RSP_ERR_SCTP_SEND_BUFFER_FULL',
  tooManyAssociations: 'RSP_ERR_SCTP_TOO_MANY_ASSOCIATIONS',
  associationExists: 'RSP_ERR_SCTP_ASSOCIATION_EXISTS',
  aborted: 'RSP_ERR_SCTP_ABORTED',
  timeout: 'RSP_ERR_SCTP_TIMEOUT',
  closed: 'RSP_ERR_SCTP_ENDPOINT_CLOSED',
  bind: 'RSP_ERR_SCTP_BIND_FAILED',
  badAddress: 'RSP_ERR_SCTP_BAD_ADDRESS',
  badOption: 'RSP_ERR_SCTP_BAD_OPTION',
} as const);

/** One of {@link SCTP_ERR}. */
export type SctpErrorCode = (typeof SCTP_ERR)[keyof typeof SCTP_ERR];

/** An error raised by the SCTP stack. */
export class SctpError extends Error {
  override readonly name = 'SctpError';
  constructor(
    readonly code: SctpErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
