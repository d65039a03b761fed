/**
 * Robustness as properties: on arbitrary octets and on mutations of valid messages, `decode`
 * returns or throws DecodeError only, within a time budget, builds values no larger than the input
 * justifies, and whatever decodes re-encodes to something that decodes to the same value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { message as messageArb } from '../../codecs/arbitraries.js';
import { decode, DecodeError, encode, parameterOffset, toJson, type DecodeOptions, type Protocol } from '../../codecs/index.js';
import { applyMutation, mutationArb } from '../../fuzz/mutations.js';
import { runs } from '../support/fc.js';

/**
 * Per-call budget against hangs, in CPU time of this process (wall time would trip when other work
 * starves the 2 cores). Real cost is microseconds; this only catches runaway loops.
 */
const BUDGET_MS = 100;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Decoded JSON may be this many times the input (addresses as text, field names) plus a constant. */
const EXPANSION = 64;

type Opts = Pick<DecodeOptions, 'protocol' | 'mode' | 'profile'>;
const optsArb: fc.Arbitrary<Opts> = fc.record({
  protocol: fc.constantFrom<Protocol>('asap', 'enrp'),
  mode: fc.constantFrom('strict' as const, 'lenient' as const),
  profile: fc.constantFrom('rfc' as const, 'legacy' as const, 'auto' as const),
});

/** The oracle every input must satisfy. */
function checkDecode(bytes: Uint8Array, opts: Opts): void {
  const t0 = cpuMs();
  let result;
  try {
    result = decode(bytes, opts);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`non-DecodeError escaped: ${String(e)}`, { cause: e });
    expect(e.code).toMatch(/^RSP_ERR_/);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    return;
  } finally {
    expect(cpuMs() - t0).toBeLessThan(BUDGET_MS);
  }
  expect(JSON.stringify(toJson(result.value)).length).toBeLessThanOrEqual(EXPANSION * bytes.length + 512);
  expect(result.bytesRead).toBeLessThanOrEqual(bytes.length);
  // Stable: what decodes re-encodes (canonically) to octets that decode to the same value.
  const again = decode(encode(result.value), { ...opts, profile: result.profile });
  expect(again.value).toEqual(result.value);
}

describe('decode robustness (properties)', () => {
  it('arbitrary octets', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), optsArb, (b, o) => checkDecode(b, o)), runs(5000));
  });

  it('arbitrary octets behind a plausible header', () => {
    const framed = fc.tuple(fc.nat(15), fc.nat(255), fc.uint8Array({ maxLength: 200 })).map(([type, flags, body]) => {
      const b = new Uint8Array(4 + body.length);
      b[0] = type;
      b[1] = flags;
      b[2] = (b.length >> 8) & 0xff;
      b[3] = b.length & 0xff;
      b.set(body, 4);
      return b;
    });
    fc.assert(fc.property(framed, optsArb, (b, o) => checkDecode(b, o)), runs(5000));
  });

  it('mutations of valid messages (bit flips, lengths, truncation, TLV duplication/removal/reordering/nesting, unknown TLVs, boundary integers)', () => {
    fc.assert(
      fc.property(messageArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.constantFrom('strict' as const, 'lenient' as const), (m, muts, mode) => {
        let bytes = encode(m);
        for (const mu of muts) bytes = applyMutation(bytes, mu, parameterOffset(m.protocol, bytes));
        checkDecode(bytes, { protocol: m.protocol, mode, profile: 'rfc' });
        checkDecode(bytes, { protocol: m.protocol, mode, profile: 'auto' });
      }),
      runs(3000),
    );
  });

  it('a maximal message (64 KiB of parameters) decodes within budget', () => {
    // Worst case for work per octet: the largest message full of the smallest valid TLVs.
    const n = Math.floor((0xffff - 12) / 8);
    const b = new Uint8Array(12 + n * 8);
    b.set([0x06, 0x00, (b.length >> 8) & 0xff, b.length & 0xff], 0);
    for (let i = 0; i < n; i++) b.set([0x80, 0x3f, 0x00, 0x08, 0, 0, 0, 1], 12 + i * 8);
    checkDecode(b, { protocol: 'enrp', mode: 'strict', profile: 'rfc' });
    checkDecode(b, { protocol: 'asap', mode: 'lenient', profile: 'auto' });
  });
});
