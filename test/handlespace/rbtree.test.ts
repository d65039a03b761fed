/**
 * The generic red-black tree: random insert/remove sequences against a sorted array, with the
 * invariant checker after every step; both ordering modes; bounds, iteration, weighted picks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RbNode, RedBlackTree, WeightedRbNode } from '../../src/handlespace/rbtree.js';

interface Item {
  key: number;
  weight: number;
}

function keyed(key: number, weight = 0): WeightedRbNode<Item> {
  const n = new WeightedRbNode<Item>({ key, weight });
  n.k1 = key;
  n.value = weight;
  return n;
}

const byItemKey = (a: RbNode<Item>, b: RbNode<Item>): number => a.item.key - b.item.key;

describe('RedBlackTree', () => {
  for (const mode of ['numeric keys', 'comparator'] as const) {
    it(`keeps every invariant under random inserts and removes (${mode})`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -50, max: 50 }), fc.nat(9)), { maxLength: 200 }), (ops) => {
          const tree = new RedBlackTree<Item>(mode === 'comparator' ? byItemKey : null, true);
          const nodes = new Map<number, WeightedRbNode<Item>>();
          for (const [insert, key, weight] of ops) {
            if (insert) {
              const n = keyed(key, weight);
              const r = tree.insert(n);
              if (nodes.has(key)) expect(r).toBe(nodes.get(key));
              else {
                expect(r).toBe(n);
                nodes.set(key, n);
              }
            } else if (nodes.has(key)) {
              tree.remove(nodes.get(key) as WeightedRbNode<Item>);
              nodes.delete(key);
            }
            expect(tree.checkInvariants()).toEqual([]);
          }
          const sorted = [...nodes.keys()].sort((a, b) => a - b);
          expect([...tree].map((i) => i.key)).toEqual(sorted);
          expect([...tree.reversed()].map((i) => i.key)).toEqual([...sorted].reverse());
          expect(tree.size).toBe(sorted.length);
          expect(tree.valueSum).toBe([...nodes.values()].reduce((s, n) => s + n.value, 0));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('finds, and bounds searches land on the right node', () => {
    const tree = new RedBlackTree<Item>(null);
    for (const k of [10, 20, 30, 40]) tree.insert(keyed(k));
    expect(tree.findKeys(30)?.item.key).toBe(30);
    expect(tree.findKeys(31)).toBeNull();
    expect(tree.lowerBoundKeys(30)?.item.key).toBe(30);
    expect(tree.lowerBoundKeys(31)?.item.key).toBe(40);
    expect(tree.upperBoundKeys(30)?.item.key).toBe(40);
    expect(tree.upperBoundKeys(40)).toBeNull();
    expect(tree.lowerBoundKeys(-Infinity)?.item.key).toBe(10);
    const byKey = (k: number, n: RbNode<Item>): number => k - n.item.key;
    expect(tree.find(20, byKey)?.item.key).toBe(20);
    expect(tree.lowerBound(25, byKey)?.item.key).toBe(30);
    expect(tree.upperBound(20, byKey)?.item.key).toBe(30);
  });

  it('walks both ways without allocating iterators', () => {
    const tree = new RedBlackTree<Item>(null);
    for (const k of [5, 1, 4, 2, 3]) tree.insert(keyed(k));
    const forward: number[] = [];
    for (let n = tree.first(); n !== null; n = tree.next(n)) forward.push(n.item.key);
    const backward: number[] = [];
    for (let n = tree.last(); n !== null; n = tree.prev(n)) backward.push(n.item.key);
    expect(forward).toEqual([1, 2, 3, 4, 5]);
    expect(backward).toEqual([5, 4, 3, 2, 1]);
  });

  it('picks by value: each node owns [before, before + value) in key order', () => {
    const tree = new RedBlackTree<Item>(null, true);
    const weights = [3, 0, 2, 5];
    weights.forEach((w, i) => tree.insert(keyed(i, w)));
    expect(tree.valueSum).toBe(10);
    const owner = Array.from({ length: 10 }, (_, v) => tree.nodeByValue(v)?.item.key);
    expect(owner).toEqual([0, 0, 0, 2, 2, 3, 3, 3, 3, 3]);
    expect(tree.nodeByValue(10)).toBeNull();
    // Changing a linked node's value keeps the sums right.
    tree.setValue(tree.findKeys(1) as WeightedRbNode<Item>, 4);
    expect(tree.valueSum).toBe(14);
    expect(tree.checkInvariants()).toEqual([]);
    expect(tree.nodeByValue(3)?.item.key).toBe(1);
  });

  it('refuses double links, unlinking strangers, and plain nodes in augmented trees', () => {
    const tree = new RedBlackTree<Item>(null);
    const n = keyed(1);
    tree.insert(n);
    expect(() => tree.insert(n)).toThrow();
    tree.remove(n);
    expect(() => tree.remove(n)).toThrow();
    expect(() => new RedBlackTree<Item>(null, true).insert(new RbNode<Item>({ key: 1, weight: 0 }))).toThrow(TypeError);
  });

  it('reports broken invariants', () => {
    const tree = new RedBlackTree<Item>(null, true);
    const nodes = [1, 2, 3].map((k) => keyed(k, 1));
    for (const n of nodes) tree.insert(n);
    nodes[0].k1 = 9; // order broken behind the tree's back
    (tree.root as RbNode<Item>).red = true;
    (tree.root as WeightedRbNode<Item>).sum = 99;
    const problems = tree.checkInvariants().join('\n');
    expect(problems).toMatch(/root is red/);
    expect(problems).toMatch(/order violated/);
    expect(problems).toMatch(/subtree sum/);
  });
});
