/**
 * ASAP exchanges shared by the case files: a registered PE in a fresh pool, deregistration, the
 * "is this PE handed out" check, refusal and cause checks, and the Keep-Alive waiting times.
 *
 * Each helper keeps the order of `ctx.pool()`, `ctx.id()` and endpoint opens the cases had when
 * they spelled the exchange out, so traces and seeded IDs stay the same.
 */
import type { CaseContext } from '../../src/conformance/case.js';
import { describeMessage } from '../../src/conformance/describe.js';
import type { Endpoint, Received } from '../../src/conformance/target.js';
import type { Message, Policy, PoolElement } from '../../codecs/index.js';
import { causeOf, check, expectNone, expectType, hex, openPe, openPu, register, resolvable, type Of, type PeDriver } from '../support.js';

/** What {@link freshPe} and {@link registeredPe} set up. */
export interface RegisteredPe {
  readonly pool: Uint8Array;
  readonly pe: PeDriver;
  readonly peId: number;
}

/** Options of {@link registeredPe}. */
export interface RegisteredPeOptions {
  /** Overrides of the registered Pool Element (REG-8 transport, Registration Life, …). */
  readonly over?: Partial<PoolElement>;
  readonly policy?: Policy;
  /** Whether the PE answers Keep-Alives (default: it does, like a live PE). */
  readonly autoAck?: boolean;
  /** Register into this pool instead of a fresh `ctx.pool()`. */
  readonly pool?: Uint8Array;
}

/** A fresh pool, a PE endpoint and a PE ID for it, nothing registered yet. */
export async function freshPe(ctx: CaseContext, autoAck = true): Promise<RegisteredPe> {
  const pool = ctx.pool();
  const pe = await openPe(ctx, autoAck);
  return { pool, pe, peId: ctx.id() };
}

/**
 * A fresh pool, a PE endpoint and one PE ID registered there with success (REG-1): the prologue
 * of most ASAP cases.
 */
export async function registeredPe(ctx: CaseContext, options: RegisteredPeOptions = {}): Promise<RegisteredPe> {
  const pool = options.pool ?? ctx.pool();
  const pe = await openPe(ctx, options.autoAck ?? true);
  const peId = ctx.id();
  await register(ctx, pe, pool, peId, options.over ?? {}, options.policy);
  return { pool, pe, peId };
}

/** Sends an ASAP Deregistration of `peId` from `ep` (without waiting for the answer). */
export function sendDeregistration(ep: Endpoint, pool: Uint8Array, peId: number): void {
  ep.send({ protocol: 'asap', type: 'deregistration', poolHandle: pool, peId });
}

/** Deregisters `peId` from `ep` and returns the Deregistration Response (whatever it says). */
export function deregister(ep: Endpoint, pool: Uint8Array, peId: number, requirement: string): Promise<Of<'deregistrationResponse'> & { readonly received: Received }> {
  sendDeregistration(ep, pool, peId);
  return expectType(ep, 'deregistrationResponse', 5000, requirement);
}

/** Where a handed-out check asks: a fresh PU (opened at the time of the check) unless `pu` is given. */
export interface HandedOutQuery {
  readonly pool: Uint8Array;
  readonly peId: number;
  readonly pu?: Endpoint;
}

/**
 * Fails with `requirement` unless resolving the pool does (`want` true) or does not (`want`
 * false) list the PE. `expected` / `actual` are the verdict texts, as the case words them.
 */
export async function checkHandedOut(ctx: CaseContext, q: HandedOutQuery, want: boolean, requirement: string, expected: string, actual: string): Promise<void> {
  const pu = q.pu ?? (await openPu(ctx));
  check((await resolvable(ctx, pu, q.pool, q.peId)) === want, requirement, expected, actual);
}

/**
 * Fails with `requirement` unless `resp` refuses (R = 1) and, with `cause`, names that cause
 * first in its Operation Error.
 */
export function checkRefused(resp: Of<'registrationResponse'>, requirement: string, cause?: number): void {
  if (cause === undefined) check(resp.flags.R, requirement, 'a refusal (R = 1)', () => describeMessage(resp));
  else check(resp.flags.R && causeOf(resp) === cause, requirement, `R = 1, cause ${hex(cause)}`, () => describeMessage(resp));
}

/** Fails with `requirement` unless the first cause of `m` is `cause`. */
export function checkCause(m: Message, cause: number, requirement: string): void {
  check(causeOf(m) === cause, requirement, `cause ${hex(cause)}`, hex(causeOf(m)));
}

/** Lets `withinMs` pass and fails if anything at all arrives at `ep` meanwhile. */
export function expectSilence(ep: Endpoint, withinMs: number, requirement: string, what = 'answer'): Promise<void> {
  return expectNone(ep, () => true, withinMs, requirement, what);
}

/** How long to wait for the next Keep-Alive: one transmission interval plus 20 % and 100 ms slack. */
export function keepAliveWait(ctx: CaseContext): number {
  return ctx.config.keepAliveTransmissionInterval * 1.2 + 100;
}

/** How long until a silent PE is given up: transmission plus timeout interval, with the same slack. */
export function keepAliveTimeoutWait(ctx: CaseContext): number {
  return (ctx.config.keepAliveTransmissionInterval + ctx.config.keepAliveTimeoutInterval) * 1.2 + 100;
}

/** Waits for the next Endpoint Keep-Alive to `pe` (KA-1). */
export function expectKeepAlive(ctx: CaseContext, pe: PeDriver): Promise<Of<'endpointKeepAlive'> & { readonly received: Received }> {
  return expectType(pe.ep, 'endpointKeepAlive', keepAliveWait(ctx), 'KA-1');
}
