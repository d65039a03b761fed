/**
 * The registrar fuzzer's oracles and what a failed one reports. In-process, the reference
 * registrar is wrapped so that after every event its handlespace invariants and incremental
 * checksums are verified against a recomputation, its error logs (an exception it caught
 * itself is logged as `internal.error`) are seen, and nothing may escape it.
 */
import { Registrar, type RegistrarAction, type RegistrarConfig, type RegistrarEvent } from '../../src/registrar/index.js';
import type { RegistrarFactory, RegistrarLike } from '../../src/conformance/in-process-target.js';

/** The oracles. */
export type OracleName =
  /** An exception escaped the registrar (or the in-process driver around it). */
  | 'exception'
  /** Handlespace invariants or incremental checksums broken after an event. */
  | 'invariant'
  /** The registrar logged an error (its own catch-all `internal.error`, sending on a closed association). */
  | 'registrar-error'
  /** One step took longer than the step budget (in-process: a loop that does not end). */
  | 'hang'
  /** The target process died (seen by the agent). */
  | 'crash'
  /** The sanity Handle Resolution after the sequence got no answer within its deadline. */
  | 'no-answer'
  /** No association to the target could be set up. */
  | 'unresponsive'
  /** The target aborted an association on which nothing gave it a reason to. */
  | 'abort-without-cause';

/** A failed oracle. */
export interface Failure {
  readonly oracle: OracleName;
  readonly detail: string;
  /** Index of the step after which it was seen (absent: after the sequence, e.g. the sanity check). */
  readonly step?: number;
}

/** Failures whose cause cannot be pinned on the input (the target was gone before) are not shrunk. */
export const TARGET_LEVEL: readonly OracleName[] = ['crash', 'no-answer', 'unresponsive'];

/**
 * The checks after one event: error logs among the actions and, for the reference registrar,
 * the handlespace's invariants and incremental checksums against a from-scratch recomputation.
 */
export function checkAfterEvent(registrar: Registrar | undefined, actions: readonly RegistrarAction[], what: string): Failure | undefined {
  for (const a of actions) {
    if (a.kind === 'log' && a.level === 'error') return { oracle: 'registrar-error', detail: `${a.event}${a.detail !== undefined ? ` ${JSON.stringify(a.detail)}` : ''} (after a ${what} event)` };
  }
  if (registrar !== undefined) {
    const problems = registrar.handlespace.verify();
    if (problems.length > 0) return { oracle: 'invariant', detail: `after a ${what} event: ${problems.slice(0, 5).join('; ')}` };
  }
  return undefined;
}

/** Wraps registrars and collects what their checks found; {@link take} drains it. */
export class RegistrarChecks {
  private problem: Failure | undefined;
  /** Events handled (for execs/s). */
  events = 0;

  /** The reference registrar, checked after every event. */
  readonly reference: RegistrarFactory = (config: RegistrarConfig, clock: () => number): RegistrarLike => {
    const inner = new Registrar(config, clock);
    return {
      start: () => this.checked(() => inner.start(), inner, 'start'),
      handle: (e: RegistrarEvent) => this.checked(() => inner.handle(e), inner, e.kind),
    };
  };

  /** Another registrar (a broken variant): only escaping exceptions and error logs are seen. */
  wrap(factory: RegistrarFactory): RegistrarFactory {
    return (config, clock) => {
      const inner = factory(config, clock);
      return {
        start: () => this.checked(() => inner.start(), undefined, 'start'),
        handle: (e: RegistrarEvent) => this.checked(() => inner.handle(e), undefined, e.kind),
      };
    };
  }

  /** The first problem since the last call, if any. */
  take(): Failure | undefined {
    const p = this.problem;
    this.problem = undefined;
    return p;
  }

  private checked(body: () => RegistrarAction[], registrar: Registrar | undefined, what: string): RegistrarAction[] {
    this.events++;
    let actions: RegistrarAction[];
    try {
      actions = body();
    } catch (e) {
      this.report('exception', `${what} event: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ') : String(e)}`);
      return [];
    }
    const found = checkAfterEvent(registrar, actions, what);
    if (found !== undefined) this.report(found.oracle, found.detail);
    return actions;
  }

  private report(oracle: OracleName, detail: string): void {
    this.problem ??= { oracle, detail };
  }
}
