/**
 * The targets a registrar campaign can run against: the reference registrar in-process (or a
 * deliberately broken variant of it), or a registrar over SCTP on UDP.
 */
import type { Address } from '../../codecs/index.js';
import { InProcessTarget, type RegistrarFactory } from '../../src/conformance/in-process-target.js';
import { NetworkTarget, parseTargetSpec } from '../../src/conformance/network-target.js';
import type { Target } from '../../src/conformance/target.js';
import { VARIANTS, diesAfter } from '../../src/conformance/variants.js';
import type { RegistrarChecks } from './oracles.js';

/** Where a campaign sends its sequences. */
export type TargetSpec =
  | { readonly kind: 'in-process'; readonly variant?: string }
  | { readonly kind: 'network'; readonly spec: string; readonly timeoutScale?: number };

/** Server ID of the in-process registrar (the in-process target's default). */
export const IN_PROCESS_SERVER_ID = 0x5e5e0001;

/** PE addresses by default: a site-local one in-process, the socket's loopback address on the network. */
export function defaultPeAddresses(t: TargetSpec): Address[] {
  if (t.kind === 'in-process') return [{ family: 'ipv4', address: '10.1.0.1' }];
  const host = parseTargetSpec(t.spec).host;
  return [host.includes(':') ? { family: 'ipv6', address: '::1' } : { family: 'ipv4', address: '127.0.0.1' }];
}

/** Names accepted by `--variant`: the broken variants of `src/conformance/variants.ts` and `diesAfter:N`. */
export function variantNames(): string[] {
  return [...Object.keys(VARIANTS), 'diesAfter:N'];
}

/** The registrar factory of a variant name; throws RangeError for an unknown one. */
export function variantFactory(name: string): RegistrarFactory {
  const m = /^diesAfter:(\d+)$/.exec(name);
  if (m !== null) return diesAfter(Number(m[1]));
  const v = (VARIANTS as Record<string, RegistrarFactory>)[name];
  if (v === undefined) throw new RangeError(`RSP_ERR_FUZZ_BAD_VARIANT: unknown registrar variant ${JSON.stringify(name)}; known: ${variantNames().join(', ')}`);
  return v;
}

/** A fresh target (in-process: a new registrar wrapped by `checks`; network: new sockets). */
export function makeTarget(t: TargetSpec, checks: RegistrarChecks): Target {
  if (t.kind === 'in-process') {
    const factory = t.variant !== undefined ? checks.wrap(variantFactory(t.variant)) : checks.reference;
    // isolate false: the campaign decides when the registrar starts afresh (state carries across sequences).
    return new InProcessTarget({ factory, isolate: false, config: { serverId: IN_PROCESS_SERVER_ID } });
  }
  const { host, asapPort, enrpPort } = parseTargetSpec(t.spec);
  return new NetworkTarget({ host, asapPort, ...(enrpPort !== undefined ? { enrpPort } : {}), timeoutScale: t.timeoutScale ?? 1, connectTimeoutMs: 5000 });
}

/** How the target is named in reports and replay commands. */
export function targetName(t: TargetSpec): string {
  return t.kind === 'in-process' ? `in-process${t.variant !== undefined ? ` (variant ${t.variant})` : ''}` : t.spec;
}
