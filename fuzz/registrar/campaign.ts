/**
 * The registrar campaign: generates sequences from the seed, plays them against the target,
 * checks the oracles after every step and sequence, and turns a failure into a shrunk, saved,
 * replayable finding. Against a supervised network target (agent) a crash is seen at once,
 * the target's last output is kept, and the target is restarted before the campaign goes on.
 */
import { performance } from 'node:perf_hooks';
import type { Address } from '../../codecs/index.js';
import type { AgentClient } from '../../src/agent/index.js';
import type { Target } from '../../src/conformance/target.js';
import { AgentWatch } from './agent-watch.js';
import { executeSteps, sanityCheck, type ExecuteOptions, type ExecutionResult } from './executor.js';
import { makeFinding, replayCommand, saveFinding, type RegistrarFinding } from './finding.js';
import { generateSequence, type GeneratorOptions } from './generator.js';
import { RegistrarChecks, TARGET_LEVEL, type Failure } from './oracles.js';
import type { FuzzSequence, Step } from './sequence.js';
import { ddmin } from './shrink.js';
import { IN_PROCESS_SERVER_ID, defaultPeAddresses, makeTarget, type TargetSpec } from './targets.js';

/** Campaign settings. */
export interface RegistrarCampaignOptions {
  readonly seed: number;
  readonly seconds: number;
  /** Stop after this many sequences even if time is left. */
  readonly maxSequences?: number;
  readonly target: TargetSpec;
  readonly agent?: AgentClient;
  /** Addresses PEs register (default: see {@link defaultPeAddresses}). */
  readonly peAddresses?: readonly Address[];
  /** Deadline of the sanity Handle Resolution, ms (default 2000 in-process virtual, 3000 network). */
  readonly sanityDeadlineMs?: number;
  readonly findingsDir?: string;
  readonly stopOnFinding?: boolean;
  /** Longest pool handle in well-formed messages (see {@link GeneratorOptions.maxPoolHandle}). */
  readonly maxPoolHandle?: number;
  /** Most replays one shrink may take (default 600 in-process, 12 on the network: each may cost a restart). */
  readonly shrinkMaxTests?: number;
  /** In-process: a fresh registrar after this many sequences (default 32). */
  readonly resetEvery?: number;
  readonly onProgress?: (p: RegistrarProgress) => void;
  /** Called with each finding as soon as it is saved. */
  readonly onFinding?: (f: SavedFinding) => void;
  /** Notes worth a line on stderr (restarts, agent trouble). */
  readonly onNote?: (text: string) => void;
}

/** About once a second. */
export interface RegistrarProgress {
  readonly seconds: number;
  readonly sequences: number;
  /** Steps executed (messages, closes, sleeps) including the sanity checks. */
  readonly execs: number;
  readonly findings: number;
  readonly typesSent: number;
  readonly typesReceived: number;
}

/** A finding and where it went. */
export interface SavedFinding {
  readonly finding: RegistrarFinding;
  readonly file?: string;
  readonly replay?: string;
}

/** What a campaign did. */
export interface RegistrarCampaignResult {
  readonly seed: number;
  readonly target: string;
  readonly seconds: number;
  readonly sequences: number;
  readonly execs: number;
  /** Registrar events handled (in-process). */
  readonly registrarEvents: number;
  readonly octets: number;
  readonly typesSent: readonly string[];
  readonly typesReceived: readonly string[];
  readonly findings: readonly SavedFinding[];
  readonly targetRestarts: number;
  /** Why it stopped early, if it did. */
  readonly aborted?: string;
}

const MAX_FINDINGS = 25;
/**
 * How long a target-level failure waits for the agent to report a crash: the supervised command
 * needs a moment to notice (the lab wrapper polls the guest every second or two).
 */
const CRASH_WAIT_MS = 10_000;

