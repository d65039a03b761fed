/**
 * The 2007 demo capture speaks rsplib's pre-RFC numbering. The reference registrar only
 * registers RFC 5356 policies (REG-10), so the replay lifts legacy policies to their RFC
 * equivalents (wire-format.md §7) before feeding them; everything else decodes the same.
 */
import { legacyPolicyName, type AnyPolicy, type Message, type Policy, type PoolElement } from '../../codecs/index.js';

/** The RFC form of a legacy policy, or undefined when the legacy type has no RFC equivalent. */
export function liftPolicy(p: AnyPolicy): Policy | undefined {
  if (p.name !== 'legacy') return p;
  const name = legacyPolicyName(p.legacyType);
  if (name === undefined) return undefined;
  // The 24-bit value is the policy's first word (weight, priority or load).
  switch (name) {
    case 'weightedRoundRobin':
    case 'weightedRandom':
      return { name, weight: p.value };
    case 'priority':
      return { name, priority: p.value };
    case 'leastUsed':
    case 'randomizedLeastUsed':
      return { name, load: p.value };
    default:
      return { name } as Policy;
  }
}

function liftPe(pe: PoolElement): PoolElement | undefined {
  const policy = liftPolicy(pe.policy);
  return policy === undefined ? undefined : { ...pe, policy };
}

/** The message with its policies lifted; the same object when nothing is legacy. */
export function liftLegacy(m: Message): Message {
  if (m.profile !== 'legacy') return m;
  const { profile: _p, ...rest } = m;
  void _p;
  const r = rest as Message;
  if (r.protocol === 'asap' && r.type === 'registration') {
    const pe = liftPe(r.poolElement);
    return pe === undefined ? m : { ...r, poolElement: pe };
  }
  if (r.protocol === 'enrp' && r.type === 'handleUpdate') {
    const pe = liftPe(r.poolElement);
    return pe === undefined ? m : { ...r, poolElement: pe };
  }
  if (r.protocol === 'enrp' && r.type === 'handleTableResponse') {
    return { ...r, pools: r.pools.map((p) => ({ ...p, poolElements: p.poolElements.map((e) => liftPe(e) ?? e) })) };
  }
  return r;
}
