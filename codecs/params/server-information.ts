/**
 * Server Information parameter (0x000b), RFC 5354 §3.11: a registrar's 32-bit ID and one transport
 * parameter (its ENRP endpoint). The pre-RFC form had a flags word after the ID (wire-format §7).
 */
import { EncodeError, ERR } from '../errors.js';
import type { ServerInformation } from '../types.js';
import { ParamWalker, type DecodeContext, type Tlv, type Writer, copyBytes } from '../wire.js';
import { beginParam, paramCodec } from './codec.js';
import { isTransport, readTransport, transportLength, writeTransport } from './transport.js';

/** Read a Server Information parameter. */
export function readServerInformation(ctx: DecodeContext, tlv: Tlv, path: string): ServerInformation {
  const fixed = ctx.legacy ? 8 : 4;
  if (tlv.length < 4 + fixed) ctx.fail(ERR.tlvLengthTooSmall, `server information needs at least ${4 + fixed} octets`, tlv.start + 2, path, tlv);
  const serverId = ctx.u32(tlv.valueStart);
  const w = new ParamWalker(ctx, tlv.valueStart + fixed, tlv.end, path);
  const t = w.take();
  // The server's transport is what the parameter is for; rsplib takes any transport type here.
  if (t === null) ctx.fail(ERR.missingParameter, 'server information without a transport', tlv.valueStart + fixed, `${path}.transport`, tlv);
  if (!isTransport(t.name)) ctx.fail(ERR.unexpectedParameter, `expected a transport, found ${t.name}`, t.tlv.start, `${path}.transport`, t.tlv);
  const transport = readTransport(ctx, t.tlv, t.name, `${path}.transport`);
  w.done();
  if (ctx.legacy) return { serverId, transport, legacyFlags: copyBytes(ctx.bytes, tlv.valueStart + 4, tlv.valueStart + 8) };
  return { serverId, transport };
}

/** Write a Server Information parameter. */
export function writeServerInformation(w: Writer, s: ServerInformation, path: string): void {
  if (!Number.isInteger(s.serverId) || s.serverId < 0 || s.serverId > 0xffffffff) throw new EncodeError(`server ID ${s.serverId} is not 32-bit`, path);
  const start = beginParam(w, 'serverInformation', path);
  w.u32(s.serverId, path);
  if (w.legacy) {
    // Legacy rsplib wrote the flags in host byte order; keep the octets as they were.
    const flags = s.legacyFlags ?? new Uint8Array(4);
    if (flags.length !== 4) throw new EncodeError('legacy flags are 4 octets', `${path}.legacyFlags`);
    w.bytes(flags, path);
  } else if (s.legacyFlags) {
    throw new EncodeError('legacy flags need the legacy profile', `${path}.legacyFlags`);
  }
  writeTransport(w, s.transport, `${path}.transport`);
  w.end(start, path);
}

/** Encoded length of a Server Information parameter. */
export const serverInformationLength = (s: ServerInformation, legacy: boolean): number =>
  (legacy ? 12 : 8) + transportLength(s.transport);

/** Server Information parameter codec. */
export const serverInformationParameter = paramCodec<ServerInformation>({
  name: 'serverInformation',
  read: readServerInformation,
  write: writeServerInformation,
  length: serverInformationLength,
});
