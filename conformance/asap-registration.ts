/**
 * ASAP registration, re-registration and deregistration cases (RFC 5352 §3.1–3.2; digest §4).
 */
import { CAUSE, PARAM, encode, type Policy, type PoolElement } from '../codecs/index.js';
import { replaceParam, tlv } from './raw.js';
import type { CaseContext, ConformanceCase } from '../src/conformance/case.js';
import { CaseSkip } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import type { Endpoint } from '../src/conformance/target.js';
import { caseOf, type CaseMeta } from './builders/cases.js';
import { checkCause, checkHandedOut, checkRefused, deregister, freshPe, registeredPe, sendDeregistration } from './builders/asap.js';
import {
  causeOf,
  check,
  element,
  expectAny,
  expectNone,
  expectType,
  expectUpdate,
  hex,
  hexIds,
  idsOf,
  openPe,
  openPeer,
  openPu,
  register,
  registerRaw,
  req,
  resolve,
  sameBytes,
  targetServerId,
  userTransport,
} from './support.js';

/**
 * "Register a PE that differs from the pool's one member in X; expect a refusal with cause Y":
 * R = 1, the cause, the same pool handle and PE ID (REG-1), and the PE not handed out.
 * `differs` gives the overrides and policy that make the second PE inconsistent.
 */
function inconsistent(id: string, rule: string, requirement: string, cause: number, differs: (ep: Endpoint) => { over?: Partial<PoolElement>; policy?: Policy }): ConformanceCase {
  return caseOf({ id, rule, requirements: [req(requirement)], roles: ['pe', 'pu'], deadline: 10_000 }, async (ctx) => {
    const { pool, pe } = await registeredPe(ctx);
    const peId = ctx.id();
    const { over, policy } = differs(pe.ep);
    const resp = await registerRaw(pe, pool, element(pe.ep, peId, over ?? {}, policy), requirement);
    check(resp.flags.R, requirement, 'a refusal (R = 1)', () => describeMessage(resp));
    check(causeOf(resp) === cause, requirement, `cause ${hex(cause)}`, `cause ${hex(causeOf(resp))}`);
    check(sameBytes(resp.poolHandle, pool) && resp.peId === peId, 'REG-1', 'the same pool handle and PE ID', () => describeMessage(resp));
    await checkHandedOut(ctx, { pool, peId }, false, requirement, 'the refused PE not in the pool', 'it is resolvable');
  });
}

/**
 * "Register a PE that is wrong in itself; expect a refusal (R = 1)", whatever the cause.
 * `pe` builds the offending Pool Element on the PE endpoint.
 */
function refusedOutright(meta: CaseMeta, requirement: string, pe: (ctx: CaseContext, ep: Endpoint) => PoolElement): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const pool = ctx.pool();
    const driver = await openPe(ctx);
    checkRefused(await registerRaw(driver, pool, pe(ctx, driver.ep), requirement), requirement);
  });
}

