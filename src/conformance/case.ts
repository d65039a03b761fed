/**
 * The conformance case model: a stable ID, the requirements it checks with their level, a rule
 * statement in our own words, the roles it plays, a deadline, and the body run against a Target.
 */
import type { ResolvedTargetConfig, Role, Target, TargetDescription } from './target.js';

/**
 * Requirement level. RFC levels come from `registrar-behaviour.md` and are all UNCONFIRMED there;
 * `rsplib-only` marks reference-implementation behaviour, never reported as an RFC violation.
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY' | 'rsplib-only';

/** A requirement checked by a case. */
export interface RequirementRef {
  /** Digest ID, e.g. `REG-4`. */
  readonly id: string;
  readonly level: Level;
}

/** What a case needs of the target beyond its roles. */
export type Need = 'multicastListen' | 'multicastSend' | 'acceptsIncoming' | 'poolLimit';

/** One conformance case. */
export interface ConformanceCase {
  /** Stable hierarchical ID; never renamed or reused. */
  readonly id: string;
  /** The rule, one line, in our own words. */
  readonly rule: string;
  readonly requirements: readonly RequirementRef[];
  /** Roles played (duplicates = several endpoints of that role). */
  readonly roles: readonly Role[];
  readonly needs?: readonly Need[];
  /** Target time the case may take, ms (scaled by `--timeout-scale` on real-time targets). */
  readonly deadline: number;
  /** Every level in this project's digest is UNCONFIRMED against the RFC text. */
  readonly levelConfirmed?: false;
  run(ctx: CaseContext): Promise<void>;
}

/** What a case body gets. */
export interface CaseContext {
  readonly target: Target;
  readonly description: TargetDescription;
  /** Target configuration with RFC defaults filled in. */
  readonly config: ResolvedTargetConfig;
  /** Seed of every random choice of this case (derived from the run seed and the case ID). */
  readonly seed: number;
  /** A pool handle unique to this case run. */
  pool(name?: string): Uint8Array;
  /** A fresh non-zero 32-bit ID (PE IDs, server IDs), deterministic per seed. */
  id(): number;
}

/** A check did not hold: the case FAILs. */
export class CaseFailure extends Error {
  constructor(
    readonly requirement: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${requirement}: expected ${expected}; got ${actual}`);
    this.name = 'CaseFailure';
  }
}

/** An awaited message did not arrive before its deadline: the case is a TIMEOUT. */
export class CaseTimeout extends Error {
  constructor(
    readonly requirement: string,
    readonly expected: string,
    readonly waitedMs: number,
  ) {
    super(`${requirement}: waited ${waitedMs} ms for ${expected}`);
    this.name = 'CaseTimeout';
  }
}

/** The case cannot run against this target (a missing role or capability). */
export class CaseSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CaseSkip';
  }
}

/** The ID pattern every case follows. */
export const CASE_ID_PATTERN = /^(asap|enrp|errors)\/[a-z0-9-]+(\/[a-z0-9-]+)*$/;

/** The area of a case for summaries: its first two ID segments. */
export function areaOf(id: string): string {
  return id.split('/').slice(0, 2).join('/');
}
