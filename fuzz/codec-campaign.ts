/**
 * Parser fuzzing campaign: structure-aware inputs (the codec arbitraries and a corpus of real
 * messages) under named mutations, checked by the codec oracle. Every iteration derives its own
 * random source from (seed, iteration), so any input can be rebuilt; findings are minimised and
 * saved with the octets, the seed, the mutations and the failure.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { message as messageArb } from '../codecs/arbitraries.js';
import { encode, parameterOffset, type Mode, type Profile, type Protocol } from '../codecs/index.js';
import { Random } from '../src/util/random.js';
import { checkInput, DEFAULT_LIMITS, type OracleLimits, type OracleName } from './codec-oracle.js';
import { applyMutationTo, type Mutation } from './mutations.js';
import { randomMutations } from './random-mutation.js';

/** One seed input. */
export interface CorpusEntry {
  readonly protocol: Protocol;
  readonly bytes: Uint8Array;
  /** Where it came from (capture file and frame, `generated`, a corpus file name). */
  readonly origin: string;
}

/** A saved finding: enough to replay it from the file alone. */
export interface CodecFinding {
  readonly kind: 'codec';
  readonly version: 1;
  readonly oracle: OracleName;
  readonly detail: string;
  readonly protocol: Protocol;
  readonly mode: Mode;
  readonly profile: Profile | 'auto';
  /** The minimised input, hex. */
  readonly hex: string;
  /** How it was found: campaign seed, iteration, seed input and mutations (before minimising). */
  readonly seed: number;
  readonly iteration: number;
  readonly origin: string;
  readonly originalHex: string;
  readonly mutations: readonly Mutation[];
}

/** Progress, reported about once a second. */
export interface CampaignProgress {
  readonly execs: number;
  readonly seconds: number;
  readonly findings: number;
  readonly typesCovered: number;
  readonly errorCodes: number;
}

/** Campaign settings. */
export interface CodecCampaignOptions {
  readonly seed: number;
  /** Stop after this many seconds (wall clock) … */
  readonly seconds?: number;
  /** … or after this many inputs, whichever comes first. */
  readonly runs?: number;
  readonly corpus: readonly CorpusEntry[];
  /** Structure-aware inputs generated from the codec arbitraries and added to the corpus. */
  readonly generated?: number;
  /** Where findings are written (not written when absent). */
  readonly findingsDir?: string;
  readonly limits?: OracleLimits;
  readonly onProgress?: (p: CampaignProgress) => void;
  /** Stop at the first finding (for tests and replays). */
  readonly stopOnFinding?: boolean;
}

/** What a campaign did. */
export interface CodecCampaignResult {
  readonly execs: number;
  readonly seconds: number;
  readonly decoded: number;
  readonly findings: readonly (CodecFinding & { readonly file?: string })[];
  /** Message types that decoded at least once. */
  readonly typesCovered: readonly string[];
  /** DecodeError codes met, with counts. */
  readonly errorCodes: Readonly<Record<string, number>>;
}

const MODES: readonly Mode[] = ['strict', 'lenient'];
const PROFILES: readonly (Profile | 'auto')[] = ['rfc', 'auto', 'legacy'];

/** Rebuild the input of iteration `i` of a campaign with this seed and corpus. */
export function inputOf(seed: number, i: number, corpus: readonly CorpusEntry[]): { entry: CorpusEntry; mutations: Mutation[]; mode: Mode; profile: Profile | 'auto' } {
  const r = new Random(seed * 0x9e3779b1 + i);
  const entry = corpus[r.nextBelow(corpus.length)]!;
  const mode = MODES[r.nextBelow(MODES.length)]!;
  const profile = PROFILES[r.nextBelow(PROFILES.length)]!;
  return { entry, mutations: randomMutations(r), mode, profile };
}

/** Apply mutations in order to a seed input. */
export function mutate(entry: CorpusEntry, mutations: readonly Mutation[]): Uint8Array {
  let b = entry.bytes;
  // The first mutation copies the seed; later ones may then work on that copy in place.
  for (let k = 0; k < mutations.length; k++) b = applyMutationTo(b, mutations[k]!, parameterOffset(entry.protocol, b), k > 0);
  return b;
}

/** Add `n` generated messages (deterministic for the seed) to a corpus. */
export function withGenerated(corpus: readonly CorpusEntry[], seed: number, n: number): CorpusEntry[] {
  const out = [...corpus];
  if (n > 0) {
    for (const m of fc.sample(messageArb, { seed, numRuns: n })) out.push({ protocol: m.protocol, bytes: encode(m), origin: 'generated' });
  }
  return out;
}

