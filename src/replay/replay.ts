/**
 * `replay FILE`: the whole offline replay — load the capture, find its registrars, run the
 * reference against each (every life of it), compare and explain.
 */
import type { Divergence } from './divergence.js';
import { compareRun, DEFAULT_TOLERANCE, type Tolerance } from './compare.js';
import { explainDivergences, isUnexplained } from './explain.js';
import { inferConfig, inferStart, type InferOptions } from './infer-config.js';
import { loadCapture } from './load.js';
import type { LoadedCapture } from './model.js';
import { findRegistrars, selectRegistrars } from './roles.js';
import { findLives, runReplay, type RunResult } from './run.js';

/** Options of {@link replayCapture}. */
export interface ReplayOptions extends InferOptions {
  /** `ADDR[:PORT]` of the registrar to replay (default: every registrar found). */
  readonly registrar?: string;
  readonly tolerance?: Tolerance;
}

/** The replay of one registrar. */
export interface RegistrarReplay {
  readonly label: string;
  readonly serverId: number | undefined;
  readonly evidence: readonly string[];
  /** One entry per life the capture shows. */
  readonly lives: ReadonlyArray<{ readonly from: number; readonly startAt: number; readonly end: number | undefined; readonly inputs: number; readonly referenceOutputs: number }>;
  readonly divergences: readonly Divergence[];
}

/** The outcome of replaying one capture. */
export interface ReplayReport {
  readonly file: string;
  readonly frames: number;
  readonly messages: number;
  readonly registrars: readonly RegistrarReplay[];
  readonly totals: { readonly divergences: number; readonly unexplained: number; readonly reference: number; readonly captured: number; readonly cannotShow: number; readonly neither: number };
  readonly readerNotes: readonly string[];
}

/** Replays an already loaded capture (tests use this with doctored captures). */
export function replayLoaded(capture: LoadedCapture, options: ReplayOptions = {}): ReplayReport & { readonly runs: readonly RunResult[] } {
  const roles = findRegistrars(capture);
  const chosen = selectRegistrars(roles, options.registrar);
  const registrars: RegistrarReplay[] = [];
  const runs: RunResult[] = [];
  for (const r of chosen) {
    const inferred = inferConfig(capture, r, roles.registrars, options);
    const lives = findLives(capture, r);
    const divergences: Divergence[] = [];
    const lifeSummaries: Array<RegistrarReplay['lives'][number]> = [];
    const evidence = [...inferred.evidence];
    lives.forEach((life, i) => {
      const startAt = i === 0 ? inferred.startAt : inferStart(capture, r, inferred.config, life.from).startAt;
      if (i > 0) evidence.push(`restart ${i}: the registrar ended at t=${(lives[i - 1]!.end!.time / 1000).toFixed(3)} s; its next life is replayed with a fresh reference started at t=${(startAt / 1000).toFixed(3)} s`);
      const run = runReplay(capture, r, inferred, life, startAt);
      runs.push(run);
      divergences.push(...explainDivergences(compareRun(run, options.tolerance ?? DEFAULT_TOLERANCE), run));
      lifeSummaries.push({ from: life.from, startAt, end: life.end?.time, inputs: run.inputs.length, referenceOutputs: run.outputs.length });
    });
    registrars.push({ label: r.label, serverId: r.serverId, evidence, lives: lifeSummaries, divergences });
  }
  const all = registrars.flatMap((r) => r.divergences);
  const frames = capture.items.reduce((m, i) => Math.max(m, i.frame), 0);
  return {
    file: capture.file,
    frames,
    messages: capture.items.filter((i) => i.kind === 'message').length,
    registrars,
    totals: {
      divergences: all.length,
      unexplained: all.filter(isUnexplained).length,
      reference: all.filter((d) => d.atOdds === 'reference').length,
      captured: all.filter((d) => d.atOdds === 'captured').length,
      cannotShow: all.filter((d) => d.atOdds === 'capture-cannot-show').length,
      neither: all.filter((d) => d.atOdds === 'neither').length,
    },
    readerNotes: capture.readerNotes,
    runs,
  };
}

/** Replays `file`. Throws {@link import('./errors.js').ReplayError} for unreadable captures or a bad `--registrar`. */
export async function replayCapture(file: string, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { runs: _runs, ...report } = replayLoaded(await loadCapture(file), options);
  void _runs;
  return report;
}
