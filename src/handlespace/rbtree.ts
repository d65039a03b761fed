/**
 * A generic intrusive red-black tree.
 *
 * Nodes are objects owned by the stored items (a pool element owns one node per set it is in),
 * so linking and unlinking never allocate. Every node is also threaded into a doubly linked
 * in-order list, which makes `first`, `last`, `next` and `prev` O(1) and allocation-free.
 * An *augmented* tree additionally keeps, per node, the size and the sum of the non-negative
 * node values of its subtree, so a weighted random pick (`nodeByValue`) is O(log n).
 *
 * Ordering: either a comparator over nodes, or — the fast path for hot sets — none, in which
 * case nodes are ordered by their numeric keys (`k1`, `k2`, `k3`) compared inline. Keys live in
 * the node rather than the item so a descent touches one object per level; callers keep them
 * within the 32-bit signed range where they can, which V8 stores unboxed.
 */

/** Orders two nodes: negative, zero (equal keys) or positive. */
export type Comparator<T> = (a: RbNode<T>, b: RbNode<T>) => number;

/** Orders a search key against a node, like {@link Comparator}. */
export type KeyComparator<K, T> = (key: K, node: RbNode<T>) => number;

/** Lexicographic order of the numeric keys: the order of trees built without a comparator. */
export function compareNumericKeys<T>(a: RbNode<T>, b: RbNode<T>): number {
  return a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3;
}

/** One node of a {@link RedBlackTree}; an item holds one per tree it can be linked into. */
export class RbNode<T> {
  // Field order matters: V8 lays fields out in declaration order. A descent reads the keys and
  // the child links, a traversal reads `next` and `item`; each group shares a cache line.
  /** Numeric keys; the order of a tree without comparator (set them before linking). */
  k1 = 0;
  k2 = 0;
  k3 = 0;
  left: RbNode<T> | null = null;
  right: RbNode<T> | null = null;
  /** In-order successor while linked. */
  next: RbNode<T> | null = null;
  /** The item the node belongs to; an owner recycling unlinked nodes may reassign it. */
  item: T;
  /** In-order predecessor while linked. */
  prev: RbNode<T> | null = null;
  parent: RbNode<T> | null = null;
  red = false;
  linked = false;

  constructor(item: T) {
    this.item = item;
  }

  /** Clears the keys so a recycled node starts like a new one. */
  reset(item: T): void {
    this.item = item;
    this.k1 = this.k2 = this.k3 = 0;
  }
}

/**
 * A node that can live in an augmented tree: it also carries a weight and its subtree's size
 * and weight sum. Kept apart from {@link RbNode} so that nodes of plain trees stay small.
 */
export class WeightedRbNode<T> extends RbNode<T> {
  /** This node's weight for weighted picks; set it before linking or with `setValue`. */
  value = 0;
  /** Sum of `value` over this subtree (maintained by augmented trees). */
  sum = 0;
  /** Number of nodes in this subtree (maintained by augmented trees). */
  size = 0;

  override reset(item: T): void {
    super.reset(item);
    this.value = this.sum = this.size = 0;
  }
}

/** The weighted view of a node of an augmented tree (which only ever links weighted nodes). */
function w<T>(n: RbNode<T>): WeightedRbNode<T> {
  return n as WeightedRbNode<T>;
}

/** A red-black tree over intrusive {@link RbNode}s with unique keys. */
export class RedBlackTree<T> {
  root: RbNode<T> | null = null;
  private head: RbNode<T> | null = null;
  private tail: RbNode<T> | null = null;
  private count = 0;

  /** The order of the tree. */
  readonly compare: Comparator<T>;
  private readonly numeric: boolean;

  /**
   * @param compare total order of the nodes; equal keys are refused by `insert`. Null: order by
   *   the numeric keys, compared inline.
   * @param augmented keep subtree sizes and value sums (costs one walk to the root per change);
   *   such a tree links only {@link WeightedRbNode}s.
   */
  constructor(
    compare: Comparator<T> | null,
    readonly augmented = false,
  ) {
    this.numeric = compare === null;
    this.compare = compare ?? compareNumericKeys;
  }

