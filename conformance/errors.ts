/**
 * Error handling: malformed messages, unknown message types, unknown parameters under each pair
 * of action bits (RFC 5354 §2; wire-format §3.2), wrong PPIDs and messages a registrar does not
 * expect (digest §8).
 */
import { ACTION, CAUSE, PPID, encode, type Message } from '../codecs/index.js';
import type { CaseContext, ConformanceCase } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import type { Endpoint, Received } from '../src/conformance/target.js';
import { insertParam, tlv, withLength } from './raw.js';
import { caseOf, type CaseMeta } from './builders/cases.js';
import { checkCause, checkHandedOut, expectSilence } from './builders/asap.js';
import { quietPeer } from './builders/enrp.js';
import {
  causeOf,
  check,
  drain,
  element,
  expectNone,
  expectType,
  foreignElement,
  handleUpdate,
  hex,
  openPe,
  openPeer,
  openPu,
  registration,
  req,
  resolve,
  sameBytes,
} from './support.js';

/** An unknown parameter type (0x3ABC is not assigned) under the action bits `action`. */
const unknownParam = (action: number) => tlv(action | 0x3abc, new Uint8Array([1, 2, 3, 4]));

const ACTIONS = [
  { bits: '00', action: ACTION.stop, name: 'stop', proceed: false, report: false },
  { bits: '01', action: ACTION.stopAndReport, name: 'stop-report', proceed: false, report: true },
  { bits: '10', action: ACTION.skip, name: 'skip', proceed: true, report: false },
  { bits: '11', action: ACTION.skipAndReport, name: 'skip-report', proceed: true, report: true },
] as const;

/** The registrar still serves: a resolution gets an answer. */
async function stillServes(ctx: CaseContext, requirement: string): Promise<void> {
  await resolve(await openPu(ctx), ctx.pool('alive'), undefined, requirement);
}

/**
 * Sends raw octets from `ep`, lets 500 ms pass and returns what came back: the first answer of
 * `type` (if any) and the first Error.
 */
async function answersTo(ctx: CaseContext, ep: Endpoint, bytes: Uint8Array, type: Message['type']): Promise<{ answer: Received | undefined; err: Received | undefined }> {
  ep.sendRaw(bytes);
  await ctx.target.sleep(500);
  const got = await drain(ep);
  return { answer: got.find((r) => r.message.type === type), err: got.find((r) => r.message.type === 'error') };
}

/** "Each action-bit variant of an unknown parameter in a Registration": skipped or not, reported or not. */
const asapUnknownParamCases: ConformanceCase[] = ACTIONS.map((a) =>
  caseOf(
    { id: `errors/unknown-parameter/asap/${a.name}`, rule: `An unknown parameter with action bits ${a.bits} in a Registration is ${a.proceed ? 'skipped and the registration proceeds' : 'a reason to discard the whole message'}${a.report ? ', and is reported as Unrecognized Parameter' : ', silently'}.`, requirements: [req('ER-1')], roles: ['pe', 'pu'], deadline: 5000 },
    async (ctx) => {
      const pool = ctx.pool();
      const pe = await openPe(ctx);
      const peId = ctx.id();
      const { answer: resp, err } = await answersTo(ctx, pe.ep, insertParam(encode(registration(pool, element(pe.ep, peId))), 'asap', 1, unknownParam(a.action)), 'registrationResponse');
      if (a.proceed) check(resp !== undefined && resp.message.type === 'registrationResponse' && !resp.message.flags.R, 'ER-1', 'the registration accepted', resp ? describeMessage(resp.message) : 'no Registration Response');
      else check(resp === undefined, 'ER-1', 'no Registration Response', resp ? describeMessage(resp.message) : '');
      if (a.report) {
        check(err !== undefined, 'ER-1', 'an Error with cause Unrecognized Parameter', 'no Error');
        check(causeOf(err.message) === CAUSE.unrecognizedParameter, 'ER-1', `cause ${hex(CAUSE.unrecognizedParameter)}`, hex(causeOf(err.message)));
        const info = err.message.type === 'error' ? err.message.operationError.causes[0]?.info : undefined;
        check(info !== undefined && info.length >= 4 && ((info[0] << 8) | info[1]) === (a.action | 0x3abc), 'ER-1', 'the unknown TLV as cause info', info ? Buffer.from(info).toString('hex') : 'none');
      } else check(err === undefined, 'ER-1', 'no Error', err ? describeMessage(err.message) : '');
      await checkHandedOut(ctx, { pool, peId }, a.proceed, 'ER-1', a.proceed ? 'the PE registered' : 'the PE not registered', a.proceed ? 'absent' : 'registered');
    },
  ),
);

