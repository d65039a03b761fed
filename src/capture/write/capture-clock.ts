/**
 * A deterministic clock for generated captures: it starts at a fixed time and moves only when
 * told to, so the same script always writes the same timestamps.
 */
import type { CaptureTimestamp } from '../capture-record.js';

const NS_PER_S = 1_000_000_000;

/** A settable clock in whole nanoseconds. */
export class CaptureClock {
  private seconds: number;
  private nanos: number;

  constructor(start: CaptureTimestamp) {
    this.seconds = start.seconds;
    this.nanos = start.nanos;
  }

  /** The current time. */
  now(): CaptureTimestamp {
    return { seconds: this.seconds, nanos: this.nanos };
  }

  /** Moves forward by whole nanoseconds. */
  advanceNanos(ns: number): void {
    if (!Number.isInteger(ns) || ns < 0) throw new RangeError(`clock step ${ns} ns must be a non-negative integer`);
    const total = this.nanos + ns;
    this.seconds += Math.floor(total / NS_PER_S);
    this.nanos = total % NS_PER_S;
  }

  /** Moves forward by whole microseconds. */
  advanceMicros(us: number): void {
    this.advanceNanos(us * 1000);
  }

  /** Moves forward by whole milliseconds. */
  advanceMillis(ms: number): void {
    this.advanceNanos(ms * 1_000_000);
  }
}
