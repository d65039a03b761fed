/**
 * Delta debugging (Zeller's ddmin) over a step list: the smallest subsequence found that still
 * fails the same way. The test is asynchronous (a network target replays in real time) and the
 * search is bounded by a number of tests and a deadline, keeping the best list found so far.
 */

/** Limits of one shrink. */
export interface ShrinkBudget {
  readonly maxTests: number;
  /** `performance.now()`-style milliseconds after which no further test starts. */
  readonly deadline: number;
  readonly now: () => number;
}

/** The result and how many tests it took. */
export interface ShrinkResult<T> {
  readonly items: readonly T[];
  readonly tests: number;
  /** The search ended at a 1-minimal list (not cut short by the budget). */
  readonly complete: boolean;
}

/** Shrinks `items` (which must fail) to a smaller list for which `fails` still holds. */
export async function ddmin<T>(items: readonly T[], fails: (xs: readonly T[]) => Promise<boolean>, budget: ShrinkBudget): Promise<ShrinkResult<T>> {
  let current = [...items];
  let n = 2;
  let tests = 0;
  const spent = (): boolean => tests >= budget.maxTests || budget.now() >= budget.deadline;
  const test = async (xs: readonly T[]): Promise<boolean> => {
    tests++;
    return fails(xs);
  };
  while (current.length >= 2) {
    const size = Math.ceil(current.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    // Subsets first (big cuts), then complements.
    for (const c of chunks) {
      if (spent()) return { items: current, tests, complete: false };
      if (c.length < current.length && (await test(c))) {
        current = c;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (let k = 0; k < chunks.length; k++) {
        if (spent()) return { items: current, tests, complete: false };
        const complement = chunks.filter((_, j) => j !== k).flat();
        if (await test(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return { items: current, tests, complete: true };
}
