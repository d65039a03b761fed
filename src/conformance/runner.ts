/**
 * Runs conformance cases against a Target and turns outcomes into verdicts: PASS, FAIL, TIMEOUT,
 * ERROR (target dead or the case crashed), SKIP (a role or capability the target lacks), XFAIL and
 * XPASS (listed as expected to fail), and CRASH (a supervisor saw the target exit during the case).
 * A sanity exchange runs before and after the run and after every TIMEOUT; once the target is dead
 * every remaining case is an ERROR, except after a case listed as expected to CRASH the target
 * (those run last). With a {@link TargetSupervisor} (the agent, `--agent`) a dead target is seen
 * the moment it exits, the case becomes CRASH with the exit status and the target's last output,
 * and the target is restarted so the run goes on. Expectations files (`--expect-fail`) name
 * expected FAIL / TIMEOUT / ERROR / SKIP / CRASH verdicts with reasons; on real-time targets
 * unlisted failures may be retried (`retries`).
 */
import { areaOf, CaseFailure, CaseSkip, CaseTimeout, type CaseContext, type ConformanceCase, type Level, type RequirementRef } from './case.js';
import { resolveTargetConfig, type Role, type Target, type TargetDescription, type TraceEntry } from './target.js';

/** Every verdict a case can get. */
export type Verdict = 'PASS' | 'FAIL' | 'TIMEOUT' | 'ERROR' | 'SKIP' | 'XFAIL' | 'XPASS' | 'CRASH';

/** Every verdict, in report order. */
export const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'TIMEOUT', 'ERROR', 'CRASH', 'SKIP', 'XFAIL', 'XPASS'];

/** Verdicts that make the run fail. */
export const UNEXPECTED: ReadonlySet<Verdict> = new Set(['FAIL', 'TIMEOUT', 'ERROR', 'CRASH', 'XPASS']);

/** A zero count of every verdict. */
export function zeroCounts(): Record<Verdict, number> {
  return { PASS: 0, FAIL: 0, TIMEOUT: 0, ERROR: 0, CRASH: 0, SKIP: 0, XFAIL: 0, XPASS: 0 };
}

/** How the target ended during a case, as its supervisor (the agent) saw it. */
export interface TargetCrash {
  /** Exit status, or null when a signal ended it (or it could not be started). */
  readonly code: number | null;
  readonly signal: string | null;
  /** One line: `exited with status 3`, `was killed by signal SIGSEGV`, `could not be started: …`. */
  readonly how: string;
  /** The supervisor's run number of the process that ended, and its pid. */
  readonly run: number;
  readonly pid?: number;
  /** When it ended (ISO 8601, the supervisor's clock). */
  readonly at: string;
  /** The target's last output lines (stdout and stderr as they came, oldest first), as text. */
  readonly output: readonly string[];
  /** The case's own outcome before the crash overrode it (e.g. `TIMEOUT REG-11 …`). */
  readonly caseOutcome: string;
  /** Whether the target answered the sanity exchange again after the restart, and how long that took. */
  readonly restarted: boolean;
  readonly restartMs?: number;
  /** Why the restart did not bring the target back, when it did not. */
  readonly restartError?: string;
}

/**
 * Something that supervises the target process and restarts it: the runner's view of the agent
 * (`src/conformance/agent-supervisor.ts`). A crash is an exit (or failed start) the supervisor did
 * not ask for.
 */
export interface TargetSupervisor {
  /** Before the run: reachable, and whether the target process is running. Throws when unusable. */
  check(): Promise<{ readonly running: boolean }>;
  /**
   * Resolves when a crash is seen (stays pending otherwise); a fresh promise after each
   * {@link take}. Lets the runner stop waiting on a case whose target is gone.
   */
  crashed(): Promise<void>;
  /** The crash seen so far, waiting up to `waitMs` for one; consumes it. */
  take(waitMs: number): Promise<Omit<TargetCrash, 'caseOutcome' | 'restarted' | 'restartMs' | 'restartError'> | undefined>;
  /** Starts the target afresh (it is stopped first if it still runs); resolves once it is spawned. */
  restart(): Promise<void>;
  /** Ends background polling. */
  close(): Promise<void>;
}

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
  /** Attempts it took when retried (absent: one). */
  readonly attempts?: number;
  /** Wall-clock ms. */
  readonly durationMs: number;
  /** Target time the case took, ms. */
  readonly targetMs: number;
  /** The exchange; kept for every verdict but PASS / SKIP. */
  readonly trace: readonly TraceEntry[];
  /** CRASH (or XFAIL of an expected CRASH): how the target ended, its last output, the restart. */
  readonly crash?: TargetCrash;
}

