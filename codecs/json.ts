/**
 * Plain-JSON form of decoded values: byte strings become lower-case hex; a pool handle also gets a
 * `…Text` sibling when all its octets are printable ASCII. `fromJson(toJson(v))` equals `v`.
 */
import { causeName } from './constants.js';
import { EncodeError } from './errors.js';
import type { Message } from './types.js';

/** JSON value type. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Fields that hold octet strings. */
const BYTE_FIELDS: ReadonlySet<string> = new Set(['poolHandle', 'cookie', 'info', 'legacyFlags', 'tlv']);
/** Byte fields that also get a text rendering. */
const TEXT_FIELDS: ReadonlySet<string> = new Set(['poolHandle']);

const printable = (b: Uint8Array): boolean => b.length > 0 && b.every((c) => c >= 0x20 && c <= 0x7e);

/** Convert any decoded value (a message, a parameter, a DecodeResult part) to plain JSON. */
export function toJson(value: unknown): Json {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(toJson);
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = toJson(v);
      // An error cause also gets its name: the RFC 5354 one, or rsplib's for its private numbers.
      if (k === 'code' && typeof v === 'number' && 'info' in value) out.codeName = causeName(v);
      if (TEXT_FIELDS.has(k) && v instanceof Uint8Array && printable(v)) out[`${k}Text`] = Buffer.from(v).toString('latin1');
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** Convert the JSON form back to a message value; throws {@link EncodeError} on malformed input. */
export function messageFromJson(json: unknown): Message {
  return fromJson(json, '') as Message;
}

function fromJson(json: unknown, path: string): unknown {
  if (Array.isArray(json)) return json.map((v, i) => fromJson(v, `${path}[${i}]`));
  if (json === null || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const p = path ? `${path}.${k}` : k;
    if ((k.endsWith('Text') && TEXT_FIELDS.has(k.slice(0, -4))) || k === 'codeName') continue;
    if (BYTE_FIELDS.has(k)) {
      if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new EncodeError(`expected an even-length hex string`, p);
      out[k] = new Uint8Array(Buffer.from(v, 'hex'));
    } else {
      out[k] = fromJson(v, p);
    }
  }
  return out;
}
