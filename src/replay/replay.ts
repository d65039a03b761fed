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
import { findRegistrars, selectRegistrars, type RegistrarRole, type Roles } from './roles.js';
import { REPLAY_ERR, ReplayError } from './errors.js';
import { findLives, runReplay, type RunResult } from './run.js';
import { resolveReferenceConfig, splitArgs, type ReferenceConfigSpec } from './reference-config.js';
import { readEmbeddedConfig } from './embedded-config.js';

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

/**
 * The registrars to replay: `--registrar`, else the one a given configuration names by server ID
 * (a configuration describes one registrar; the others a capture shows are its peers, seen only
 * through its own traffic — a capture taken at its socket), else every registrar found.
 */
function chooseRegistrars(roles: Roles, options: ReplayOptions): RegistrarRole[] {
  if (options.registrar !== undefined) return selectRegistrars(roles, options.registrar);
  const id = options.given?.overrides.serverId ?? (options.given?.base?.serverId || undefined);
  if (id === undefined) return selectRegistrars(roles, undefined);
  const hit = roles.registrars.filter((r) => r.serverId === id);
  if (hit.length === 0) {
    const known = roles.registrars.map((r) => r.label).join(', ') || 'none';
    throw new ReplayError(REPLAY_ERR.unknownRegistrar, `the given configuration is for server ID $${id.toString(16).padStart(8, '0')}, which is no registrar of the capture (found: ${known})`);
  }
  return hit;
}

/** Replays an already loaded capture (tests use this with doctored captures). */
export function replayLoaded(capture: LoadedCapture, options: ReplayOptions = {}): ReplayReport & { readonly runs: readonly RunResult[] } {
  const roles = findRegistrars(capture);
  const chosen = chooseRegistrars(roles, options);
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

/** Options of {@link replayCapture}: those of {@link replayLoaded}, and the configuration the user knows. */
export interface ReplayFileOptions extends ReplayOptions {
  /** The captured registrar's configuration (`--reference-config`); resolved before the replay. */
  readonly reference?: ReferenceConfigSpec;
  /** Use the configuration the capture carries in its comment when none is given (default true). */
  readonly embedded?: boolean;
}

/**
 * Replays `file`. Throws {@link import('./errors.js').ReplayError} for unreadable captures, a bad
 * `--registrar` or a bad reference configuration.
 */
export async function replayCapture(file: string, options: ReplayFileOptions = {}): Promise<ReplayReport> {
  const { reference: userReference, embedded, ...rest } = options;
  const reference = userReference ?? (rest.given === undefined && embedded !== false ? await readEmbeddedConfig(file) : undefined);
  const given = reference !== undefined ? await resolveReferenceConfig(reference) : rest.given;
  const capture = await loadCapture(file, { sctpOverUdpPorts: given?.sctpOverUdpPorts ?? [] });
  const { runs: _runs, ...report } = replayLoaded(capture, { ...rest, ...(given !== undefined ? { given } : {}) });
  void _runs;
  return report;
}

/** Counts of {@link replayFile}, with the report for details. */
export interface ReplayCounts {
  readonly divergences: number;
  readonly unexplained: number;
  /** Explained divergences by the side at odds with the digest (see {@link ReplayReport.totals}). */
  readonly captured: number;
  readonly reference: number;
  readonly cannotShow: number;
  readonly neither: number;
  /**
   * Nothing at odds with the digest on either side and nothing unexplained: every divergence left
   * is one the capture cannot show (e.g. a peer that had gone away refused the association) or
   * allowed either way. For our own registrar this is issue #10's "no divergence".
   */
  readonly clean: boolean;
  /** One line per divergence (kind, frames, summary, explanation), for a test's failure message. */
  readonly lines: readonly string[];
  readonly report: ReplayReport;
}

/**
 * Replays a capture of a registrar whose command line is known — the interop test's session
 * capture of our own registrar: `registrarArgs` are the `registrar` command's arguments (an array
 * or one shell-like string; `--pcap` and the like are ignored). Issue #10 wants zero divergences.
 */
export async function replayFile(file: string, options: { readonly registrarArgs?: readonly string[] | string; readonly config?: ReferenceConfigSpec['config']; readonly registrar?: string; readonly tolerance?: Tolerance } = {}): Promise<ReplayCounts> {
  const args = typeof options.registrarArgs === 'string' ? splitArgs(options.registrarArgs) : options.registrarArgs;
  const reference: ReferenceConfigSpec | undefined =
    args !== undefined || options.config !== undefined ? { ...(args !== undefined ? { registrarArgs: args } : {}), ...(options.config !== undefined ? { config: options.config } : {}), source: 'replayFile' } : undefined;
  const report = await replayCapture(file, { ...(reference !== undefined ? { reference } : {}), ...(options.registrar !== undefined ? { registrar: options.registrar } : {}), ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}) });
  const lines = report.registrars.flatMap((r) => r.divergences.map((d) => `${r.label} ${d.kind} frames ${d.frames.join(',')}: ${d.summary} — ${d.explanation}`));
  const t = report.totals;
  return { divergences: t.divergences, unexplained: t.unexplained, captured: t.captured, reference: t.reference, cannotShow: t.cannotShow, neither: t.neither, clean: t.unexplained === 0 && t.captured === 0 && t.reference === 0, lines, report };
}