/** The result of a run. */
export interface RunReport {
  readonly target: TargetDescription;
  readonly seed: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly sanity: { readonly before: boolean; readonly after: boolean; readonly afterTimeouts: readonly { readonly after: string; readonly ok: boolean }[] };
  /** Restarts of the target through its supervisor: after crashes, or before the run when it was not running (absent without one). */
  readonly restarts?: number;
  readonly results: readonly CaseResult[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** The case listed as CRASH after which the target was dead (the final sanity exchange then fails). */
  readonly expectedCrash?: string;
  /** True when no verdict is unexpected and the target was alive at the end. */
  readonly ok: boolean;
}

/**
 * A verdict an expectations file may name for a case. `CRASH`: the case is expected to leave the
 * target dead (it is run after every other case, and a failed sanity exchange after it is expected).
 */
export type ExpectedVerdict = 'FAIL' | 'TIMEOUT' | 'ERROR' | 'SKIP' | 'CRASH';

const EXPECTED_VERDICTS: readonly ExpectedVerdict[] = ['FAIL', 'TIMEOUT', 'ERROR', 'SKIP', 'CRASH'];

/** One expected non-PASS verdict of a case. */
export interface Expectation {
  readonly id: string;
  /** Any of these verdicts is expected (FAIL/TIMEOUT/ERROR/CRASH become XFAIL, SKIP stays SKIP). */
  readonly verdicts: ReadonlySet<ExpectedVerdict>;
  /** Why (free text from the file); empty when none was given. */
  readonly reason: string;
  /** Line in the file, for messages. */
  readonly line: number;
}

/** Stable error code of a malformed expectations file. */
export const BAD_EXPECTATIONS = 'RSP_ERR_CONFORMANCE_BAD_EXPECTATIONS';

/** A malformed expectations file (unknown verdict, duplicate case ID). */
export class ExpectationsError extends Error {
  override readonly name = 'ExpectationsError';
  readonly code = BAD_EXPECTATIONS;
  constructor(message: string) {
    super(`${BAD_EXPECTATIONS}: ${message}`);
  }
}

/**
 * Parses an expectations file: one case per line, `CASE-ID [VERDICT[|VERDICT…]] [reason…]`, `#`
 * starts a comment line (or a trailing comment after whitespace). A bare case ID means FAIL|TIMEOUT,
 * so plain `--expect-fail` lists keep working. Throws {@link ExpectationsError}.
 */
export function parseExpectations(text: string, source = 'expectations'): Map<string, Expectation> {
  const out = new Map<string, Expectation>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const [id, verdictText, ...rest] = line.split(/\s+/);
    if (id === undefined) continue;
    let verdicts: ExpectedVerdict[] = ['FAIL', 'TIMEOUT'];
    let reason = rest.join(' ');
    if (verdictText !== undefined) {
      const parts = verdictText.split('|');
      if (parts.every((v) => (EXPECTED_VERDICTS as readonly string[]).includes(v))) verdicts = parts as ExpectedVerdict[];
      else if (/^[A-Z]+(\|[A-Z]+)*$/.test(verdictText)) throw new ExpectationsError(`${source}:${i + 1}: unknown verdict ${JSON.stringify(verdictText)} (known: ${EXPECTED_VERDICTS.join(', ')})`);
      else reason = [verdictText, ...rest].join(' ');
    }
    if (out.has(id)) throw new ExpectationsError(`${source}:${i + 1}: ${id} is listed twice`);
    out.set(id, { id, verdicts: new Set(verdicts), reason, line: i + 1 });
  }
  return out;
}

/** What `verdict` becomes under an expectation (undefined expectation: unchanged). */
export function applyExpectation(result: CaseResult, e: Expectation | undefined): CaseResult {
  if (e === undefined) return result;
  const why = e.reason !== '' ? e.reason : 'listed as expected';
  const v = result.verdict;
  if (v === 'PASS') return { ...result, verdict: 'XPASS', reason: `expected ${[...e.verdicts].join('|')} (${why}), but passed` };
  // Without a supervisor a crash shows as FAIL / TIMEOUT / ERROR of the case (and a dead target).
  const hit = e.verdicts.has(v as ExpectedVerdict) || (e.verdicts.has('CRASH') && (v === 'FAIL' || v === 'TIMEOUT' || v === 'ERROR'));
  if (!hit) return result;
  if (v === 'SKIP') return result;
  return { ...result, verdict: 'XFAIL', reason: `expected ${v}: ${why}${result.reason !== undefined ? ` (${result.reason.split('\n')[0]})` : ''}` };
}