  /** Number of linked nodes. */
  get size(): number {
    return this.count;
  }

  /** Sum of the values of all linked nodes (augmented trees only; 0 otherwise). */
  get valueSum(): number {
    return this.root === null || !this.augmented ? 0 : w(this.root).sum;
  }

  /** Smallest node, or null if empty. */
  first(): RbNode<T> | null {
    return this.head;
  }

  /** Largest node, or null if empty. */
  last(): RbNode<T> | null {
    return this.tail;
  }

  /** In-order successor of a linked node. */
  next(node: RbNode<T>): RbNode<T> | null {
    return node.next;
  }

  /** In-order predecessor of a linked node. */
  prev(node: RbNode<T>): RbNode<T> | null {
    return node.prev;
  }

  /**
   * Links `node`. Returns `node`, or the already linked node with an equal key (then `node`
   * stays unlinked).
   */
  insert(node: RbNode<T>): RbNode<T> {
    if (node.linked) throw new Error('RbNode is already linked');
    if (this.augmented && !(node instanceof WeightedRbNode)) throw new TypeError('augmented trees link WeightedRbNodes');
    let parent: RbNode<T> | null = null;
    let cur = this.root;
    let c = 0;
    const tail = this.tail;
    if (tail !== null && (this.numeric ? compareNumericKeys(node, tail) : this.compare(node, tail)) > 0) {
      // A new maximum hangs right of the current maximum. Sets grow this way all the time:
      // increasing sequence numbers, timers that fire later than every other one.
      parent = tail;
      c = 1;
      cur = null;
    } else if (this.numeric) {
      const k1 = node.k1;
      const k2 = node.k2;
      const k3 = node.k3;
      while (cur !== null) {
        parent = cur;
        c = k1 - cur.k1 || k2 - cur.k2 || k3 - cur.k3;
        if (c < 0) cur = cur.left;
        else if (c > 0) cur = cur.right;
        else return cur;
      }
    } else {
      const compare = this.compare;
      while (cur !== null) {
        parent = cur;
        c = compare(node, cur);
        if (c < 0) cur = cur.left;
        else if (c > 0) cur = cur.right;
        else return cur;
      }
    }
    node.parent = parent;
    node.left = null;
    node.right = null;
    node.red = true;
    node.linked = true;
    if (parent === null) {
      this.root = node;
      node.prev = null;
      node.next = null;
      this.head = node;
      this.tail = node;
    } else if (c < 0) {
      // A new left leaf sits directly before its parent in order.
      parent.left = node;
      const before = parent.prev;
      node.prev = before;
      node.next = parent;
      parent.prev = node;
      if (before === null) this.head = node;
      else before.next = node;
    } else {
      parent.right = node;
      const after = parent.next;
      node.prev = parent;
      node.next = after;
      parent.next = node;
      if (after === null) this.tail = node;
      else after.prev = node;
    }
    if (this.augmented) {
      const wn = w(node);
      const value = wn.value;
      wn.size = 1;
      wn.sum = value;
      for (let p = parent; p !== null; p = p.parent) {
        const wp = w(p);
        wp.size++;
        wp.sum += value;
      }
    }
    this.count++;
    this.insertFixup(node);
    return node;
  }

