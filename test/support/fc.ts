/**
 * fast-check settings shared by the property tests: a fixed default seed so CI is reproducible,
 * overridable with FC_SEED; fast-check prints the seed and path of any failure for replay.
 */
import fc from 'fast-check';

/** The seed every property test starts from (FC_SEED=n to explore others). */
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0x5e5e;

/** Parameters for fc.assert: seed plus the given run count. */
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: false });
