/** A deterministic event queue for virtual time: a binary heap ordered by (time, insertion). */
interface Item {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Events in virtual time; equal times run in insertion order, so runs are reproducible. */
export class EventQueue {
  private readonly heap: Item[] = [];
  private seq = 0;
  /** The current virtual time (ms). */
  now = 0;

  schedule(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at: Math.max(at, this.now), seq: this.seq++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Runs events up to and including `until`; the clock ends at `until`. */
  runUntil(until: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.at <= until) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && less(h[l]!, h[m]!)) m = l;
          if (r < h.length && less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      this.now = top.at;
      top.run();
    }
    this.now = until;
  }
}

function less(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