/** Options of {@link runCases}. */
export interface RunOptions {
  readonly seed?: number;
  /** Case IDs expected to fail (FAIL/TIMEOUT → XFAIL, PASS → XPASS). */
  readonly expectFail?: ReadonlySet<string>;
  /** Expected non-PASS verdicts by case ID (see {@link parseExpectations}); merged with `expectFail`. */
  readonly expectations?: ReadonlyMap<string, Expectation>;
  /** Multiplies deadlines on real-time targets (and the wall-clock guard). */
  readonly timeoutScale?: number;
  /**
   * Extra attempts of a case that FAILs or TIMEOUTs on a real-time target and is not listed in the
   * expectations (default 0). The result says how many attempts it took.
   */
  readonly retries?: number;
  /** Called after each case (live progress). */
  readonly onResult?: (r: CaseResult, index: number, total: number) => void;
  /**
   * The target's supervisor (`--agent`): crashes become CRASH verdicts and the target is restarted
   * instead of the rest of the run turning into ERRORs. Absent: a dead target stays dead.
   */
  readonly supervisor?: TargetSupervisor;
  /**
   * How long, ms before scaling, the target may take to answer the sanity exchange after a start or
   * restart through the supervisor (default {@link DEFAULT_RESTART_TIMEOUT_MS}).
   */
  readonly restartTimeoutMs?: number;
  /** Notes worth a line on stderr (restarts). */
  readonly onNote?: (text: string) => void;
}

/**
 * Default {@link RunOptions.restartTimeoutMs}: a restart of the rsplib lab target boots a qemu
 * guest (TCG: a minute or two), so the bound is generous; a registrar that never answers still ends
 * the run.
 */
export const DEFAULT_RESTART_TIMEOUT_MS = 240_000;

/**
 * How long a case that did not pass waits for the supervisor's word before it is judged alive: the
 * lab wrapper polls the guest once a second, so its exit trails the registrar's death (ms, scaled).
 */
const CRASH_GRACE_MS = 1500;
/** As {@link CRASH_GRACE_MS}, after a failed sanity exchange: by then the target is gone or hung. */
const CRASH_WAIT_DEAD_MS = 10_000;
/** How long an interrupted case body may take to give up, ms (scaled). */
const INTERRUPT_SETTLE_MS = 2000;

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

/**
 * Runs `cases` in order against `target`; cases expected to CRASH the target run after all others.
 * A case needing a role or capability the target lacks is SKIPped without running (runner side);
 * a target may also refuse at run time by throwing {@link CaseSkip}. With `options.supervisor`, a
 * target that exits during a case makes it CRASH, and it is restarted before the next case.
 */