  /** Unlinks a linked node of this tree. */
  remove(z: RbNode<T>): void {
    if (!z.linked) throw new Error('RbNode is not linked');
    const zPrev = z.prev;
    const zNext = z.next;
    if (zPrev === null) this.head = zNext;
    else zPrev.next = zNext;
    if (zNext === null) this.tail = zPrev;
    else zNext.prev = zPrev;

    let x: RbNode<T> | null;
    let xParent: RbNode<T> | null;
    let removedRed = z.red;
    if (z.left === null) {
      x = z.right;
      xParent = z.parent;
      this.transplant(z, x);
    } else if (z.right === null) {
      x = z.left;
      xParent = z.parent;
      this.transplant(z, x);
    } else {
      // Two children: the in-order successor (leftmost of the right subtree) takes z's place.
      const y = zNext as RbNode<T>;
      removedRed = y.red;
      x = y.right;
      if (y.parent === z) {
        xParent = y;
      } else {
        xParent = y.parent;
        this.transplant(y, x);
        y.right = z.right;
        (y.right as RbNode<T>).parent = y;
      }
      this.transplant(z, y);
      y.left = z.left;
      (y.left as RbNode<T>).parent = y;
      y.red = z.red;
    }
    if (this.augmented) {
      for (let p = xParent; p !== null; p = p.parent) this.recompute(p);
    }
    if (!removedRed) this.removeFixup(x, xParent);
    z.left = z.right = z.parent = z.prev = z.next = null;
    z.linked = false;
    z.red = false;
    this.count--;
  }

  /** Changes a node's value, keeping the subtree sums right if it is linked here. */
  setValue(node: WeightedRbNode<T>, value: number): void {
    const delta = value - node.value;
    node.value = value;
    if (node.linked && this.augmented) {
      for (let p: RbNode<T> | null = node; p !== null; p = p.parent) w(p).sum += delta;
    }
  }

  /** In a tree without comparator: the node with keys (k1, k2, k3), or null. */
  findKeys(k1: number, k2 = 0, k3 = 0): RbNode<T> | null {
    let cur = this.root;
    while (cur !== null) {
      const c = k1 - cur.k1 || k2 - cur.k2 || k3 - cur.k3;
      if (c < 0) cur = cur.left;
      else if (c > 0) cur = cur.right;
      else return cur;
    }
    return null;
  }

  /** In a tree without comparator: the first node not less than (k1, k2, k3), or null. */
  lowerBoundKeys(k1: number, k2 = 0, k3 = 0): RbNode<T> | null {
    let cur = this.root;
    let best: RbNode<T> | null = null;
    while (cur !== null) {
      if ((k1 - cur.k1 || k2 - cur.k2 || k3 - cur.k3) <= 0) {
        best = cur;
        cur = cur.left;
      } else {
        cur = cur.right;
      }
    }
    return best;
  }

  /** In a tree without comparator: the first node greater than (k1, k2, k3), or null. */
  upperBoundKeys(k1: number, k2 = 0, k3 = 0): RbNode<T> | null {
    let cur = this.root;
    let best: RbNode<T> | null = null;
    while (cur !== null) {
      if ((k1 - cur.k1 || k2 - cur.k2 || k3 - cur.k3) < 0) {
        best = cur;
        cur = cur.left;
      } else {
        cur = cur.right;
      }
    }
    return best;
  }

  /** The node whose key equals `key`, or null. */
  find<K>(key: K, compare: KeyComparator<K, T>): RbNode<T> | null {
    let cur = this.root;
    while (cur !== null) {
      const c = compare(key, cur);
      if (c < 0) cur = cur.left;
      else if (c > 0) cur = cur.right;
      else return cur;
    }
    return null;
  }

  /** The first node whose item is not less than `key`, or null. */
  lowerBound<K>(key: K, compare: KeyComparator<K, T>): RbNode<T> | null {
    let cur = this.root;
    let best: RbNode<T> | null = null;
    while (cur !== null) {
      if (compare(key, cur) <= 0) {
        best = cur;
        cur = cur.left;
      } else {
        cur = cur.right;
      }
    }
    return best;
  }

  /** The first node whose item is greater than `key`, or null. */
  upperBound<K>(key: K, compare: KeyComparator<K, T>): RbNode<T> | null {
    let cur = this.root;
    let best: RbNode<T> | null = null;
    while (cur !== null) {
      if (compare(key, cur) < 0) {
        best = cur;
        cur = cur.left;
      } else {
        cur = cur.right;
      }
    }
    return best;
  }

