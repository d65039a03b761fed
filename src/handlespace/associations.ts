/**
 * The PEs of each transport association, for removing them all when it closes (T-4).
 *
 * Only "all PEs of association A" is ever asked, never an order, so each association's set is an
 * intrusive doubly linked list in binding order (links on the entries, heads in a hash): adding
 * and removing a PE is O(1) instead of a tree descent on every registration.
 */
import type { PoolElementEntry } from './element.js';

/** Per-association lists of PEs. Each list's head keeps its tail in `assocPrev`. */
export class AssociationSets {
  private readonly heads = new Map<number, PoolElementEntry>();
  private count = 0;

  /** Number of PEs bound to some association. */
  get size(): number {
    return this.count;
  }

  /** Associations with at least one PE. */
  associations(): IterableIterator<number> {
    return this.heads.keys();
  }

  /** First PE of an association (binding order), or null. */
  first(association: number): PoolElementEntry | null {
    return this.heads.get(association) ?? null;
  }

  /** Appends `e` to its association's list (`e.association` must be set). */
  add(e: PoolElementEntry): void {
    const a = e.association as number;
    const head = this.heads.get(a);
    e.assocNext = null;
    if (head === undefined) {
      e.assocPrev = e;
      this.heads.set(a, e);
    } else {
      const tail = head.assocPrev as PoolElementEntry;
      tail.assocNext = e;
      e.assocPrev = tail;
      head.assocPrev = e;
    }
    this.count++;
  }

  /** Unlinks `e` from its association's list. */
  remove(e: PoolElementEntry): void {
    const a = e.association as number;
    const head = this.heads.get(a) as PoolElementEntry;
    const next = e.assocNext;
    if (e === head) {
      if (next === null) {
        this.heads.delete(a);
      } else {
        next.assocPrev = e.assocPrev;
        this.heads.set(a, next);
      }
    } else {
      const prev = e.assocPrev as PoolElementEntry;
      prev.assocNext = next;
      if (next === null) head.assocPrev = prev;
      else next.assocPrev = prev;
    }
    e.assocPrev = e.assocNext = null;
    this.count--;
  }

  /** Checks the lists: links, tails, membership, count. Returns the problems found. */
  check(): string[] {
    const problems: string[] = [];
    let total = 0;
    for (const [a, head] of this.heads) {
      let prev: PoolElementEntry | null = null;
      let n = 0;
      for (let e: PoolElementEntry | null = head; e !== null; e = e.assocNext) {
        if (e.association !== a) problems.push(`association ${a}: holds PE ${e.peId} of association ${e.association}`);
        if (prev !== null && e.assocPrev !== prev) problems.push(`association ${a}: broken back link at PE ${e.peId}`);
        prev = e;
        if (++n > this.count) {
          problems.push(`association ${a}: cycle`);
          break;
        }
      }
      if (head.assocPrev !== prev) problems.push(`association ${a}: head does not know its tail`);
      total += n;
    }
    if (total !== this.count) problems.push(`association lists hold ${total}, count says ${this.count}`);
    return problems;
  }
}
