/**
 * Operation Error parameter (0x000c), RFC 5354 §3.12: one or more causes of
 * Cause Code (2), Cause Length (2, own padding excluded), cause-specific info.
 */
import { EncodeError, ERR } from '../errors.js';
import type { ErrorCause, OperationError } from '../types.js';
import { pad4, type DecodeContext, type Tlv, type Writer, copyBytes } from '../wire.js';
import { beginParam, paramCodec } from './codec.js';

/** Read an Operation Error. Cause info stays raw: it may be a TLV, a message, or nothing parseable. */
export function readOperationError(ctx: DecodeContext, tlv: Tlv, path: string): OperationError {
  const causes: ErrorCause[] = [];
  let o = tlv.valueStart;
  while (o < tlv.end) {
    const cpath = `${path}.causes[${causes.length}]`;
    if (tlv.end - o < 4) {
      ctx.violation(ERR.trailingBytes, `${tlv.end - o} stray octets after the last cause`, o, cpath, tlv);
      break;
    }
    const code = ctx.u16(o);
    const length = ctx.u16(o + 2);
    if (length < 4) ctx.fail(ERR.tlvLengthTooSmall, `cause length ${length} is below 4`, o + 2, cpath, tlv);
    if (o + length > tlv.end) ctx.fail(ERR.tlvOverrun, `cause length ${length} runs past the operation error`, o + 2, cpath, tlv);
    causes.push({ code, info: copyBytes(ctx.bytes, o + 4, o + length) });
    const next = Math.min(o + pad4(length), tlv.end);
    for (let i = o + length; i < next; i++) {
      if (ctx.bytes[i] !== 0) {
        ctx.violation(ERR.badPadding, 'non-zero cause padding', i, cpath, tlv);
        break;
      }
    }
    o = next;
  }
  // The parameter carries one or more causes.
  if (causes.length === 0) ctx.fail(ERR.missingParameter, 'operation error without any cause', tlv.start, path, tlv);
  return { causes };
}

/**
 * Write an Operation Error. Causes are padded between each other; the last one's padding is left
 * outside the parameter's Length, as rsplib writes it (its Length is then not a multiple of 4).
 */
export function writeOperationError(w: Writer, e: OperationError, path: string): void {
  if (e.causes.length === 0) throw new EncodeError('an operation error needs at least one cause', path);
  const start = beginParam(w, 'operationError', path);
  e.causes.forEach((c, i) => {
    const cpath = `${path}.causes[${i}]`;
    if (!Number.isInteger(c.code) || c.code < 0 || c.code > 0xffff) throw new EncodeError(`cause code ${c.code} is not 16-bit`, cpath);
    const cstart = w.pos;
    w.u16(c.code, cpath);
    w.u16(0, cpath);
    w.bytes(c.info, cpath);
    w.end(cstart, cpath, i < e.causes.length - 1);
  });
  w.end(start, path);
}

/** Encoded length of an Operation Error (without its own trailing padding). */
export function operationErrorLength(e: OperationError): number {
  let n = 4;
  e.causes.forEach((c, i) => {
    n += i < e.causes.length - 1 ? pad4(4 + c.info.length) : 4 + c.info.length;
  });
  return n;
}

/** Operation Error parameter codec. */
export const operationErrorParameter = paramCodec<OperationError>({
  name: 'operationError',
  read: readOperationError,
  write: writeOperationError,
  length: operationErrorLength,
});
