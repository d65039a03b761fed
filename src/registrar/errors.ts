/**
 * Answers to undecodable input (RFC 5354 §2 action bits, `registrar-behaviour.md` §8 ER-1 … ER-3).
 */
import {
  ASAP_TYPE,
  CAUSE,
  DecodeError,
  ENRP_TYPE,
  type DecodeResult,
  type ErrorCause,
  type Message,
  decode,
} from '../../codecs/index.js';
import type { RegistrarCore } from './core.js';

/** A decoded message, or what to do instead. */
export type Decoded = { readonly ok: true; readonly message: Message; readonly result: DecodeResult | undefined } | { readonly ok: false };

/**
 * Decodes raw octets; on failure emits the Error answer (or nothing, per the cause table) and
 * returns `ok: false`. `replyTo` is the association to answer on; undefined (UDP) never answers (ER-3).
 */
export function decodeOrAnswer(core: RegistrarCore, protocol: 'asap' | 'enrp', bytes: Uint8Array, replyTo: number | undefined): Decoded {
  try {
    const result = decode(bytes, { protocol, mode: core.config.decodeMode, profile: 'auto' });
    return { ok: true, message: result.value, result };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // ER-3 / ER-1: the RFC profile sends the RFC 5354 cause, rsplib its private number; null = silent.
    const code = core.config.causeProfile === 'rfc' ? (e.cause?.code ?? null) : e.rsplibCause;
    const isError = bytes.length > 0 && bytes[0] === (protocol === 'asap' ? ASAP_TYPE.error : ENRP_TYPE.error);
    core.log('warn', 'decode.failed', 'ER-3', { protocol, code: e.code, offset: e.offset, path: e.path, answered: code !== null && !isError && replyTo !== undefined });
    // ER-3: an Error message is never answered with an Error, and UDP never gets one.
    if (code === null || isError || replyTo === undefined) return { ok: false };
    const cause: ErrorCause = { code, info: e.cause?.info ?? new Uint8Array(0) };
    core.send(replyTo, errorMessage(protocol, cause, bytes));
    return { ok: false };
  }
}

/** ASAP_ERROR or ENRP_ERROR with one cause; ENRP copies the offending IDs unswapped (ER-3). */
export function errorMessage(protocol: 'asap' | 'enrp', cause: ErrorCause, offending?: Uint8Array): Message {
  if (protocol === 'asap') return { protocol: 'asap', type: 'error', operationError: { causes: [cause] } };
  let senderId = 0;
  let receiverId = 0;
  if (offending !== undefined && offending.length >= 12) {
    const v = new DataView(offending.buffer, offending.byteOffset, offending.byteLength);
    senderId = v.getUint32(4);
    receiverId = v.getUint32(8);
  }
  return { protocol: 'enrp', type: 'error', senderId, receiverId, operationError: { causes: [cause] } };
}

/** ER-1: parameters with action bits 11 are reported with Unrecognized Parameter (RFC profile only; rsplib never does). */
export function reportSkipped(core: RegistrarCore, protocol: 'asap' | 'enrp', result: DecodeResult | undefined, replyTo: number | undefined): void {
  if (result === undefined || replyTo === undefined || core.config.causeProfile !== 'rfc') return;
  for (const p of result.toReport) {
    core.send(replyTo, errorMessage(protocol, { code: CAUSE.unrecognizedParameter, info: p.tlv }));
    core.log('info', 'parameter.reported', 'ER-1', { type: p.type });
  }
}
