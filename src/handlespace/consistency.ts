/**
 * Pool consistency rules checked when a PE registers into an existing pool
 * (`registrar-behaviour.md` REG-3 … REG-6), with the Operation Error cause each violation
 * produces under the RFC and under rsplib.
 */
import { CAUSE, RSPLIB_CAUSE } from '../../codecs/constants.js';
import type { TransportParameter } from '../../codecs/types.js';
import type { PolicyBehaviour } from './policies/index.js';
import { type Pool, usesControlChannel } from './pool.js';

/** Which pool property a refused registration disagreed with. */
export type PoolViolation = 'transportType' | 'transportUse' | 'policyType';

/** A registration the handlespace refused, with the cause a registrar answers in either profile. */
export interface RegistrationRefusal {
  readonly ok: false;
  readonly violation: PoolViolation;
  /** Requirement of `registrar-behaviour.md` that the check enforces. */
  readonly requirement: 'REG-4' | 'REG-5' | 'REG-6';
  /** The cause RFC 5352 / RFC 5354 prescribe. */
  readonly rfcCause: number;
  /** The cause rsplib's registrar puts on the wire. */
  readonly rsplibCause: number;
}

function refusal(
  violation: PoolViolation,
  requirement: RegistrationRefusal['requirement'],
  rfcCause: number,
  rsplibCause: number,
): RegistrationRefusal {
  return Object.freeze({ ok: false, violation, requirement, rfcCause, rsplibCause });
}

/** The three refusals (read-only; source: `registrar-behaviour.md` REG-4 … REG-6). */
export const REFUSALS = Object.freeze({
  /** REG-5: rsplib sends its private 0x100a instead of Inconsistent Transport Type. */
  transportType: refusal('transportType', 'REG-5', CAUSE.inconsistentTransportType, RSPLIB_CAUSE.wrongProtocol),
  /** REG-6: both send Inconsistent Data/Control Configuration. */
  transportUse: refusal(
    'transportUse',
    'REG-6',
    CAUSE.inconsistentDataControlConfiguration,
    CAUSE.inconsistentDataControlConfiguration,
  ),
  /** REG-4: both send Inconsistent Pooling Policy (rsplib without the policy TLV as info). */
  policyType: refusal('policyType', 'REG-4', CAUSE.inconsistentPoolingPolicy, CAUSE.inconsistentPoolingPolicy),
} satisfies Record<PoolViolation, RegistrationRefusal>);

/**
 * Checks a registering PE against the pool's fixed properties. When several differ, the first
 * in rsplib's order is reported: transport type, then transport use, then policy type.
 * Only the policy *type* is compared, never its values (REG-4).
 */
export function checkPoolConsistency(
  pool: Pool,
  policy: PolicyBehaviour,
  userTransport: TransportParameter,
): RegistrationRefusal | null {
  // REG-5: all PEs of a pool use the transport protocol of the first one.
  if (userTransport.transport !== pool.transport) return REFUSALS.transportType;
  // REG-6: all PEs of a pool agree on data-only versus data plus control channel.
  if (usesControlChannel(userTransport) !== pool.controlChannel) return REFUSALS.transportUse;
  // REG-4: all PEs of a pool use the policy type of the first one.
  if (policy !== pool.policy) return REFUSALS.policyType;
  return null;
}
