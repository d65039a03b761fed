/**
 * Builders shared by the handlespace tests.
 */
import type { Policy, PolicyName, TransportParameter } from '../../codecs/types.js';
import type { RegistrablePoolElement } from '../../src/handlespace/index.js';

export const encoder = new TextEncoder();

/** Pool handle bytes of a string. */
export function handle(s: string): Uint8Array {
  return encoder.encode(s);
}

/** An SCTP user transport with one address. */
export function sctp(port = 5000, transportUse: 'dataOnly' | 'dataPlusControl' = 'dataPlusControl'): TransportParameter {
  return { transport: 'sctp', port, transportUse, addresses: [{ family: 'ipv4', address: '10.0.0.1' }] };
}

/** A registrable PE. */
export function element(
  peId: number,
  policy: Policy,
  options: { home?: number; life?: number; transport?: TransportParameter } = {},
): RegistrablePoolElement {
  return {
    peId,
    homeRegistrarId: options.home ?? 1,
    registrationLife: options.life ?? 30000,
    userTransport: options.transport ?? sctp(),
    policy,
  };
}

/** A policy value. */
export function policy(name: PolicyName, values: Omit<Policy, 'name'> = {}): Policy {
  return { name, ...values };
}

/** A fraction of 100 % load as a policy word. */
export function percent(p: number): number {
  return Math.round((p / 100) * 0xffffffff);
}
