/**
 * Every selection policy of RFC 5356 and rsplib's extras, by name and by type code.
 * Source: `policies.md` §2 (codes, methods, default MaxIncrement) and §3.5 (hooks). The two
 * rsplib-internal PLU-DPF / PLUD-DPF types have no codec and are not offered.
 */
import type { PolicyName } from '../../../codecs/types.js';
import type { PolicyBehaviour } from './behaviour.js';
import {
  random,
  randomizedLeastUsed,
  randomizedLeastUsedDegradation,
  randomizedPriorityLeastUsed,
  randomizedPriorityLeastUsedDegradation,
  weightedRandom,
  weightedRandomDpf,
} from './randomized.js';
import {
  leastUsed,
  leastUsedDegradation,
  leastUsedDegradationDpf,
  leastUsedDpf,
  priority,
  priorityLeastUsed,
  priorityLeastUsedDegradation,
  roundRobin,
  weightedRoundRobin,
} from './sorted.js';

export type { PolicyBehaviour, SelectionMethod } from './behaviour.js';

/** Behaviour of each policy, by name (read-only). */
export const POLICY_BEHAVIOURS: Readonly<Record<PolicyName, PolicyBehaviour>> = Object.freeze({
  roundRobin,
  weightedRoundRobin,
  random,
  weightedRandom,
  priority,
  leastUsed,
  leastUsedDegradation,
  priorityLeastUsed,
  randomizedLeastUsed,
  randomizedPriorityLeastUsed,
  randomizedLeastUsedDegradation,
  priorityLeastUsedDegradation,
  randomizedPriorityLeastUsedDegradation,
  weightedRandomDpf,
  leastUsedDpf,
  leastUsedDegradationDpf,
});

const BY_CODE: ReadonlyMap<number, PolicyBehaviour> = new Map(
  Object.values(POLICY_BEHAVIOURS).map((b) => [b.code, b] as const),
);

/** The behaviour of a policy name. */
export function policyBehaviour(name: PolicyName): PolicyBehaviour {
  return POLICY_BEHAVIOURS[name];
}

/** The behaviour of a policy type code, or undefined for codes no implementation knows. */
export function policyBehaviourByCode(code: number): PolicyBehaviour | undefined {
  return BY_CODE.get(code);
}
