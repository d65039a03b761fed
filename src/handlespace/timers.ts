/**
 * The handlespace-wide timer schedule: every PE is in it exactly once, ordered by due time,
 * ties by creation serial so the order is total and deterministic. The schedule is a tree keyed
 * by each PE's timer node (k1 = due time, k2 = serial), which `Handlespace` keeps in step.
 *
 * Due times are in the caller's unit and epoch; small integers (e.g. milliseconds since the
 * registrar started, not since 1970) keep the keys unboxed in V8 and the schedule fastest.
 */

/**
 * The three timers a registrar runs per PE (`registrar-behaviour.md` §1; rsplib
 * `PENT_KEEPALIVE_TRANSMISSION`, `PENT_KEEPALIVE_TIMEOUT`, `PENT_EXPIRY`): a home PE waits for
 * its next Keep-Alive to be sent or for the Ack of the last one; a foreign PE expires when its
 * Registration Life runs out (REG-12). Each PE has exactly one of them at any time.
 */
export type TimerKind = 'keepAliveTransmission' | 'keepAliveTimeout' | 'expiry';

/** Every timer kind (read-only; source: `registrar-behaviour.md` §1). */
export const TIMER_KINDS: readonly TimerKind[] = Object.freeze(['keepAliveTransmission', 'keepAliveTimeout', 'expiry']);
