/**
 * The saturating arithmetic rsplib's policies use on 32-bit policy words (`policies.md` §2,
 * "Notation"; rsplib `getSum`, `getValueFraction`).
 */

/** Largest policy word: 100 % load, maximum weight, maximum DPF. */
export const MAX_WORD = 0xffffffff;

/** `sat(x)`: x clamped to [0, 0xFFFFFFFF] (rsplib `getSum` computes in 64 bits, then clamps). */
export function sat(x: number): number {
  return x < 0 ? 0 : x > MAX_WORD ? MAX_WORD : x;
}

/** `clamp1(x)`: x clamped to [1, 0xFFFFFFFF], so a randomized-LU PE never has weight 0. */
export function clamp1(x: number): number {
  return x < 1 ? 1 : x > MAX_WORD ? MAX_WORD : x;
}

/** C `rint` in the default rounding mode: to nearest, ties to even. */
export function rint(x: number): number {
  const r = Math.round(x);
  // Math.round sends ties up; a tie that landed on an odd number belongs one lower.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The distance penalty factor as rsplib evaluates it: Distance × (DPF / 0xFFFFFFFF), in doubles. */
export function distancePenalty(distance: number, dpf: number): number {
  return distance * (dpf / MAX_WORD);
}
