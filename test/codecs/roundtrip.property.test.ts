/**
 * Round trip as properties, for every message type: decode(encode(m)) equals m,
 * encodingLength(m) is encode(m).length, and decoding inside a larger buffer at an offset works.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asapMessages, enrpMessages } from '../../codecs/arbitraries.js';
import { decode, encode, encodingLength, messageFromJson, toJson, type Message } from '../../codecs/index.js';
import { runs } from '../support/fc.js';

const RUNS = 1000;

function roundTrip(m: Message, pre: Uint8Array, post: Uint8Array): void {
  const bytes = encode(m);
  expect(bytes.length).toBe(encodingLength(m));
  // rsplib's framing: Message Length counts the padding, so it equals the encoded size.
  expect((bytes[2]! << 8) | bytes[3]!).toBe(bytes.length);
  const r = decode(bytes, { protocol: m.protocol });
  expect(r.value).toEqual(m);
  expect(r.bytesRead).toBe(bytes.length);

  const big = new Uint8Array(pre.length + bytes.length + post.length);
  big.set(pre, 0);
  big.set(bytes, pre.length);
  big.set(post, pre.length + bytes.length);
  const inner = decode(big, { protocol: m.protocol, offset: pre.length, length: bytes.length });
  expect(inner.value).toEqual(m);
  const streamed = decode(big, { protocol: m.protocol, offset: pre.length, allowTrailing: true });
  expect(streamed.bytesRead).toBe(bytes.length);

  const into = new Uint8Array(pre.length + bytes.length);
  encode(m, into, pre.length);
  expect(into.subarray(pre.length)).toEqual(bytes);

  expect(messageFromJson(JSON.parse(JSON.stringify(toJson(m))))).toEqual(m);
}

const junk = fc.uint8Array({ maxLength: 9 });

describe('round trip (properties)', () => {
  for (const [type, arb] of Object.entries(asapMessages)) {
    it(`ASAP ${type}`, () => {
      fc.assert(fc.property(arb, junk, junk, (m, pre, post) => roundTrip(m, pre, post)), runs(RUNS));
    });
  }
  for (const [type, arb] of Object.entries(enrpMessages)) {
    it(`ENRP ${type}`, () => {
      fc.assert(fc.property(arb, junk, junk, (m, pre, post) => roundTrip(m, pre, post)), runs(RUNS));
    });
  }
});