export async function runCases(target: Target, cases: readonly ConformanceCase[], options: RunOptions = {}): Promise<RunReport> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const scale = options.timeoutScale ?? 1;
  const description = target.describe();
  const supervisor = options.supervisor;
  const restartWithin = (options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS) * scale;
  const expectations = new Map<string, Expectation>(options.expectations ?? []);
  for (const id of options.expectFail ?? []) if (!expectations.has(id)) expectations.set(id, { id, verdicts: new Set(['FAIL', 'TIMEOUT']), reason: '', line: 0 });
  const crashes = (c: ConformanceCase) => expectations.get(c.id)?.verdicts.has('CRASH') === true;
  const ordered = [...cases.filter((c) => !crashes(c)), ...cases.filter(crashes)];
  const results: CaseResult[] = [];
  const afterTimeouts: { after: string; ok: boolean }[] = [];
  let restarts = 0;
  /**
   * After a (re)start through the supervisor: repeats the sanity exchange until the target answers
   * (a lab guest boots first), bounded; an exit meanwhile ends the wait. Undefined when it answers,
   * else why not.
   */
  const comeBack = async (sup: TargetSupervisor): Promise<string | undefined> => {
    const until = Date.now() + restartWithin;
    for (;;) {
      const gone = await sup.take(0);
      if (gone !== undefined) return `the target ${gone.how} while starting; its last output: ${gone.output.slice(-3).join(' | ')}`;
      if (await sanityExchange(target)) return undefined;
      if (Date.now() >= until) return `no answer to the sanity exchange within ${Math.round(restartWithin)} ms`;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  let before: boolean;
  let notBefore = 'the sanity exchange before the run got no answer: target unreachable';
  if (supervisor !== undefined) {
    if (!(await supervisor.check()).running) {
      options.onNote?.('the supervised target is not running: restarting it before the run');
      await supervisor.restart();
      restarts++;
    }
    const why = await comeBack(supervisor);
    before = why === undefined;
    if (why !== undefined) notBefore = `the target did not answer before the run: ${why}`;
  } else before = await sanityExchange(target);
  let dead = before ? undefined : notBefore;
  let expectedDeath: string | undefined;
  /** Whether the last case body was cut short because its target exited. */
  let cutShort = false;
  /** One run of a case: begin, body under the wall-clock guard, deadline check, end. */
  const runOnce = async (c: ConformanceCase, base: Pick<CaseResult, 'id' | 'area' | 'rule' | 'requirements' | 'roles'>, t0: number, attempt: number): Promise<CaseResult> => {
    await target.beginCase(c.id);
    const tStart = target.now();
    // A retry gets its own seed, so its IDs and pools do not meet what the failed attempt left behind.
    const ctx = contextFor(target, description, caseSeed(seed, attempt === 1 ? c.id : `${c.id}#${attempt}`));
    // Virtual-time targets finish in milliseconds; the wall-clock guard only catches hangs.
    const wall = description.capabilities.virtualTime ? 20_000 * scale : Math.max(2000, c.deadline * scale * 2);
    let outcome: Omit<CaseResult, keyof typeof base | 'durationMs' | 'targetMs' | 'trace'>;
    const body = withGuard(c.run(ctx), wall).then(
      (): typeof outcome => ({ verdict: 'PASS' }),
      (e: unknown) => classify(e, c),
    );
    if (supervisor === undefined) outcome = await body;
    else {
      // A dead target never answers: stop waiting on the exchange the moment the agent reports the
      // exit, and make the body give up at once (interrupt) so it cannot run on into the next case.
      const gone = supervisor.crashed().then(() => 'gone' as const);
      const first = await Promise.race([body, gone]);
      cutShort = first === 'gone';
      if (first !== 'gone') outcome = first;
      else {
        target.interrupt?.('the target exited (its supervisor said so)');
        let timer: NodeJS.Timeout | undefined;
        const giveUp = new Promise<typeof outcome>((r) => {
          timer = setTimeout(() => r({ verdict: 'ERROR', reason: 'the case did not give up after its target exited' }), INTERRUPT_SETTLE_MS * scale);
        });
        outcome = await Promise.race([body, giveUp]).finally(() => clearTimeout(timer));
      }
    }
    const targetMs = target.now() - tStart;
    if (outcome.verdict === 'PASS' && !description.capabilities.virtualTime && targetMs > c.deadline * scale) {
      outcome = { verdict: 'TIMEOUT', requirement: '(deadline)', expected: `done within ${c.deadline * scale} ms`, actual: `took ${targetMs} ms` };
    }
    const trace = await target.endCase();
    return { ...base, ...outcome, durationMs: Date.now() - t0, targetMs, trace };
  };
  /** The CRASH result of a case whose target ended; restarts it through the supervisor. */
  const crashed = async (r: CaseResult, crash: Omit<TargetCrash, 'caseOutcome' | 'restarted' | 'restartMs' | 'restartError'>, sup: TargetSupervisor): Promise<CaseResult> => {
    const caseOutcome = `${r.verdict}${r.requirement !== undefined ? ` ${r.requirement}` : ''}${r.expected !== undefined ? `: expected ${r.expected}; got ${r.actual ?? ''}` : r.reason !== undefined ? `: ${r.reason.split('\n')[0]}` : ''}${cutShort ? ' (cut short: the target had exited)' : ''}`;
    options.onNote?.(`${r.id}: the target ${crash.how}; restarting it through the agent`);
    const t = Date.now();
    let restartError: string | undefined;
    try {
      await sup.restart();
      restarts++;
      // An exit while it comes up is this restart's failure, not the next case's crash.
      restartError = await comeBack(sup);
    } catch (e) {
      restartError = e instanceof Error ? e.message : String(e);
    }
    const restartMs = Date.now() - t;
    if (restartError !== undefined) dead = `target dead: it ${crash.how} during ${r.id} and the restart failed: ${restartError}`;
    else options.onNote?.(`${r.id}: the target answers again after ${restartMs} ms`);
    const full: TargetCrash = { ...crash, caseOutcome, restarted: restartError === undefined, restartMs, ...(restartError !== undefined ? { restartError } : {}) };
    const { requirement: _q, level: _l, expected: _e, actual: _a, ...rest } = r;
    return { ...rest, verdict: 'CRASH', reason: `the target ${crash.how} during the case (${caseOutcome})`, crash: full };
  };
  for (const [i, c] of ordered.entries()) {
    const base = { id: c.id, area: areaOf(c.id), rule: c.rule, requirements: c.requirements, roles: c.roles };
    const expectation = expectations.get(c.id);
    const t0 = Date.now();
    let result: CaseResult;
    const skip = skipReason(c, description);
    if (dead !== undefined) {
      result = expectedDeath !== undefined && crashes(c)
        ? { ...base, verdict: 'SKIP', reason: `not run: the target died at the expected crash of ${expectedDeath}; run it alone (--only ${c.id}), or with the target under an agent (--agent)`, durationMs: 0, targetMs: 0, trace: [] }
        : { ...base, verdict: 'ERROR', reason: dead, durationMs: 0, targetMs: 0, trace: [] };
    } else if (skip !== undefined) {
      result = { ...base, verdict: 'SKIP', reason: skip, durationMs: 0, targetMs: 0, trace: [] };
    } else {
      // A real-time target may fail a case for reasons outside the rule under test (a message the
      // target lost or sent late): with retries, a case not listed as expected runs again on a live
      // target and the last verdict counts; the result keeps the number of attempts.
      const retries = description.capabilities.virtualTime || expectation !== undefined ? 0 : Math.max(0, Math.floor(options.retries ?? 0));
      const earlier: string[] = [];
      for (let attempt = 1; ; attempt++) {
        result = await runOnce(c, base, t0, attempt);
        if (earlier.length > 0) result = { ...result, attempts: attempt, ...(result.verdict === 'PASS' ? { reason: `passed on attempt ${attempt}; before: ${earlier.join(' | ')}` } : {}) };
        // A FAIL is an answer, so the target lived; a TIMEOUT or ERROR may be its death, which the
        // supervisor reports a little later.
        let crash = supervisor === undefined ? undefined : await supervisor.take(result.verdict === 'TIMEOUT' || result.verdict === 'ERROR' ? CRASH_GRACE_MS * scale : 0);
        if (crash === undefined && (result.verdict === 'TIMEOUT' || crashes(c))) {
          const ok = await sanityExchange(target);
          afterTimeouts.push({ after: c.id, ok });
          if (!ok && supervisor !== undefined) crash = await supervisor.take(CRASH_WAIT_DEAD_MS * scale);
          if (!ok && crash === undefined) {
            dead = `target dead: the sanity exchange after the ${result.verdict} of ${c.id} got no answer`;
            if (crashes(c)) {
              expectedDeath = c.id;
              if (result.verdict !== 'PASS') result = { ...result, reason: `target dead afterwards, as expected${result.reason !== undefined ? `; ${result.reason}` : ''}` };
            }
          }
        }
        if (crash !== undefined && supervisor !== undefined) {
          result = await crashed(result, crash, supervisor);
          break;
        }
        if (dead !== undefined || attempt > retries || (result.verdict !== 'FAIL' && result.verdict !== 'TIMEOUT')) break;
        earlier.push(`${result.verdict} ${result.requirement ?? ''} ${result.actual ?? ''}`.replace(/\s+/g, ' ').trim().slice(0, 200));
      }
    }
    if (!keepTrace(result.verdict, expectation !== undefined)) result = { ...result, trace: [] };
    result = applyExpectation(result, expectation);
    results.push(result);
    options.onResult?.(result, i, ordered.length);
  }
  const after = dead === undefined ? await sanityExchange(target) : false;
  const counts = zeroCounts();
  for (const r of results) counts[r.verdict]++;
  return {
    target: description,
    seed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    sanity: { before, after, afterTimeouts },
    ...(supervisor !== undefined ? { restarts } : {}),
    results,
    counts,
    ...(expectedDeath !== undefined ? { expectedCrash: expectedDeath } : {}),
    // A target killed by a case listed as CRASH may stay dead: that was expected.
    ok: (after || expectedDeath !== undefined) && results.every((r) => !UNEXPECTED.has(r.verdict)),
  };
}

/** Traces are kept for reports and pcaps; a PASS listed as expected becomes XPASS, so keep its trace too. */
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
