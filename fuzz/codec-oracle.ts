/**
 * What must hold for every input fed to the decoder (issue #8, parser fuzzing): only DecodeError
 * escapes; what decodes re-encodes to octets that decode to the same value; no input takes longer
 * than a budget; the decoded value is bounded by the input size.
 */
import { DecodeError, encode, type DecodeOptions } from '../codecs/index.js';
// The non-throwing form of `decode` (same checks, same errors): most fuzzing inputs are malformed,
// and a thrown Error costs more than rejecting the input did.
import { tryDecode } from '../codecs/message.js';

/** How one decode call went. */
export type OracleVerdict =
  | { readonly ok: true; readonly decoded: boolean; readonly type?: string; readonly errorCode?: string }
  | { readonly ok: false; readonly oracle: OracleName; readonly detail: string };

/** The properties checked; a finding names the one that failed. */
export type OracleName = 'non-decode-error' | 'unstable-roundtrip' | 'encode-failed' | 'too-slow' | 'oversized-value';

/** Limits of the oracle. */
export interface OracleLimits {
  /** CPU milliseconds one decode + re-encode may take. */
  readonly budgetMs: number;
  /**
   * The canonical re-encoding of a decoded value may exceed the input by this many octets (final
   * padding). The value is built from what it encodes, so this bounds what decoding allocates.
   */
  readonly slack: number;
}

/** Defaults: far above real cost (microseconds), so only runaway work trips them. */
export const DEFAULT_LIMITS: OracleLimits = Object.freeze({ budgetMs: 100, slack: 8 });

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Run every oracle on one input. Never throws. */
export function checkInput(bytes: Uint8Array, options: Pick<DecodeOptions, 'protocol' | 'mode' | 'profile'>, limits: OracleLimits = DEFAULT_LIMITS): OracleVerdict {
  // Wall time is cheap to read; only an input that looks slow is measured again in CPU time, so a
  // loaded machine cannot produce a false finding.
  const t0 = performance.now();
  const verdict = run(bytes, options, limits);
  if (verdict.ok && performance.now() - t0 > limits.budgetMs) {
    const c0 = cpuMs();
    run(bytes, options, limits);
    const spent = cpuMs() - c0;
    if (spent > limits.budgetMs) {
      return { ok: false, oracle: 'too-slow', detail: `decode and re-encode took ${spent.toFixed(1)} ms of CPU (budget ${limits.budgetMs} ms)` };
    }
  }
  return verdict;
}

function run(bytes: Uint8Array, options: Pick<DecodeOptions, 'protocol' | 'mode' | 'profile'>, limits: OracleLimits): OracleVerdict {
  let first;
  try {
    first = tryDecode(bytes, options);
  } catch (e) {
    // tryDecode returns DecodeErrors, so whatever is thrown is something else; a DecodeError
    // thrown anyway would still be a decode error, as `decode` would throw it.
    if (e instanceof DecodeError) return { ok: true, decoded: false, errorCode: e.code };
    return { ok: false, oracle: 'non-decode-error', detail: describe(e) };
  }
  if (first instanceof DecodeError) return { ok: true, decoded: false, errorCode: first.code };
  let again: Uint8Array;
  try {
    again = encode(first.value);
  } catch (e) {
    return { ok: false, oracle: 'encode-failed', detail: `a decoded value does not encode: ${describe(e)}` };
  }
  if (again.length > bytes.length + limits.slack) {
    return { ok: false, oracle: 'oversized-value', detail: `${bytes.length} input octets decoded to a value that encodes to ${again.length}` };
  }
  try {
    // Encoding is canonical and one-to-one, so equal re-encodings mean equal values.
    const second = tryDecode(again, { ...options, profile: first.profile });
    if (second instanceof DecodeError) throw second;
    if (Buffer.compare(encode(second.value), again) !== 0) {
      return { ok: false, oracle: 'unstable-roundtrip', detail: 'decode(encode(decode(x))) differs from decode(x)' };
    }
  } catch (e) {
    return { ok: false, oracle: 'unstable-roundtrip', detail: `the re-encoding does not decode: ${describe(e)}` };
  }
  return { ok: true, decoded: true, type: `${options.protocol}.${first.value.type}` };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
