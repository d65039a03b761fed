/**
 * Octet-level surgery on encoded messages, for malformed input and unknown parameters: split a
 * message into its header and top-level TLVs, insert or replace TLVs, and put it back together
 * with a correct Message Length.
 */

/** A TLV with `type` and `value`, padded to 4 octets (the Length field excludes the padding). */
export function tlv(type: number, value: Uint8Array): Uint8Array {
  const len = 4 + value.length;
  const out = new Uint8Array((len + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, type);
  v.setUint16(2, len);
  out.set(value, 4);
  return out;
}

/** Header (4 octets ASAP, 12 ENRP) and the top-level TLVs of an encoded message. */
export function split(bytes: Uint8Array, protocol: 'asap' | 'enrp'): { header: Uint8Array; params: Uint8Array[] } {
  // ENRP: 4-octet header plus Sending and Receiving IDs; a Handle Update adds its action word.
  const headerLength = protocol === 'asap' ? 4 : bytes[0] === 0x04 ? 16 : 12;
  const header = bytes.slice(0, headerLength);
  const params: Uint8Array[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = headerLength;
  while (at + 4 <= bytes.length) {
    const len = v.getUint16(at + 2);
    const padded = (len + 3) & ~3;
    params.push(bytes.slice(at, at + padded));
    at += Math.max(padded, 4);
  }
  return { header, params };
}

/** Header plus TLVs, with the Message Length rewritten. */
export function join(header: Uint8Array, params: readonly Uint8Array[]): Uint8Array {
  const total = header.length + params.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let at = header.length;
  for (const p of params) {
    out.set(p, at);
    at += p.length;
  }
  new DataView(out.buffer).setUint16(2, total);
  return out;
}

/** `bytes` with `extra` inserted as the top-level TLV number `index`. */
export function insertParam(bytes: Uint8Array, protocol: 'asap' | 'enrp', index: number, extra: Uint8Array): Uint8Array {
  const { header, params } = split(bytes, protocol);
  params.splice(index, 0, extra);
  return join(header, params);
}

/** `bytes` with the top-level TLV number `index` replaced. */
export function replaceParam(bytes: Uint8Array, protocol: 'asap' | 'enrp', index: number, replacement: Uint8Array): Uint8Array {
  const { header, params } = split(bytes, protocol);
  params[index] = replacement;
  return join(header, params);
}

/** `bytes` with its Message Length field set to `length` (no other change). */
export function withLength(bytes: Uint8Array, length: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint16(2, length);
  return out;
}
