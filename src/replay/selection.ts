/**
 * Judging a Handle Resolution answer by its pool's policy (RFC 5356, `policies.md`): the
 * deterministic policies must give what the reference gives; the random ones only have to draw
 * distinct, eligible PEs, as many as the reference drew.
 */
import type { PoolSnapshot } from './run.js';

/** Policies whose choice is a random draw (policies.md §2). */
const RANDOM = new Set(['random', 'weightedRandom', 'randomizedLeastUsed', 'randomizedPriorityLeastUsed', 'randomizedLeastUsedDegradation', 'weightedRandomDpf']);

/** The verdict on one captured selection. */
export type SelectionVerdict =
  | { readonly ok: true; readonly how: 'equal' | 'policy-consistent' }
  | { readonly ok: false; readonly why: string };

/** Whether the policy draws at random. */
export function isRandomPolicy(policy: string): boolean {
  return RANDOM.has(policy);
}

/** Judges the captured PE IDs against the reference's, given the pool the reference had. */
export function judgeSelection(policy: string, captured: readonly number[], reference: readonly number[], pool: PoolSnapshot | undefined): SelectionVerdict {
  if (captured.length === reference.length && captured.every((x, i) => x === reference[i])) return { ok: true, how: 'equal' };
  if (!isRandomPolicy(policy)) {
    return { ok: false, why: `${policy} is deterministic: expected ${list(reference)}, got ${list(captured)}` };
  }
  if (new Set(captured).size !== captured.length) return { ok: false, why: `the same PE twice in ${list(captured)}` };
  if (captured.length !== reference.length) return { ok: false, why: `${captured.length} PE(s) drawn where the pool allows ${reference.length}` };
  if (pool !== undefined) {
    // HR-6: a weighted draw never picks a PE of weight 0.
    const eligible = new Set(pool.members.filter((m) => !(policy === 'weightedRandom' && m.weight === 0)).map((m) => m.peId));
    const strangers = captured.filter((x) => !eligible.has(x));
    if (strangers.length > 0) return { ok: false, why: `${list(strangers)} not eligible in the pool` };
  }
  return { ok: true, how: 'policy-consistent' };
}

function list(ids: readonly number[]): string {
  return ids.length === 0 ? 'none' : ids.map((x) => `$${x.toString(16).padStart(8, '0')}`).join(', ');
}