/** Runs a campaign. */
export async function runRegistrarCampaign(o: RegistrarCampaignOptions): Promise<RegistrarCampaignResult> {
  const network = o.target.kind === 'network';
  const peAddresses = o.peAddresses ?? defaultPeAddresses(o.target);
  const gen: GeneratorOptions = {
    peAddresses,
    realTime: network,
    peers: o.target.kind === 'in-process' || /,enrp=/.test(o.target.spec),
    ...(o.target.kind === 'in-process' ? { targetServerId: IN_PROCESS_SERVER_ID } : {}),
    ...(o.maxPoolHandle !== undefined ? { maxPoolHandle: o.maxPoolHandle } : {}),
  };
  const exec: ExecuteOptions = {
    peAddresses,
    sanityDeadlineMs: o.sanityDeadlineMs ?? (network ? 3000 : 2000),
    stepBudgetMs: network ? 0 : 2000,
    settleMs: network ? 20 : 0,
  };
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const sent = new Set<string>();
  const received = new Set<string>();
  const findings: SavedFinding[] = [];
  const signatures = new Set<string>();
  let checks = new RegistrarChecks();
  let events = 0;
  let target: Target = makeTarget(o.target, checks);
  let sequences = 0;
  let execs = 0;
  let octets = 0;
  let restarts = 0;
  let aborted: string | undefined;
  let history: FuzzSequence[] = [];
  /** In-process: after a finding the registrar may be broken for good; the next sequence gets a fresh one. */
  let resetNow = false;
  let lastProgress = 0;
  const watch = o.agent !== undefined ? new AgentWatch(o.agent) : undefined;
  if (watch !== undefined) await watch.start();
  const problem = (): Failure | undefined => (o.target.kind === 'in-process' ? checks.take() : watch?.takeCrash());
  const progress = (): void => {
    o.onProgress?.({ seconds: elapsed(), sequences, execs, findings: findings.length, typesSent: sent.size, typesReceived: received.size });
  };

  try {
    // A network target must answer before the campaign starts: otherwise every sequence would "fail".
    // A supervised target may still be booting (the lab guest takes ~15 s): wait for it a while.
    if (network) {
      const until = performance.now() + (o.agent !== undefined ? 180_000 : 0);
      for (;;) {
        const ready = await sanityCheck(target, '00', exec.sanityDeadlineMs);
        await target.endCase().catch(() => undefined);
        if (ready === undefined) break;
        if (performance.now() >= until) throw new Error(`RSP_ERR_FUZZ_TARGET_DOWN: the target does not answer before the campaign: ${ready.oracle}: ${ready.detail}`);
        o.onNote?.(`waiting for the target to answer (${ready.oracle})`);
        await new Promise((r) => setTimeout(r, 2000));
      }
      await watch?.resync();
    }
    for (let index = 0; elapsed() < o.seconds && (o.maxSequences === undefined || index < o.maxSequences); index++) {
      if (o.target.kind === 'in-process' && ((index % (o.resetEvery ?? 32) === 0 && index > 0) || resetNow)) {
        resetNow = false;
        await target.dispose();
        events += checks.events;
        checks = new RegistrarChecks();
        target = makeTarget(o.target, checks);
        history = [];
      }
      const seq = generateSequence(o.seed, index, gen);
      history.push(seq);
      await target.beginCase(`seq-${index}`);
      let r: ExecutionResult;
      try {
        r = await executeSteps(target, seq.steps, seq.sanityPool, exec, { problem });
      } finally {
        await target.endCase().catch(() => undefined);
      }
      sequences++;
      execs += r.executed + 1;
      octets += r.octets;
      for (const t of r.sent) sent.add(t);
      for (const t of r.received) received.add(t);
      let failure = r.failure ?? problem();
      if (failure !== undefined && watch !== undefined && failure.oracle !== 'crash') {
        // The target may be dying: give the agent's child a moment to notice, and call it a crash then.
        failure = (await watch.waitForCrash(mayBeCrash(failure) ? CRASH_WAIT_MS : 500)) ?? failure;
      }
      if (failure !== undefined) {
        const tail = o.agent !== undefined ? await outputTail(o.agent) : [];
        // Crashes all read "exited with status N": the target's own last words tell them apart.
        const lastWords = [...tail].reverse().find((l) => /INTERNAL ERROR|assert|segfault|Segmentation|Aborted|panic|Error:/i.test(l) && !/\[agent\]/.test(l)) ?? '';
        const sig = `${failure.oracle}:${failure.detail.replace(/\d+/g, 'N').slice(0, 120)}:${lastWords.replace(/^\S+ \S+ /, '').replace(/\d+/g, 'N')}`;
        if (network && TARGET_LEVEL.includes(failure.oracle)) await recover(`${failure.oracle} after sequence ${index}`);
        const saved = await handleFailure(seq, failure, tail, signatures.has(sig));
        resetNow = true;
        signatures.add(sig);
        if (saved !== undefined) {
          findings.push(saved);
          o.onFinding?.(saved);
        }
        if (o.stopOnFinding || findings.length >= MAX_FINDINGS) break;
        if (aborted !== undefined) break;
      }
      const now = elapsed();
      if (now - lastProgress >= 1) {
        lastProgress = now;
        progress();
      }
      // In-process runs never wait on I/O: let the event loop breathe (signals, stderr).
      if (index % 50 === 49) await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    aborted = e instanceof Error ? e.message : String(e);
  } finally {
    await target.dispose().catch(() => undefined);
    await watch?.stop();
  }
  events += checks.events;
  progress();
  return {
    seed: o.seed,
    target: o.target.kind === 'in-process' ? `in-process${o.target.variant ? ` (variant ${o.target.variant})` : ''}` : o.target.spec,
    seconds: elapsed(),
    sequences,
    execs,
    registrarEvents: events,
    octets,
    typesSent: [...sent].sort(),
    typesReceived: [...received].sort(),
    findings,
    targetRestarts: restarts,
    ...(aborted !== undefined ? { aborted } : {}),
  };

  /** Network: restart the target through the agent (or wait for it) until it answers again. */
  async function recover(why: string): Promise<void> {
    await target.dispose().catch(() => undefined);
    if (o.agent !== undefined) {
      o.onNote?.(`restarting the target through the agent (${why})`);
      try {
        await o.agent.restart();
        restarts++;
      } catch (e) {
        o.onNote?.(`agent restart failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    target = makeTarget(o.target, checks);
    const until = performance.now() + (o.agent !== undefined ? 240_000 : 30_000);
    for (;;) {
      const down = await sanityCheck(target, '00', exec.sanityDeadlineMs);
      await target.endCase().catch(() => undefined);
      if (down === undefined) break;
      if (performance.now() > until) {
        aborted = `RSP_ERR_FUZZ_TARGET_DOWN: the target does not answer again after ${why}: ${down.detail}`;
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await watch?.resync();
  }

  /** Reproduce, shrink and save. */
  async function handleFailure(seq: FuzzSequence, failure: Failure, tail: string[], duplicate: boolean): Promise<SavedFinding | undefined> {
    const reproduces = async (steps: readonly Step[]): Promise<boolean> => {
      const r = await replaySteps(o.target, steps, seq.sanityPool, exec, o.agent, watch);
      if (network && r !== undefined && TARGET_LEVEL.includes(r.oracle)) await recover('a shrinking replay that failed');
      return r !== undefined && sameKind(r, failure);
    };
    let steps: readonly Step[] = seq.steps;
    let alone = true;
    let tests = 0;
    let complete = false;
    const shrinkable = !network || o.agent !== undefined || !TARGET_LEVEL.includes(failure.oracle);
    if (duplicate && findings.length > 0) return undefined; // one file per kind of failure is enough
    if (shrinkable && aborted === undefined) {
      alone = await reproduces(steps);
      tests++;
      if (!alone && o.target.kind === 'in-process') {
        // Earlier sequences of this registrar's life may be needed: replay them all, then shrink.
        const all = concatHistory(history);
        if (await reproduces(all)) steps = all;
        tests++;
      }
      if (alone || steps !== seq.steps) {
        const budget = { maxTests: o.shrinkMaxTests ?? (network ? 12 : 600), ms: network ? 300_000 : 30_000 };
        const res = await ddmin(steps, reproduces, { maxTests: budget.maxTests, deadline: performance.now() + budget.ms, now: () => performance.now() });
        steps = res.items;
        tests += res.tests;
        complete = res.complete;
      }
    }
    const finding = makeFinding({
      failure,
      seed: o.seed,
      sequence: seq.index,
      target: o.target,
      ...(o.agent !== undefined ? { agent: o.agent.url } : {}),
      peAddresses,
      sanityPool: seq.sanityPool,
      steps,
      originalSteps: seq.steps.length,
      shrinkTests: tests,
      shrinkComplete: complete,
      reproducedAlone: alone,
      targetOutputTail: tail,
    });
    if (o.findingsDir === undefined) return { finding };
    const file = saveFinding(o.findingsDir, finding);
    return { finding, file, replay: replayCommand(file) };
  }
}

/** Failures a dying target also causes (its kernel aborts the associations): wait for the agent's word. */
function mayBeCrash(f: Failure): boolean {
  return TARGET_LEVEL.includes(f.oracle) || f.oracle === 'abort-without-cause';
}

/** A crash found as "no answer" on replay (or the reverse) is the same failure. */
function sameKind(a: Failure, b: Failure): boolean {
  if (a.oracle === b.oracle) return true;
  const targetLevel = (f: Failure): boolean => TARGET_LEVEL.includes(f.oracle);
  return targetLevel(a) && targetLevel(b);
}

/** All sequences since the last reset as one step list, actors renamed per sequence and closed at its end. */
function concatHistory(history: readonly FuzzSequence[]): Step[] {
  const out: Step[] = [];
  for (const seq of history) {
    const names = new Set<string>();
    for (const s of seq.steps) {
      if (s.op === 'sleep') out.push(s);
      else {
        const actor = `q${seq.index}.${s.actor}`;
        names.add(actor);
        out.push({ ...s, actor });
      }
    }
    for (const actor of names) out.push({ op: 'close', actor, abort: false });
  }
  return out;
}

async function outputTail(agent: AgentClient): Promise<string[]> {
  try {
    return (await agent.output(60)).map((l) => `${new Date(l.at).toISOString()} ${l.stream} ${l.text}`);
  } catch (e) {
    return [`(agent output unavailable: ${e instanceof Error ? e.message : String(e)})`];
  }
}

/**
 * Plays steps on a fresh target (in-process: a new registrar) and returns the failure, if any.
 * Network targets are shared with the campaign; a crash comes through the agent watch.
 */
export async function replaySteps(spec: TargetSpec, steps: readonly Step[], sanityPool: string, exec: ExecuteOptions, agent?: AgentClient, watch?: AgentWatch): Promise<Failure | undefined> {
  const checks = new RegistrarChecks();
  const target = makeTarget(spec, checks);
  const problem = (): Failure | undefined => (spec.kind === 'in-process' ? checks.take() : watch?.takeCrash());
  try {
    await target.beginCase('replay');
    const r = await executeSteps(target, steps, sanityPool, exec, { problem });
    let failure = r.failure ?? problem();
    if (failure !== undefined && failure.oracle !== 'crash' && watch !== undefined && agent !== undefined) failure = (await watch.waitForCrash(mayBeCrash(failure) ? CRASH_WAIT_MS : 500)) ?? failure;
    return failure;
  } finally {
    await target.endCase().catch(() => undefined);
    await target.dispose().catch(() => undefined);
  }
}