/** "Each action-bit variant of an unknown parameter in a Handle Update": applied or not, reported or not. */
const enrpUnknownParamCases: ConformanceCase[] = ACTIONS.map((a) =>
  caseOf(
    { id: `errors/unknown-parameter/enrp/${a.name}`, rule: `An unknown parameter with action bits ${a.bits} in a Handle Update is ${a.proceed ? 'skipped and the update applied' : 'a reason to discard the update'}${a.report ? ', and is reported in an ENRP Error' : ', silently'}.`, requirements: [req('ER-1')], roles: ['peer', 'pu'], deadline: 5000 },
    async (ctx) => {
      const peer = await quietPeer(ctx);
      const pool = ctx.pool();
      const pe = foreignElement(peer.serverId, ctx.id());
      const { err } = await answersTo(ctx, peer.ep, insertParam(encode(handleUpdate(peer.serverId, 0, pool, pe)), 'enrp', 1, unknownParam(a.action)), 'error');
      if (a.report) check(err !== undefined && causeOf(err.message) === CAUSE.unrecognizedParameter, 'ER-1', `an ENRP Error with cause ${hex(CAUSE.unrecognizedParameter)}`, err ? describeMessage(err.message) : 'no Error');
      else check(err === undefined, 'ER-1', 'no Error', err ? describeMessage(err.message) : '');
      await checkHandedOut(ctx, { pool, peId: pe.peId }, a.proceed, 'ER-1', a.proceed ? 'the update applied' : 'the update discarded', a.proceed ? 'not applied' : 'applied');
    },
  ),
);

/** Waits for an Error at `ep` and checks its first cause. */
async function expectError(ep: Endpoint, cause: number, requirement: string): Promise<void> {
  checkCause(await expectType(ep, 'error', 2000, requirement), cause, requirement);
}

/**
 * "A PE sends a Registration made malformed by `spoil`: it is answered with an Error with some
 * cause (ER-3)", then `after` (given the pool and PE ID).
 */
function malformedRegistration(meta: CaseMeta, spoil: (bytes: Uint8Array) => Uint8Array, after: (ctx: CaseContext, pool: Uint8Array, peId: number) => Promise<void>): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const pe = await openPe(ctx);
    const pool = ctx.pool();
    const peId = ctx.id();
    pe.ep.sendRaw(spoil(encode(registration(pool, element(pe.ep, peId)))));
    const e = await expectType(pe.ep, 'error', 2000, 'ER-3');
    check(causeOf(e) !== undefined, 'ER-3', 'a cause', 'none');
    await after(ctx, pool, peId);
  });
}

/** What a PU sends in {@link unanswered}: a message, or raw octets. */
type Sent = { readonly message: Message } | { readonly raw: Uint8Array };

/** "A PU sends this and gets no answer within 1 s" (with `only`: no answer of that kind), then `after`. */
function unanswered(
  meta: CaseMeta,
  requirement: string,
  sent: (ctx: CaseContext) => Sent,
  expectation: { readonly only?: (m: Message) => boolean; readonly what?: string; readonly after?: (ctx: CaseContext) => Promise<void> } = {},
): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const pu = await openPu(ctx);
    const s = sent(ctx);
    if ('message' in s) pu.send(s.message);
    else pu.sendRaw(s.raw);
    await expectNone(pu, expectation.only ?? (() => true), 1000, requirement, expectation.what ?? 'answer');
    await expectation.after?.(ctx);
  });
}

