/**
 * How 32-bit unsigned quantities become tree keys. V8 stores integers of the signed 32-bit range
 * unboxed; shifting a uint32 down by 2^31 lands it there and keeps the order, so keys compare
 * by plain subtraction without ever touching a boxed number.
 */

/** The shift applied to unsigned 32-bit values. */
export const KEY_BIAS = 2 ** 31;

/** Key of an unsigned 32-bit value (or of any non-negative counter). */
export function u32Key(v: number): number {
  return v - KEY_BIAS;
}