  /**
   * Weighted pick (augmented trees): the node whose interval [before, before + value) contains
   * `v`, where `before` is the sum of the values of all nodes ordered before it. Nodes of value 0
   * own an empty interval and are never returned. Null if `v` is outside [0, valueSum).
   */
  nodeByValue(v: number): WeightedRbNode<T> | null {
    if (!this.augmented) return null;
    let cur = this.root as WeightedRbNode<T> | null;
    while (cur !== null) {
      const left = cur.left as WeightedRbNode<T> | null;
      const leftSum = left === null ? 0 : left.sum;
      if (v < leftSum) {
        cur = left;
        continue;
      }
      v -= leftSum;
      if (v < cur.value) return cur;
      v -= cur.value;
      cur = cur.right as WeightedRbNode<T> | null;
    }
    return null;
  }

  /** Items in order (allocates an iterator; use first/next in hot code). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let n = this.head; n !== null; n = n.next) yield n.item;
  }

  /** Items in reverse order. */
  *reversed(): IterableIterator<T> {
    for (let n = this.tail; n !== null; n = n.prev) yield n.item;
  }

  /**
   * Checks every red-black and bookkeeping invariant: black root, no red node with a red child,
   * equal black height on all paths, strictly increasing order, parent links, the threaded list,
   * the node count and (augmented) subtree sizes and sums. Returns the problems found.
   */
  checkInvariants(): string[] {
    const problems: string[] = [];
    const root = this.root;
    if (root !== null) {
      if (root.red) problems.push('root is red');
      if (root.parent !== null) problems.push('root has a parent');
    }
    const inOrder: RbNode<T>[] = [];
    const walk = (n: RbNode<T> | null, parent: RbNode<T> | null): number => {
      if (n === null) return 1;
      if (n.parent !== parent) problems.push('wrong parent link');
      if (!n.linked) problems.push('node in tree not marked linked');
      if (n.red && ((n.left !== null && n.left.red) || (n.right !== null && n.right.red))) {
        problems.push('red node with red child');
      }
      const lh = walk(n.left, n);
      inOrder.push(n);
      const rh = walk(n.right, n);
      if (lh !== rh) problems.push(`black height differs (${lh} vs ${rh})`);
      if (this.augmented) {
        const wn = w(n);
        const l = n.left === null ? null : w(n.left);
        const r = n.right === null ? null : w(n.right);
        const size = 1 + (l?.size ?? 0) + (r?.size ?? 0);
        const sum = wn.value + (l?.sum ?? 0) + (r?.sum ?? 0);
        if (wn.size !== size) problems.push(`subtree size ${wn.size}, expected ${size}`);
        if (wn.sum !== sum) problems.push(`subtree sum ${wn.sum}, expected ${sum}`);
        if (!(wn.value >= 0)) problems.push(`negative value ${wn.value}`);
      }
      return lh + (n.red ? 0 : 1);
    };
    walk(root, null);
    if (inOrder.length !== this.count) problems.push(`count ${this.count}, tree holds ${inOrder.length}`);
    for (let i = 1; i < inOrder.length; i++) {
      if (!(this.compare(inOrder[i - 1], inOrder[i]) < 0)) problems.push(`order violated at ${i}`);
    }
    let listIndex = 0;
    let prev: RbNode<T> | null = null;
    for (let n = this.head; n !== null; n = n.next) {
      if (n !== inOrder[listIndex]) {
        problems.push(`threaded list differs from in-order walk at ${listIndex}`);
        break;
      }
      if (n.prev !== prev) problems.push(`wrong prev link at ${listIndex}`);
      prev = n;
      listIndex++;
      if (listIndex > inOrder.length) break;
    }
    if (listIndex !== inOrder.length) problems.push('threaded list length differs');
    if (this.tail !== (inOrder.length === 0 ? null : inOrder[inOrder.length - 1])) problems.push('wrong tail');
    return problems;
  }

  private recompute(node: RbNode<T>): void {
    const n = w(node);
    const l = n.left === null ? null : w(n.left);
    const r = n.right === null ? null : w(n.right);
    n.size = 1 + (l === null ? 0 : l.size) + (r === null ? 0 : r.size);
    n.sum = n.value + (l === null ? 0 : l.sum) + (r === null ? 0 : r.sum);
  }

