/**
 * The small parameters: Pool Handle (0x0009, RFC 5354 §3.9), Cookie (0x000d, §3.13),
 * PE Identifier (0x000e, §3.14), PE Checksum (0x000f, §3.15) and rsplib's Handle Resolution
 * Option (0x803f, draft-dreibholz-rserpool-asap-hropt).
 */
import { EncodeError, ERR } from '../errors.js';
import { copyBytes, type DecodeContext, type Tlv, type Writer } from '../wire.js';
import { beginParam, paramCodec } from './codec.js';

function u32Checked(v: number, path: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError(`${v} is not an unsigned 32-bit integer`, path);
  return v;
}

// --- opaque octet strings -----------------------------------------------------------------------

function readOpaque(ctx: DecodeContext, tlv: Tlv, path: string, what: string): Uint8Array {
  // Both a pool handle and a cookie hold at least one octet; rsplib refuses empty ones too.
  if (tlv.length < 5) ctx.fail(ERR.tlvLengthTooSmall, `${what} must hold at least one octet`, tlv.start + 2, path, tlv);
  return copyBytes(ctx.bytes, tlv.valueStart, tlv.end);
}

function writeOpaque(w: Writer, name: 'poolHandle' | 'cookie', v: Uint8Array, path: string): void {
  if (v.length === 0) throw new EncodeError(`${name} must hold at least one octet`, path);
  const start = beginParam(w, name, path);
  w.bytes(v, path);
  w.end(start, path);
}

/** Read a Pool Handle parameter: opaque octets; identity is the exact octets and their count. */
export const readPoolHandle = (ctx: DecodeContext, tlv: Tlv, path: string): Uint8Array => readOpaque(ctx, tlv, path, 'pool handle');
/** Write a Pool Handle parameter. */
export const writePoolHandle = (w: Writer, v: Uint8Array, path: string): void => writeOpaque(w, 'poolHandle', v, path);
/** Read a Cookie parameter. */
export const readCookie = (ctx: DecodeContext, tlv: Tlv, path: string): Uint8Array => readOpaque(ctx, tlv, path, 'cookie');
/** Write a Cookie parameter. */
export const writeCookie = (w: Writer, v: Uint8Array, path: string): void => writeOpaque(w, 'cookie', v, path);

/** Pool Handle parameter codec. */
export const poolHandleParameter = paramCodec<Uint8Array>({
  name: 'poolHandle',
  read: readPoolHandle,
  write: writePoolHandle,
  length: (v) => 4 + v.length,
});
/** Cookie parameter codec. */
export const cookieParameter = paramCodec<Uint8Array>({
  name: 'cookie',
  read: readCookie,
  write: writeCookie,
  length: (v) => 4 + v.length,
});

// --- fixed 32-bit values ------------------------------------------------------------------------

function readFixed32(ctx: DecodeContext, tlv: Tlv, path: string, what: string): number {
  // Length is exactly 8; rsplib rejects anything else with its "invalid value".
  if (tlv.length !== 8) ctx.fail(ERR.badLength, `${what} length ${tlv.length}, must be 8`, tlv.start + 2, path, tlv);
  return ctx.u32(tlv.valueStart);
}

function writeFixed32(w: Writer, name: 'peIdentifier' | 'handleResolutionOption', v: number, path: string): void {
  const start = beginParam(w, name, path);
  w.u32(u32Checked(v, path), path);
  w.end(start, path);
}

/** Read a PE Identifier parameter. */
export const readPeIdentifier = (ctx: DecodeContext, tlv: Tlv, path: string): number => readFixed32(ctx, tlv, path, 'PE identifier');
/** Write a PE Identifier parameter. */
export const writePeIdentifier = (w: Writer, v: number, path: string): void => writeFixed32(w, 'peIdentifier', v, path);
/** Read the Items of a Handle Resolution Option parameter. */
export const readHandleResolutionOption = (ctx: DecodeContext, tlv: Tlv, path: string): number =>
  readFixed32(ctx, tlv, path, 'handle resolution option');
/** Write a Handle Resolution Option parameter. */
export const writeHandleResolutionOption = (w: Writer, v: number, path: string): void =>
  writeFixed32(w, 'handleResolutionOption', v, path);

/** PE Identifier parameter codec. */
export const peIdentifierParameter = paramCodec<number>({
  name: 'peIdentifier',
  read: readPeIdentifier,
  write: writePeIdentifier,
  length: () => 8,
});
/** Handle Resolution Option parameter codec (value = Items). */
export const handleResolutionOptionParameter = paramCodec<number>({
  name: 'handleResolutionOption',
  read: readHandleResolutionOption,
  write: writeHandleResolutionOption,
  length: () => 8,
});

// --- PE checksum ----------------------------------------------------------------------------------

/** Read a PE Checksum parameter: Length 6, a 16-bit checksum, 2 octets of padding. */
export function readPeChecksum(ctx: DecodeContext, tlv: Tlv, path: string): number {
  // The parameter is 6 octets long (padding not counted); rsplib refuses a 32-bit variant (Length 8).
  if (tlv.length !== 6) ctx.fail(ERR.badLength, `PE checksum length ${tlv.length}, must be 6`, tlv.start + 2, path, tlv);
  return ctx.u16(tlv.valueStart);
}

/** Write a PE Checksum parameter. */
export function writePeChecksum(w: Writer, v: number, path: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new EncodeError(`checksum ${v} is not 16-bit`, path);
  const start = beginParam(w, 'peChecksum', path);
  w.u16(v, path);
  w.end(start, path);
}

/** PE Checksum parameter codec. */
export const peChecksumParameter = paramCodec<number>({
  name: 'peChecksum',
  read: readPeChecksum,
  write: writePeChecksum,
  length: () => 6,
});