export const errorCases: readonly ConformanceCase[] = [
  ...asapUnknownParamCases,
  ...enrpUnknownParamCases,
  {
    id: 'errors/unknown-type/asap',
    rule: 'An ASAP message of unknown type is answered with an Error, cause Unrecognized Message (rsplib ignores it).',
    requirements: [req('ER-2')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.sendRaw(new Uint8Array([0x7f, 0, 0, 8, 0, 0, 0, 0]));
      await expectError(pu, CAUSE.unrecognizedMessage, 'ER-2');
      await stillServes(ctx, 'ER-2');
    },
  },
  {
    id: 'errors/unknown-type/enrp',
    rule: 'An ENRP message of unknown type is answered with an ENRP Error, cause Unrecognized Message (rsplib ignores it).',
    requirements: [req('ER-2')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      // Type 0x7F, length 12, Sending ID = the peer, Receiving ID 0.
      const m = new Uint8Array(12);
      const v = new DataView(m.buffer);
      v.setUint8(0, 0x7f);
      v.setUint16(2, 12);
      v.setUint32(4, peer.serverId);
      peer.ep.sendRaw(m);
      await expectError(peer.ep, CAUSE.unrecognizedMessage, 'ER-2');
    },
  },
  malformedRegistration(
    { id: 'errors/malformed/length-beyond-payload', rule: 'A message whose Message Length exceeds the payload is rejected with an Error; the registrar keeps serving.', requirements: [req('ER-3')], roles: ['pe', 'pu'], deadline: 5000 },
    (bytes) => withLength(bytes, bytes.length + 16),
    (ctx) => stillServes(ctx, 'ER-3'),
  ),
  malformedRegistration(
    { id: 'errors/malformed/short-tlv-length', rule: 'A parameter whose length is below 4 makes the message invalid (Error answer, nothing registered).', requirements: [req('ER-3')], roles: ['pe', 'pu'], deadline: 5000 },
    (bytes) => {
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint16(6, 2); // Pool Handle TLV length 2
      return bad;
    },
    (ctx, pool, peId) => checkHandedOut(ctx, { pool, peId }, false, 'ER-3', 'nothing registered', 'registered'),
  ),
  {
    id: 'errors/malformed/truncated',
    rule: 'A message shorter than its header is discarded without harm.',
    requirements: [req('ER-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.sendRaw(new Uint8Array([0x05, 0x00]));
      await ctx.target.sleep(100);
      await drain(pu);
      await stillServes(ctx, 'ER-3');
    },
  },
  {
    id: 'errors/malformed/random-garbage',
    rule: 'Seeded random octets on ASAP and ENRP associations never stop the registrar from serving.',
    requirements: [req('ER-3')],
    roles: ['pu', 'peer'],
    deadline: 10_000,
    async run(ctx) {
      const pu = await openPu(ctx);
      const peer = await openPeer(ctx, { autoAnswer: false });
      for (let i = 0; i < 40; i++) {
        const n = 1 + (ctx.id() % 64);
        const b = new Uint8Array(n).map(() => ctx.id() & 0xff);
        (i % 2 === 0 ? pu : peer.ep).sendRaw(b);
      }
      await stillServes(ctx, 'ER-3');
    },
  },
  unanswered(
    { id: 'errors/malformed/error-not-answered', rule: 'A malformed Error message is never answered with another Error.', requirements: [req('ER-3')], roles: ['pu'], deadline: 5000 },
    'ER-3',
    () => ({ raw: new Uint8Array([0x0e, 0, 0, 12, 0, 0x0c, 0, 2]) }),
    { only: (m) => m.type === 'error', what: 'Error in reply to an Error' },
  ),
  unanswered(
    { id: 'errors/received-error-ignored', rule: 'A well-formed ASAP Error sent to the registrar is not answered.', requirements: [req('ER-3')], roles: ['pu'], deadline: 5000 },
    'ER-3',
    () => ({ message: { protocol: 'asap', type: 'error', operationError: { causes: [{ code: CAUSE.unspecifiedError, info: new Uint8Array(0) }] } } }),
  ),
  unanswered(
    { id: 'errors/unexpected-message-ignored', rule: 'A valid message the registrar does not expect (a Registration Response) is ignored without reply.', requirements: [req('ER-3')], roles: ['pu'], deadline: 5000 },
    'ER-3',
    (ctx) => ({ message: { protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: ctx.pool(), peId: ctx.id() } }),
    { after: (ctx) => stillServes(ctx, 'ER-3') },
  ),
  {
    id: 'errors/wrong-ppid/enrp-on-asap',
    rule: 'A message with the ENRP PPID on an ASAP association makes the registrar abort that association (rsplib).',
    requirements: [req('T-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.sendRaw(encode({ protocol: 'asap', type: 'handleResolution', poolHandle: ctx.pool() }), PPID.enrp);
      await ctx.target.sleep(100);
      check(pu.closed, 'T-3', 'the association aborted', 'still open');
    },
  },
  {
    id: 'errors/wrong-ppid/other-ignored',
    rule: 'A message with a foreign PPID is ignored without reply (rsplib).',
    requirements: [req('T-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      const pool = ctx.pool();
      pu.sendRaw(encode({ protocol: 'asap', type: 'handleResolution', poolHandle: pool }), 99);
      await expectSilence(pu, 1000, 'T-3');
      check(!pu.closed, 'T-3', 'the association open', 'closed');
      const r = await resolve(pu, pool, undefined, 'T-3');
      check(sameBytes(r.poolHandle, pool), 'T-3', 'normal service after', () => describeMessage(r));
    },
  },
];