  /** Puts `v` where `u` hangs (u's parent link only). */
  private transplant(u: RbNode<T>, v: RbNode<T> | null): void {
    const p = u.parent;
    if (p === null) this.root = v;
    else if (u === p.left) p.left = v;
    else p.right = v;
    if (v !== null) v.parent = p;
  }

  private rotateLeft(x: RbNode<T>): void {
    const y = x.right as RbNode<T>;
    const b = y.left;
    x.right = b;
    if (b !== null) b.parent = x;
    const p = x.parent;
    y.parent = p;
    if (p === null) this.root = y;
    else if (x === p.left) p.left = y;
    else p.right = y;
    y.left = x;
    x.parent = y;
    if (this.augmented) {
      // The rotated pair covers the same nodes as before, so y inherits x's totals.
      w(y).size = w(x).size;
      w(y).sum = w(x).sum;
      this.recompute(x);
    }
  }

  private rotateRight(x: RbNode<T>): void {
    const y = x.left as RbNode<T>;
    const b = y.right;
    x.left = b;
    if (b !== null) b.parent = x;
    const p = x.parent;
    y.parent = p;
    if (p === null) this.root = y;
    else if (x === p.right) p.right = y;
    else p.left = y;
    y.right = x;
    x.parent = y;
    if (this.augmented) {
      w(y).size = w(x).size;
      w(y).sum = w(x).sum;
      this.recompute(x);
    }
  }

  private insertFixup(z: RbNode<T>): void {
    let p = z.parent;
    while (p !== null && p.red) {
      // A red parent is never the root, so the grandparent exists.
      const g = p.parent as RbNode<T>;
      if (p === g.left) {
        const u = g.right;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
        } else {
          if (z === p.right) {
            z = p;
            this.rotateLeft(z);
            p = z.parent as RbNode<T>;
          }
          p.red = false;
          g.red = true;
          this.rotateRight(g);
        }
      } else {
        const u = g.left;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
        } else {
          if (z === p.left) {
            z = p;
            this.rotateRight(z);
            p = z.parent as RbNode<T>;
          }
          p.red = false;
          g.red = true;
          this.rotateLeft(g);
        }
      }
      p = z.parent;
    }
    (this.root as RbNode<T>).red = false;
  }

  /**
   * Restores the black height after a black node left the path through `x` (which may be null,
   * hence its parent is passed along). A null `x` is never ambiguous: its sibling side must hold
   * the black node the removal did not touch, so the sibling is not null.
   */
  private removeFixup(x: RbNode<T> | null, parent: RbNode<T> | null): void {
    while (x !== this.root && (x === null || !x.red)) {
      const p = parent as RbNode<T>;
      if (x === p.left) {
        let w = p.right as RbNode<T>;
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateLeft(p);
          w = p.right as RbNode<T>;
        }
        if ((w.left === null || !w.left.red) && (w.right === null || !w.right.red)) {
          w.red = true;
          x = p;
          parent = p.parent;
        } else {
          if (w.right === null || !w.right.red) {
            (w.left as RbNode<T>).red = false;
            w.red = true;
            this.rotateRight(w);
            w = p.right as RbNode<T>;
          }
          w.red = p.red;
          p.red = false;
          if (w.right !== null) w.right.red = false;
          this.rotateLeft(p);
          x = this.root;
          parent = null;
        }
      } else {
        let w = p.left as RbNode<T>;
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateRight(p);
          w = p.left as RbNode<T>;
        }
        if ((w.right === null || !w.right.red) && (w.left === null || !w.left.red)) {
          w.red = true;
          x = p;
          parent = p.parent;
        } else {
          if (w.left === null || !w.left.red) {
            (w.right as RbNode<T>).red = false;
            w.red = true;
            this.rotateLeft(w);
            w = p.left as RbNode<T>;
          }
          w.red = p.red;
          p.red = false;
          if (w.left !== null) w.left.red = false;
          this.rotateRight(p);
          x = this.root;
          parent = null;
        }
      }
    }
    if (x !== null) x.red = false;
  }
}
