/**
 * The one error the replay throws: a stable code and a message. Bad captures become a
 * {@link ReplayError} (wrapping the reader's own error), never a crash.
 */

/** Stable error codes of the replay; codes never change meaning once published. */
export const REPLAY_ERR = Object.freeze({
  /** The capture cannot be read (the reader's CaptureError is the cause). */
  capture: 'RSP_ERR_REPLAY_CAPTURE',
  /** No registrar could be identified in the capture (and none was named with --registrar). */
  noRegistrar: 'RSP_ERR_REPLAY_NO_REGISTRAR',
  /** `--registrar` names no endpoint that behaves like a registrar in the capture. */
  unknownRegistrar: 'RSP_ERR_REPLAY_UNKNOWN_REGISTRAR',
  /** A bad option value (registrar address, target spec, PE address). */
  badOption: 'RSP_ERR_REPLAY_BAD_OPTION',
  /** The live target could not be reached or failed during the replay. */
  target: 'RSP_ERR_REPLAY_TARGET',
} as const);

/** One of the {@link REPLAY_ERR} codes. */
export type ReplayErrorCode = (typeof REPLAY_ERR)[keyof typeof REPLAY_ERR];

/** A replay that cannot go on. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }

  /** Plain JSON form for reports and the CLI. */
  toJSON(): { name: string; code: ReplayErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
