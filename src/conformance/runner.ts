/**
 * Runs conformance cases against a Target and turns outcomes into verdicts: PASS, FAIL, TIMEOUT,
 * ERROR (target dead or the case crashed), SKIP (a role or capability the target lacks), XFAIL and
 * XPASS (listed as expected to fail). A sanity exchange runs before and after the run and after
 * every TIMEOUT; once the target is dead every remaining case is an ERROR.
 */
import { areaOf, CaseFailure, CaseSkip, CaseTimeout, type CaseContext, type ConformanceCase, type Level, type RequirementRef } from './case.js';
import { resolveTargetConfig, type Role, type Target, type TargetDescription, type TraceEntry } from './target.js';

/** Every verdict a case can get. */
export type Verdict = 'PASS' | 'FAIL' | 'TIMEOUT' | 'ERROR' | 'SKIP' | 'XFAIL' | 'XPASS';

/** Verdicts that make the run fail. */
export const UNEXPECTED: ReadonlySet<Verdict> = new Set(['FAIL', 'TIMEOUT', 'ERROR', 'XPASS']);

/** The outcome of one case. */
export interface CaseResult {
  readonly id: string;
  readonly area: string;
  readonly rule: string;
  readonly requirements: readonly RequirementRef[];
  readonly roles: readonly Role[];
  readonly verdict: Verdict;
  /** The requirement the failing check named, with its level. */
  readonly requirement?: string;
  readonly level?: Level;
  readonly expected?: string;
  readonly actual?: string;
  /** SKIP / ERROR reason. */
  readonly reason?: string;
  /** Wall-clock ms. */
  readonly durationMs: number;
  /** Target time the case took, ms. */
  readonly targetMs: number;
  /** The exchange; kept for every verdict but PASS / SKIP. */
  readonly trace: readonly TraceEntry[];
}

