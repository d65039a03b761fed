/**
 * One-line text of a message for traces and verdicts: the type and the decoded fields as JSON
 * (pool handles shown as text when printable).
 */
import { decode, toJson, type Message } from '../../codecs/index.js';

/** `asap registration {…}`. */
export function describeMessage(m: Message): string {
  const { protocol, type, ...rest } = m;
  return `${protocol} ${type} ${JSON.stringify(toJson(rest))}`;
}

/** Decodes octets for a trace line; undecodable input is shown as hex with the reason. */
export function describeBytes(bytes: Uint8Array, protocol: 'asap' | 'enrp'): string {
  try {
    return describeMessage(decode(bytes, { protocol, mode: 'lenient', profile: 'auto' }).value);
  } catch (e) {
    const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
    return `${protocol} undecodable (${e instanceof Error ? e.message : String(e)}): ${hex}`;
  }
}