export const registrationCases: readonly ConformanceCase[] = [
  {
    id: 'asap/registration/accept',
    rule: 'A registration is answered with a Registration Response naming the same pool handle and PE ID, R clear on success.',
    requirements: [req('REG-1')],
    roles: ['pe'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await freshPe(ctx);
      const resp = await registerRaw(pe, pool, element(pe.ep, peId), 'REG-1');
      check(!resp.flags.R, 'REG-1', 'R = 0', () => describeMessage(resp));
      check(sameBytes(resp.poolHandle, pool), 'REG-1', 'the same pool handle', () => describeMessage(resp));
      check(resp.operationError === undefined, 'REG-1', 'no Operation Error on success', () => describeMessage(resp));
    },
  },
  {
    id: 'asap/registration/creates-pool',
    rule: 'Registering into an unknown pool creates it with the PE as member and its policy as the pool policy.',
    requirements: [req('REG-3'), req('HR-1')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, peId } = await registeredPe(ctx, { policy: { name: 'weightedRoundRobin', weight: 7 } });
      const r = await resolve(await openPu(ctx), pool);
      check(causeOf(r) === undefined, 'REG-3', 'the pool to exist', `cause ${hex(causeOf(r))}`);
      check(idsOf(r).includes(peId), 'REG-3', `PE ${hex(peId, 8)} in the pool`, `PEs ${hexIds(idsOf(r))}`);
      const policy = r.poolElements[0]?.policy;
      check(policy?.name === 'weightedRoundRobin', 'REG-3', 'the PE policy (weighted round robin)', JSON.stringify(policy));
    },
  },
  {
    id: 'asap/registration/home-is-registrar',
    rule: 'The accepting registrar becomes the home of the PE, whatever Home ID the PE sent, and says so in its ADD_PE.',
    requirements: [req('REG-2'), req('REG-13')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const me = await targetServerId(ctx, peer);
      const { peId } = await registeredPe(ctx, { over: { homeRegistrarId: 0x12345678 } });
      const u = await expectUpdate(peer, peId, 0, 5000, 'REG-13');
      check(u.poolElement.homeRegistrarId === me, 'REG-2', `Home ID ${hex(me, 8)}`, hex(u.poolElement.homeRegistrarId, 8));
    },
  },
  {
    id: 'asap/registration/announced-to-peers',
    rule: 'After a successful registration the home announces the PE to its peers with ADD_PE carrying the PE with its ASAP transport.',
    requirements: [req('REG-13'), req('HU-1')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { pool, peId } = await registeredPe(ctx);
      const u = await expectUpdate(peer, peId, 0, 5000, 'REG-13');
      check(sameBytes(u.poolHandle, pool), 'REG-13', 'the PE pool handle', () => describeMessage(u));
      check(u.poolElement.asapTransport !== undefined, 'REG-13', 'an ASAP transport in the Pool Element', 'none');
    },
  },
  {
    id: 'asap/registration/second-pe-joins',
    rule: 'A second PE with the same policy and transport joins the existing pool.',
    requirements: [req('REG-3'), req('REG-1')],
    roles: ['pe', 'pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe: a, peId: ia } = await freshPe(ctx);
      const b = await openPe(ctx);
      const ib = ctx.id();
      await register(ctx, a, pool, ia);
      await register(ctx, b, pool, ib);
      const ids = idsOf(await resolve(await openPu(ctx), pool, 0xffffffff));
      check(ids.includes(ia) && ids.includes(ib) && ids.length === 2, 'REG-3', 'both PEs in the pool', hexIds(ids));
    },
  },
  {
    id: 'asap/registration/lifetime-announced',
    rule: 'The home passes the PE\u2019s Registration Life on to its peers unchanged.',
    requirements: [req('REG-12'), req('REG-13')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { peId } = await registeredPe(ctx, { over: { registrationLife: 12_345 } });
      const u = await expectUpdate(peer, peId, 0, 5000, 'REG-13');
      check(u.poolElement.registrationLife === 12_345, 'REG-12', 'Registration Life 12345 ms', `${u.poolElement.registrationLife} ms`);
    },
  },
  inconsistent('asap/registration/reject/inconsistent-policy', 'A PE whose policy type differs from the pool\u2019s is refused with Inconsistent Pooling Policy.', 'REG-4', CAUSE.inconsistentPoolingPolicy, () => ({
    policy: { name: 'random' },
  })),
  inconsistent('asap/registration/reject/inconsistent-transport', 'A PE whose user transport protocol differs from the pool\u2019s is refused with Inconsistent Transport Type.', 'REG-5', CAUSE.inconsistentTransportType, (ep) => ({
    over: { userTransport: userTransport(ep, { transport: 'tcp' }) },
  })),
  inconsistent('asap/registration/reject/inconsistent-transport-use', 'A PE whose data/control use differs from the pool\u2019s is refused with Inconsistent Data/Control Configuration.', 'REG-6', CAUSE.inconsistentDataControlConfiguration, (ep) => ({
    over: { userTransport: userTransport(ep, { transportUse: 'dataPlusControl' }) },
  })),
  {
    id: 'asap/registration/reject/non-unique-pe-id',
    rule: 'A different PE (another association) registering a PE ID already in the pool is refused with Non-unique PE Identifier (RFC reading; rsplib updates instead).',
    requirements: [req('REG-7')],
    roles: ['pe', 'pe'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe: a, peId } = await freshPe(ctx);
      const b = await openPe(ctx);
      await register(ctx, a, pool, peId);
      checkRefused(await registerRaw(b, pool, element(b.ep, peId), 'REG-7'), 'REG-7', CAUSE.nonUniquePeIdentifier);
    },
  },
  refusedOutright(
    { id: 'asap/registration/reject/pe-id-zero', rule: 'PE ID 0 is not a valid identifier; such a registration is refused.', requirements: [req('REG-7')], roles: ['pe', 'pu'], deadline: 5000 },
    'REG-7',
    (_ctx, ep) => element(ep, 0),
  ),
  {
    id: 'asap/registration/reject/asap-transport-present',
    rule: 'A registration whose Pool Element carries an ASAP transport is not accepted.',
    requirements: [req('REG-9')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await freshPe(ctx);
      pe.ep.send({ protocol: 'asap', type: 'registration', poolHandle: pool, poolElement: element(pe.ep, peId, { asapTransport: userTransport(pe.ep, { port: 3863 }) }) });
      const answer = await expectType(pe.ep, 'error', 5000, 'REG-9').catch(() => undefined);
      await checkHandedOut(ctx, { pool, peId }, false, 'REG-9', 'the PE not registered', 'it is resolvable');
      check(answer !== undefined, 'REG-9', 'an Error answer', 'none');
    },
  },
  {
    id: 'asap/registration/reject/empty-pool-handle',
    rule: 'A pool handle of zero octets is invalid and gets an Error, not a registration.',
    requirements: [req('REG-11')],
    roles: ['pe'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx);
      // The codecs refuse to encode an empty handle: encode a 1-octet one, then empty its TLV.
      const bytes = encode({ protocol: 'asap', type: 'registration', poolHandle: new Uint8Array([0x61]), poolElement: element(pe.ep, ctx.id()) });
      pe.ep.sendRaw(replaceParam(bytes, 'asap', 0, tlv(PARAM.poolHandle, new Uint8Array(0))));
      checkCause(await expectType(pe.ep, 'error', 5000, 'REG-11'), CAUSE.invalidValues, 'REG-11');
    },
  },
  {
    id: 'asap/registration/reject/pool-handle-too-long',
    rule: 'A pool handle longer than the registrar\u2019s limit (rsplib: 32 octets) is refused.',
    requirements: [req('REG-11')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx);
      const pool = new Uint8Array(ctx.config.maxPoolHandleSize + 1).fill(0x61);
      pe.ep.send({ protocol: 'asap', type: 'registration', poolHandle: pool, poolElement: element(pe.ep, ctx.id()) });
      const r = await expectAny(pe.ep, 5000, 'REG-11', 'an answer');
      check(r.type === 'error' || (r.type === 'registrationResponse' && r.flags.R), 'REG-11', 'an Error or a refusal', describeMessage(r));
    },
  },
  refusedOutright(
    { id: 'asap/registration/reject/foreign-address', rule: 'A PE advertising only addresses that are not its association\u2019s is refused (no usable user address).', requirements: [req('REG-8')], roles: ['pe', 'pu'], deadline: 5000 },
    'REG-8',
    (ctx, ep) => element(ep, ctx.id(), { userTransport: { transport: 'sctp', port: 7000, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.250.250.250' }] } }),
  ),
  refusedOutright(
    { id: 'asap/registration/reject/user-port-zero', rule: 'A user transport with port 0 is refused.', requirements: [req('REG-8')], roles: ['pe'], deadline: 5000 },
    'REG-8',
    (ctx, ep) => element(ep, ctx.id(), { userTransport: userTransport(ep, { port: 0 }) }),
  ),
  {
    id: 'asap/registration/filters-foreign-addresses',
    rule: 'Of the advertised user addresses only those that belong to the PE\u2019s association are kept.',
    requirements: [req('REG-8')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await freshPe(ctx);
      const ut = { ...userTransport(pe.ep), addresses: [...pe.ep.addresses, { family: 'ipv4', address: '10.251.0.1' } as const] };
      await register(ctx, pe, pool, peId, { userTransport: ut });
      const r = await resolve(await openPu(ctx), pool);
      const got = r.poolElements[0]?.userTransport.addresses.map((a) => a.address) ?? [];
      check(!got.includes('10.251.0.1') && got.length === pe.ep.addresses.length, 'REG-8', `only ${pe.ep.addresses.map((a) => a.address).join(',')}`, got.join(','));
    },
  },
  {
    id: 'asap/registration/reject/pool-full',
    rule: 'A registration beyond the registrar\u2019s pool size limit is refused with Lack of Resources.',
    requirements: [req('REG-1')],
    roles: ['pe'],
    needs: ['poolLimit'],
    deadline: 20_000,
    async run(ctx) {
      const limit = ctx.config.maxPoolElementsPerPool;
      if (limit === undefined || limit > 1000) throw new CaseSkip('no usable pool size limit');
      const pool = ctx.pool();
      const pe = await openPe(ctx);
      for (let i = 0; i < limit; i++) await register(ctx, pe, pool, ctx.id());
      checkRefused(await registerRaw(pe, pool, element(pe.ep, ctx.id()), 'REG-1'), 'REG-1', CAUSE.lackOfResources);
    },
  },
  {
    id: 'asap/registration/update/answered',
    rule: 'A re-registration of an existing PE from the same association is answered with success.',
    requirements: [req('RR-1')],
    roles: ['pe'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx);
      const resp = await registerRaw(pe, pool, element(pe.ep, peId, { registrationLife: 40_000 }), 'RR-1');
      check(!resp.flags.R, 'RR-1', 'success (R = 0)', () => describeMessage(resp));
    },
  },
  {
    id: 'asap/registration/update/replaces-information',
    rule: 'A re-registration replaces the PE\u2019s information (here its user port and policy value) without duplicating the PE.',
    requirements: [req('RR-1')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx, { policy: { name: 'weightedRoundRobin', weight: 1 } });
      await register(ctx, pe, pool, peId, { userTransport: userTransport(pe.ep, { port: 7777 }) }, { name: 'weightedRoundRobin', weight: 9 });
      const r = await resolve(await openPu(ctx), pool, 0xffffffff);
      check(r.poolElements.length === 1, 'RR-1', 'one PE', `${r.poolElements.length}`);
      const e = r.poolElements[0];
      check(e?.userTransport.port === 7777, 'RR-1', 'user port 7777', `${e?.userTransport.port}`);
      check(e?.policy.name === 'weightedRoundRobin' && e.policy.weight === 9, 'RR-1', 'weight 9', JSON.stringify(e?.policy));
    },
  },
  {
    id: 'asap/registration/update/announced',
    rule: 'A re-registration is announced to peers with ADD_PE, like a registration.',
    requirements: [req('RR-1'), req('HU-1')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { pool, pe, peId } = await registeredPe(ctx);
      await expectUpdate(peer, peId, 0, 5000, 'REG-13');
      await register(ctx, pe, pool, peId, { registrationLife: 45_000 });
      const u = await expectUpdate(peer, peId, 0, 5000, 'RR-1');
      check(u.poolElement.registrationLife === 45_000, 'RR-1', 'the new Registration Life', `${u.poolElement.registrationLife}`);
    },
  },
  {
    id: 'asap/registration/update/inconsistent-policy',
    rule: 'A re-registration that would change the policy type of a pool with other members is refused with Inconsistent Pooling Policy (rsplib accepts it: RR-2).',
    requirements: [req('REG-4'), req('RR-2')],
    roles: ['pe', 'pe'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe: a, peId: ia } = await freshPe(ctx);
      const b = await openPe(ctx);
      await register(ctx, a, pool, ia);
      await register(ctx, b, pool, ctx.id());
      checkRefused(await registerRaw(a, pool, element(a.ep, ia, {}, { name: 'random' }), 'REG-4'), 'REG-4', CAUSE.inconsistentPoolingPolicy);
    },
  },
  {
    id: 'asap/registration/lifetime/home-keeps-live-pe',
    rule: 'The home does not drop a PE that answers its Keep-Alives when the Registration Life passes (it monitors, it does not expire).',
    requirements: [req('REG-12'), req('KA-2')],
    roles: ['pe', 'pu'],
    deadline: 60_000,
    async run(ctx) {
      const { pool, peId } = await registeredPe(ctx, { over: { registrationLife: 2000 } });
      await ctx.target.sleep(4 * (ctx.config.keepAliveTransmissionInterval + 1000));
      await checkHandedOut(ctx, { pool, peId }, true, 'REG-12', 'the PE still registered', 'it is gone');
    },
  },
];