/** The result of a run. */
export interface RunReport {
  readonly target: TargetDescription;
  readonly seed: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly sanity: { readonly before: boolean; readonly after: boolean; readonly afterTimeouts: readonly { readonly after: string; readonly ok: boolean }[] };
  readonly results: readonly CaseResult[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** True when no verdict is unexpected and the target was alive at the end. */
  readonly ok: boolean;
}

/** Options of {@link runCases}. */
export interface RunOptions {
  readonly seed?: number;
  /** Case IDs expected to fail (FAIL/TIMEOUT → XFAIL, PASS → XPASS). */
  readonly expectFail?: ReadonlySet<string>;
  /** Multiplies deadlines on real-time targets (and the wall-clock guard). */
  readonly timeoutScale?: number;
  /** Called after each case (live progress). */
  readonly onResult?: (r: CaseResult, index: number, total: number) => void;
}

/** Cases whose ID starts with one of `only` (all if empty) and none of `exclude`; prefixes end at `/` boundaries. */
export function selectCases(cases: readonly ConformanceCase[], only: readonly string[] = [], exclude: readonly string[] = []): ConformanceCase[] {
  const matches = (id: string, p: string) => {
    const q = p.replace(/\/+$/, '');
    return id === q || id.startsWith(`${q}/`);
  };
  return cases.filter((c) => (only.length === 0 || only.some((p) => matches(c.id, p))) && !exclude.some((p) => matches(c.id, p)));
}

/** FNV-1a of a string mixed with a seed: the per-case seed. */
export function caseSeed(runSeed: number, id: string): number {
  let h = (0x811c9dc5 ^ runSeed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}

function contextFor(target: Target, description: TargetDescription, seed: number): CaseContext {
  let state = seed >>> 0 || 1;
  let pools = 0;
  const next = () => {
    // xorshift32: deterministic per case seed.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return {
    target,
    description,
    config: resolveTargetConfig(description.config),
    seed,
    pool: (name = 'pool') => new TextEncoder().encode(`cf${seed.toString(36)}-${name.slice(0, 12)}-${++pools}`),
    id: () => {
      for (;;) {
        const v = next();
        if (v !== 0) return v;
      }
    },
  };
}

/** A minimal exchange: a PU resolves a pool handle and some Handle Resolution Response comes back. */
export async function sanityExchange(target: Target, withinMs = 5000): Promise<boolean> {
  try {
    const pu = await target.open('pu', { name: 'sanity' });
    pu.send({ protocol: 'asap', type: 'handleResolution', poolHandle: new TextEncoder().encode('sanity-check') });
    const deadline = pu.now() + withinMs;
    for (;;) {
      const r = await pu.receive(Math.max(0, deadline - pu.now()));
      if (r === undefined) return false;
      if (r.message.type === 'handleResolutionResponse') return true;
    }
  } catch {
    return false;
  } finally {
    await target.endCase().catch(() => undefined);
  }
}

/** Why a case cannot run here, or undefined. */
function skipReason(c: ConformanceCase, d: TargetDescription): string | undefined {
  for (const role of c.roles) if (!d.capabilities.roles.includes(role)) return `needs the ${role} role, which ${d.name} cannot offer`;
  for (const need of c.needs ?? []) {
    if (need === 'poolLimit' && d.config.maxPoolElementsPerPool === undefined) return 'the target description gives no pool size limit';
    if (need !== 'poolLimit' && !d.capabilities[need]) return `needs ${need}, which ${d.name} cannot offer`;
  }
  return undefined;
}

function withGuard<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeout('(deadline)', `the case to finish within ${ms} ms of wall-clock time`, ms)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/** Runs `cases` in order against `target`. */
export async function runCases(target: Target, cases: readonly ConformanceCase[], options: RunOptions = {}): Promise<RunReport> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const scale = options.timeoutScale ?? 1;
  const description = target.describe();
  const expectFail = options.expectFail ?? new Set<string>();
  const results: CaseResult[] = [];
  const afterTimeouts: { after: string; ok: boolean }[] = [];
  const before = await sanityExchange(target);
  let dead = before ? undefined : 'the sanity exchange before the run got no answer: target unreachable';
  for (const [i, c] of cases.entries()) {
    const base = { id: c.id, area: areaOf(c.id), rule: c.rule, requirements: c.requirements, roles: c.roles };
    const t0 = Date.now();
    let result: CaseResult;
    const skip = skipReason(c, description);
    if (dead !== undefined) {
      result = { ...base, verdict: 'ERROR', reason: dead, durationMs: 0, targetMs: 0, trace: [] };
    } else if (skip !== undefined) {
      result = { ...base, verdict: 'SKIP', reason: skip, durationMs: 0, targetMs: 0, trace: [] };
    } else {
      await target.beginCase(c.id);
      const tStart = target.now();
      const ctx = contextFor(target, description, caseSeed(seed, c.id));
      // Virtual-time targets finish in milliseconds; the wall-clock guard only catches hangs.
      const wall = description.capabilities.virtualTime ? 20_000 * scale : Math.max(2000, c.deadline * scale * 2);
      let outcome: Omit<CaseResult, keyof typeof base | 'durationMs' | 'targetMs' | 'trace'>;
      try {
        await withGuard(c.run(ctx), wall);
        outcome = { verdict: 'PASS' };
      } catch (e) {
        outcome = classify(e, c);
      }
      const targetMs = target.now() - tStart;
      if (outcome.verdict === 'PASS' && !description.capabilities.virtualTime && targetMs > c.deadline * scale) {
        outcome = { verdict: 'TIMEOUT', requirement: '(deadline)', expected: `done within ${c.deadline * scale} ms`, actual: `took ${targetMs} ms` };
      }
      const trace = await target.endCase();
      result = { ...base, ...outcome, durationMs: Date.now() - t0, targetMs, trace: keepTrace(outcome.verdict, expectFail.has(c.id)) ? trace : [] };
      if (result.verdict === 'TIMEOUT') {
        const ok = await sanityExchange(target);
        afterTimeouts.push({ after: c.id, ok });
        if (!ok) dead = `target dead: the sanity exchange after the TIMEOUT of ${c.id} got no answer`;
      }
    }
    if (expectFail.has(c.id)) {
      if (result.verdict === 'FAIL' || result.verdict === 'TIMEOUT') result = { ...result, verdict: 'XFAIL' };
      else if (result.verdict === 'PASS') result = { ...result, verdict: 'XPASS', reason: 'listed as an expected failure, but passed' };
    }
    results.push(result);
    options.onResult?.(result, i, cases.length);
  }
  const after = dead === undefined ? await sanityExchange(target) : false;
  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, TIMEOUT: 0, ERROR: 0, SKIP: 0, XFAIL: 0, XPASS: 0 };
  for (const r of results) counts[r.verdict]++;
  return {
    target: description,
    seed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    sanity: { before, after, afterTimeouts },
    results,
    counts,
    ok: after && results.every((r) => !UNEXPECTED.has(r.verdict)),
  };
}

/** Traces are kept for reports and pcaps; a PASS listed as expected-to-fail becomes XPASS, so keep its trace too. */
function keepTrace(verdict: Verdict, expectedToFail: boolean): boolean {
  if (verdict === 'SKIP') return false;
  return verdict !== 'PASS' || expectedToFail;
}

function levelOf(c: ConformanceCase, requirement: string): Level | undefined {
  return c.requirements.find((r) => r.id === requirement)?.level;
}

function classify(e: unknown, c: ConformanceCase): Omit<CaseResult, 'id' | 'area' | 'rule' | 'requirements' | 'roles' | 'durationMs' | 'targetMs' | 'trace'> {
  if (e instanceof CaseFailure) {
    const level = levelOf(c, e.requirement);
    return { verdict: 'FAIL', requirement: e.requirement, ...(level ? { level } : {}), expected: e.expected, actual: e.actual };
  }
  if (e instanceof CaseTimeout) {
    const level = levelOf(c, e.requirement);
    return { verdict: 'TIMEOUT', requirement: e.requirement, ...(level ? { level } : {}), expected: e.expected, actual: `nothing within ${e.waitedMs} ms` };
  }
  if (e instanceof CaseSkip) return { verdict: 'SKIP', reason: e.reason };
  return { verdict: 'ERROR', reason: `the case crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
}
