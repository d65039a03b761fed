/**
 * The handlespace-wide timer schedule: every PE is in it exactly once, ordered by due time,
 * ties by creation serial so the order is total and deterministic. The tree is keyed by the
 * timer node's numeric keys (k1 = due time, k2 = serial), kept in step by `Handlespace`.
 */
export type { TimerKind } from './element.js';