/** Run a campaign. */
export function runCodecCampaign(o: CodecCampaignOptions): CodecCampaignResult {
  const corpus = withGenerated(o.corpus, o.seed, o.generated ?? 2000);
  if (corpus.length === 0) throw new Error('the corpus is empty and nothing was generated');
  const limits = o.limits ?? DEFAULT_LIMITS;
  const started = Date.now();
  const deadline = o.seconds !== undefined ? started + o.seconds * 1000 : Infinity;
  const maxRuns = o.runs ?? Infinity;
  if (deadline === Infinity && maxRuns === Infinity) throw new Error('give a number of seconds or runs');
  const types = new Set<string>();
  const errorCodes: Record<string, number> = {};
  const findings: (CodecFinding & { file?: string })[] = [];
  const seen = new Set<string>();
  let decoded = 0;
  let i = 0;
  let nextReport = started + 1000;
  for (; i < maxRuns; i++) {
    // Checking the clock every 256 inputs keeps its cost out of the loop.
    if ((i & 0xff) === 0) {
      const now = Date.now();
      if (now >= deadline) break;
      if (now >= nextReport && o.onProgress) {
        nextReport = now + 1000;
        o.onProgress({ execs: i, seconds: (now - started) / 1000, findings: findings.length, typesCovered: types.size, errorCodes: Object.keys(errorCodes).length });
      }
    }
    const { entry, mutations, mode, profile } = inputOf(o.seed, i, corpus);
    const bytes = mutate(entry, mutations);
    const v = checkInput(bytes, { protocol: entry.protocol, mode, profile }, limits);
    if (v.ok) {
      if (v.decoded) {
        decoded++;
        types.add(v.type!);
      } else errorCodes[v.errorCode!] = (errorCodes[v.errorCode!] ?? 0) + 1;
      continue;
    }
    const min = minimise(bytes, (b) => {
      const w = checkInput(b, { protocol: entry.protocol, mode, profile }, limits);
      return !w.ok && w.oracle === v.oracle;
    });
    const finding: CodecFinding = {
      kind: 'codec',
      version: 1,
      oracle: v.oracle,
      detail: v.detail,
      protocol: entry.protocol,
      mode,
      profile,
      hex: Buffer.from(min).toString('hex'),
      seed: o.seed,
      iteration: i,
      origin: entry.origin,
      originalHex: Buffer.from(entry.bytes).toString('hex'),
      mutations,
    };
    const key = `${finding.oracle}:${finding.hex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(o.findingsDir ? { ...finding, file: saveFinding(o.findingsDir, finding) } : finding);
    if (o.stopOnFinding) {
      i++;
      break;
    }
  }
  return { execs: i, seconds: (Date.now() - started) / 1000, decoded, findings, typesCovered: [...types].sort(), errorCodes };
}

/**
 * Shrink an input while `stillFails` holds: drop halves, quarters, … then single octets, then zero
 * octets. Bounded work, deterministic.
 */
export function minimise(input: Uint8Array, stillFails: (b: Uint8Array) => boolean, maxTries = 4000): Uint8Array {
  let best = input;
  let tries = 0;
  for (let chunk = best.length >> 1; chunk >= 1 && tries < maxTries; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && tries < maxTries; ) {
      const cand = new Uint8Array(best.length - chunk);
      cand.set(best.subarray(0, at));
      cand.set(best.subarray(at + chunk), at);
      tries++;
      if (stillFails(cand)) best = cand;
      else at += chunk;
    }
  }
  for (let at = 0; at < best.length && tries < maxTries; at++) {
    if (best[at] === 0) continue;
    const cand = Uint8Array.from(best);
    cand[at] = 0;
    tries++;
    if (stillFails(cand)) best = cand;
  }
  return best;
}

function saveFinding(dir: string, f: CodecFinding): string {
  mkdirSync(dir, { recursive: true });
  const id = createHash('sha256').update(`${f.oracle}:${f.hex}`).digest('hex').slice(0, 12);
  const file = join(dir, `codec-${f.oracle}-${id}.json`);
  writeFileSync(file, `${JSON.stringify(f, null, 2)}\n`);
  return file;
}

/** Re-run a saved finding; `reproduced` is true when it still fails the same way. */
export function replayCodecFinding(f: CodecFinding, limits: OracleLimits = DEFAULT_LIMITS): { reproduced: boolean; verdict: ReturnType<typeof checkInput> } {
  const verdict = checkInput(new Uint8Array(Buffer.from(f.hex, 'hex')), { protocol: f.protocol, mode: f.mode, profile: f.profile }, limits);
  return { reproduced: !verdict.ok && verdict.oracle === f.oracle, verdict };
}
