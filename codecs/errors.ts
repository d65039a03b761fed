/**
 * Decode errors: one class, stable string codes, the byte offset, the parameter path, and the
 * Operation Error cause a registrar would send back (RFC 5354 §3.12) — plus what rsplib sends.
 */
import { CAUSE, RSPLIB_CAUSE } from './constants.js';

/**
 * Stable error codes. Each names one way a message can be wrong; the value is what `code` holds.
 * Read-only: codes never change meaning once published.
 */
export const ERR = Object.freeze({
  /** Fewer octets than the header or a length field declares: need more bytes (not malformed). */
  incomplete: 'RSP_ERR_INCOMPLETE',
  /** Message Length below 4 or below the type's fixed part. */
  messageLengthTooSmall: 'RSP_ERR_MESSAGE_LENGTH_TOO_SMALL',
  /** The parameters do not end where Message Length (padded or not) says. */
  messageLengthMismatch: 'RSP_ERR_MESSAGE_LENGTH_MISMATCH',
  /** Octets after the end of the message. */
  trailingBytes: 'RSP_ERR_TRAILING_BYTES',
  /** Message type not defined for the protocol. */
  unknownMessageType: 'RSP_ERR_UNKNOWN_MESSAGE_TYPE',
  /** A parameter Length below 4 or below the type's minimum. */
  tlvLengthTooSmall: 'RSP_ERR_TLV_LENGTH_TOO_SMALL',
  /** A parameter Length that runs past its container. */
  tlvOverrun: 'RSP_ERR_TLV_OVERRUN',
  /** A fixed-size parameter with the wrong Length. */
  badLength: 'RSP_ERR_BAD_LENGTH',
  /** Non-zero padding octets. */
  badPadding: 'RSP_ERR_BAD_PADDING',
  /** Non-zero reserved field. */
  reservedNonZero: 'RSP_ERR_RESERVED_NONZERO',
  /** Unknown parameter whose action bits say stop (00) or stop and report (01). */
  unknownParameter: 'RSP_ERR_UNKNOWN_PARAMETER',
  /** A known parameter where another was expected (order). */
  unexpectedParameter: 'RSP_ERR_UNEXPECTED_PARAMETER',
  /** A mandatory parameter is absent. */
  missingParameter: 'RSP_ERR_MISSING_PARAMETER',
  /** More parameters than the type allows (e.g. two addresses in a TCP transport). */
  tooManyParameters: 'RSP_ERR_TOO_MANY_PARAMETERS',
  /** A field outside its allowed range (transport use, empty handle, handle over 32 octets, …). */
  valueOutOfRange: 'RSP_ERR_VALUE_OUT_OF_RANGE',
  /** Policy type not defined by RFC 5356 nor rsplib. */
  unknownPolicy: 'RSP_ERR_UNKNOWN_POLICY',
  /** ASAP transport inside a Pool Element where it is forbidden (ASAP) or missing where required (ENRP). */
  asapTransport: 'RSP_ERR_ASAP_TRANSPORT',
  /** The value cannot be encoded (encoder side). */
  unencodable: 'RSP_ERR_UNENCODABLE',
} as const);

/** One of the {@link ERR} codes. */
export type ErrorCode = (typeof ERR)[keyof typeof ERR];

/** An Operation Error cause: code and the info octets to send with it. */
export interface CauseToSend {
  readonly code: number;
  readonly info: Uint8Array;
}

/** Options of a {@link DecodeError}. */
export interface DecodeErrorInit {
  /** Absolute octet offset in the decoded buffer where the problem is. */
  readonly offset: number;
  /** Parameter path, e.g. `registration.poolElement.userTransport.addresses[1]`. */
  readonly path: string;
  /** RFC 5354 cause to send back; `null` means discard silently (action bits 00). */
  readonly cause: CauseToSend | null;
  /** The cause code rsplib 3.x would put on the wire for the same input; `null` = rsplib stays silent. */
  readonly rsplibCause?: number | null;
  /** For {@link ERR.incomplete}: how many octets in total would be needed. */
  readonly needed?: number;
}

/** The only error a decoder throws. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: ErrorCode;
  readonly offset: number;
  readonly path: string;
  override readonly cause: CauseToSend | null;
  readonly rsplibCause: number | null;
  readonly needed: number | undefined;

  constructor(code: ErrorCode, message: string, init: DecodeErrorInit) {
    // A decode error describes the input (code, offset, path), not our call stack; skipping the
    // stack capture makes rejecting malformed input several times cheaper, which fuzzing and
    // registrars under attack depend on.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${code} at offset ${init.offset} (${init.path || 'message'}): ${message}`);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.offset = init.offset;
    this.path = init.path;
    this.cause = init.cause;
    this.rsplibCause = init.rsplibCause === undefined ? defaultRsplibCause(code, init.cause) : init.rsplibCause;
    this.needed = init.needed;
  }

  /** True when more bytes could make the input decodable: "incomplete", not "malformed". */
  get incomplete(): boolean {
    return this.code === ERR.incomplete;
  }

  /** Plain JSON form for reports and the CLI. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      offset: this.offset,
      path: this.path,
      message: this.message,
      cause: this.cause ? { code: this.cause.code, info: Buffer.from(this.cause.info).toString('hex') } : null,
      rsplibCause: this.rsplibCause,
      ...(this.needed !== undefined ? { needed: this.needed } : {}),
    };
  }
}

/** The error an encoder throws for a value it cannot put on the wire. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  readonly code = ERR.unencodable;
  readonly path: string;
  constructor(message: string, path: string) {
    super(`${ERR.unencodable} (${path}): ${message}`);
    this.path = path;
  }
}

/** rsplib's wire cause for an error class (registrar-behaviour §8, ER-3), used when the caller gives none. */
function defaultRsplibCause(code: ErrorCode, cause: CauseToSend | null): number | null {
  switch (code) {
    case ERR.unknownParameter:
      return cause ? CAUSE.unrecognizedParameter : null;
    case ERR.unknownMessageType:
      return null; // rsplib ignores unknown message types silently
    case ERR.incomplete:
    case ERR.messageLengthTooSmall:
    case ERR.messageLengthMismatch:
    case ERR.trailingBytes:
    case ERR.unexpectedParameter:
    case ERR.missingParameter:
      return RSPLIB_CAUSE.invalidMessage;
    case ERR.tlvLengthTooSmall:
    case ERR.tlvOverrun:
      return CAUSE.invalidValues;
    case ERR.unknownPolicy:
      return RSPLIB_CAUSE.unsupportedPoolPolicy;
    case ERR.asapTransport:
      return RSPLIB_CAUSE.invalidRegistrator;
    default:
      return RSPLIB_CAUSE.invalidValue;
  }
}
