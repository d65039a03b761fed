/**
 * What the replay and the lint report: divergences between the captured registrar and the
 * reference, and passive findings. Each names its frames, the requirement IDs behind it and
 * which side is at odds with the digest.
 */

/**
 * Which side breaks the digest's rule:
 * - `captured`: the captured registrar (a real deviation of the implementation recorded);
 * - `reference`: our reference registrar (a bug to fix in `src/registrar/`);
 * - `capture-cannot-show`: the capture lacks what would decide it (packets before the capture
 *   started, kernel events without packets, timer values the capture does not reveal, …);
 * - `neither`: both behaviours are allowed (e.g. two valid random draws) — kept for the record.
 */
export type AtOdds = 'captured' | 'reference' | 'capture-cannot-show' | 'neither';

/** One difference between the captured registrar's behaviour and the reference's. */
export interface Divergence {
  /** Stable kind, e.g. `response.cause`, `keepAlive.missing`. */
  readonly kind: string;
  /** The registrar it concerns (label). */
  readonly registrar: string;
  /** Frames of the capture involved (request, captured answer, …), ascending. */
  readonly frames: readonly number[];
  /** Capture time of the first frame involved, ms since the capture began. */
  readonly time: number;
  /** Requirement IDs of `registrar-behaviour.md`. */
  readonly requirements: readonly string[];
  /** One line: what differs. */
  readonly summary: string;
  /** What the captured registrar did. */
  readonly captured: string;
  /** What the reference did. */
  readonly reference: string;
  /** Who is at odds with the digest. */
  atOdds: AtOdds;
  /** Why; every divergence in a finished report carries one. */
  explanation: string;
}

/** One passive finding of `--lint`. */
export interface LintFinding {
  readonly check: string;
  readonly frames: readonly number[];
  readonly time: number;
  readonly requirements: readonly string[];
  readonly summary: string;
  /** `error`: breaks the digest; `warning`: suspicious; `info`: worth knowing. */
  readonly severity: 'error' | 'warning' | 'info';
  /** Who is at odds, as for divergences. */
  atOdds: AtOdds;
  /** The verdict: why it happens and whether it is a real deviation. */
  verdict: string;
}
