/**
 * Draws mutations from a seeded source: the same seed gives the same sequence, so a campaign is
 * replayable, and each finding also records its mutations as data.
 */
import { Random } from '../src/util/random.js';
import { BOUNDARY_INTS, type Mutation } from './mutations.js';

const DELTAS = [-4, -1, 1, 4, -3, 3] as const;
const MESSAGE_DELTAS = [-4, -1, 1, 4, 0x8000, -0x8000] as const;

function pick<T>(r: Random, xs: readonly T[]): T {
  return xs[r.nextBelow(xs.length)]!;
}

/** One mutation, uniformly over the kinds. */
export function randomMutation(r: Random): Mutation {
  switch (r.nextBelow(13)) {
    case 0:
      return { kind: 'bitFlip', bit: r.nextUint32() };
    case 1:
      return { kind: 'setByte', at: r.nextUint32(), value: r.nextBelow(256) };
    case 2:
      return { kind: 'truncate', keep: r.nextUint32() };
    case 3:
    {
      const bytes: number[] = [];
      for (let k = r.nextBelow(12); k > 0; k--) bytes.push(r.nextBelow(256));
      return { kind: 'append', bytes };
    }
    case 4:
      return { kind: 'messageLength', delta: pick(r, MESSAGE_DELTAS) };
    case 5:
      return { kind: 'tlvLength', tlv: r.nextUint32(), delta: pick(r, DELTAS) };
    case 6:
      return { kind: 'tlvLengthMax', tlv: r.nextUint32() };
    case 7:
      return { kind: 'duplicateTlv', tlv: r.nextUint32() };
    case 8:
      return { kind: 'removeTlv', tlv: r.nextUint32() };
    case 9:
      return { kind: 'swapTlvs', a: r.nextUint32(), b: r.nextUint32() };
    case 10:
      return { kind: 'nestTlv', tlv: r.nextUint32(), container: r.nextUint32() };
    case 11:
      return { kind: 'unknownTlv', at: r.nextUint32(), action: r.nextBelow(4), length: r.nextBelow(64) };
    default:
      return { kind: 'boundaryInt', at: r.nextUint32(), value: pick(r, BOUNDARY_INTS) };
  }
}

/** 1 to `max` mutations. */
export function randomMutations(r: Random, max = 4): Mutation[] {
  const out: Mutation[] = [];
  for (let k = 1 + r.nextBelow(max); k > 0; k--) out.push(randomMutation(r));
  return out;
}
