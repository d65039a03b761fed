/**
 * Retransmission timeout calculation (RFC 9260 §6.3.1) with Karn's rule left to the caller (only
 * chunks sent once are measured) and exponential back-off on expiry (§6.3.3 E2).
 */

/** RTO bounds and initial value, ms (RFC 9260 §16: 1 s, 1 s, 60 s). */
export interface RtoOptions {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
}

/** SRTT / RTTVAR / RTO of one path. */
export class RtoEstimator {
  private srttValue: number | undefined;
  private rttvar = 0;
  private current: number;

  constructor(private readonly options: RtoOptions) {
    this.current = options.initial;
  }

  /** The RTO in force, ms. */
  get rto(): number {
    return this.current;
  }

  /** Smoothed RTT, ms (undefined before the first measurement). */
  get srtt(): number | undefined {
    return this.srttValue;
  }

  /** Feeds one round-trip measurement (C1–C3 of §6.3.1; alpha 1/8, beta 1/4, G taken as 1 ms). */
  measure(rtt: number): void {
    const r = Math.max(0, rtt);
    if (this.srttValue === undefined) {
      this.srttValue = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srttValue - r);
      this.srttValue = 0.875 * this.srttValue + 0.125 * r;
    }
    this.current = this.clamp(this.srttValue + Math.max(1, 4 * this.rttvar));
  }

  /** Doubles the RTO after a timer expiry (§6.3.3 E2), bounded by RTO.Max. */
  backOff(): void {
    this.current = this.clamp(this.current * 2);
  }

  private clamp(v: number): number {
    return Math.min(this.options.max, Math.max(this.options.min, v));
  }
}