export const deregistrationCases: readonly ConformanceCase[] = [
  {
    id: 'asap/deregistration/answer',
    rule: 'A deregistration is answered with a Deregistration Response naming the same pool handle and PE ID, without error.',
    requirements: [req('DR-1')],
    roles: ['pe'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx);
      const r = await deregister(pe.ep, pool, peId, 'DR-1');
      check(r.peId === peId && sameBytes(r.poolHandle, pool), 'DR-1', 'the same pool handle and PE ID', () => describeMessage(r));
      check(r.operationError === undefined, 'DR-1', 'no Operation Error', () => describeMessage(r));
    },
  },
  {
    id: 'asap/deregistration/removes',
    rule: 'After deregistration the PE is no longer handed out.',
    requirements: [req('DR-1')],
    roles: ['pe', 'pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await freshPe(ctx);
      const other = await openPe(ctx);
      await register(ctx, pe, pool, peId);
      await register(ctx, other, pool, ctx.id());
      await deregister(pe.ep, pool, peId, 'DR-1');
      await checkHandedOut(ctx, { pool, peId }, false, 'DR-1', 'the PE gone', 'still resolvable');
    },
  },
  {
    id: 'asap/deregistration/last-pe-removes-pool',
    rule: 'When its last PE deregisters the pool disappears: resolution answers Unknown Pool Handle.',
    requirements: [req('DR-1'), req('HR-2')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx);
      await deregister(pe.ep, pool, peId, 'DR-1');
      checkCause(await resolve(await openPu(ctx), pool), CAUSE.unknownPoolHandle, 'HR-2');
    },
  },
  {
    id: 'asap/deregistration/announced',
    rule: 'The home announces a deregistration to its peers with DEL_PE.',
    requirements: [req('DR-2'), req('HU-1')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { pool, pe, peId } = await registeredPe(ctx);
      sendDeregistration(pe.ep, pool, peId);
      await expectUpdate(peer, peId, 1, 5000, 'DR-2');
    },
  },
  {
    id: 'asap/deregistration/unknown-pe',
    rule: 'A deregistration of a PE the registrar does not know is still answered (rsplib: with success).',
    requirements: [req('DR-1')],
    roles: ['pe'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx);
      const peId = ctx.id();
      const r = await deregister(pe.ep, ctx.pool(), peId, 'DR-1');
      check(r.peId === peId, 'DR-1', 'the same PE ID', () => describeMessage(r));
    },
  },
  {
    id: 'asap/deregistration/association-loss',
    rule: 'Closing the PE\u2019s association removes its PEs as if deregistered, with DEL_PE to peers (rsplib behaviour).',
    requirements: [req('T-4'), req('HU-1')],
    roles: ['pe', 'peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { pool, pe, peId } = await registeredPe(ctx);
      pe.ep.close();
      await expectUpdate(peer, peId, 1, 5000, 'T-4');
      await checkHandedOut(ctx, { pool, peId }, false, 'T-4', 'the PE gone', 'still resolvable');
    },
  },
  {
    id: 'asap/deregistration/any-association',
    rule: 'Any association may deregister any PE; there is no ownership check (rsplib).',
    requirements: [req('DR-3')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, peId } = await registeredPe(ctx);
      const pu = await openPu(ctx);
      await deregister(pu, pool, peId, 'DR-3');
      await checkHandedOut(ctx, { pool, peId, pu }, false, 'DR-3', 'the PE removed', 'still registered');
    },
  },
  {
    id: 'asap/deregistration/no-update-without-pe',
    rule: 'Deregistering an unknown PE sends no DEL_PE to peers.',
    requirements: [req('DR-2')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const pe = await openPe(ctx);
      sendDeregistration(pe.ep, ctx.pool(), ctx.id());
      await expectNone(peer.ep, (m) => m.type === 'handleUpdate', 2000, 'DR-2', 'Handle Update');
    },
  },
];
