/**
 * Error handling: malformed messages, unknown message types, unknown parameters under each pair
 * of action bits (RFC 5354 §2; wire-format §3.2), wrong PPIDs and messages a registrar does not
 * expect (digest §8).
 */
import { ACTION, CAUSE, PPID, encode } from '../codecs/index.js';
import type { CaseContext, ConformanceCase } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import { insertParam, tlv, withLength } from './raw.js';
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
  resolvable,
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

const asapUnknownParamCases: ConformanceCase[] = ACTIONS.map((a) => ({
  id: `errors/unknown-parameter/asap/${a.name}`,
  rule: `An unknown parameter with action bits ${a.bits} in a Registration is ${a.proceed ? 'skipped and the registration proceeds' : 'a reason to discard the whole message'}${a.report ? ', and is reported as Unrecognized Parameter' : ', silently'}.`,
  requirements: [req('ER-1')],
  roles: ['pe', 'pu'],
  deadline: 5000,
  async run(ctx: CaseContext) {
    const pool = ctx.pool();
    const pe = await openPe(ctx);
    const peId = ctx.id();
    const bytes = insertParam(encode(registration(pool, element(pe.ep, peId))), 'asap', 1, unknownParam(a.action));
    pe.ep.sendRaw(bytes);
    await ctx.target.sleep(500);
    const got = await drain(pe.ep);
    const resp = got.find((r) => r.message.type === 'registrationResponse');
    const err = got.find((r) => r.message.type === 'error');
    if (a.proceed) check(resp !== undefined && resp.message.type === 'registrationResponse' && !resp.message.flags.R, 'ER-1', 'the registration accepted', resp ? describeMessage(resp.message) : 'no Registration Response');
    else check(resp === undefined, 'ER-1', 'no Registration Response', resp ? describeMessage(resp.message) : '');
    if (a.report) {
      check(err !== undefined, 'ER-1', 'an Error with cause Unrecognized Parameter', 'no Error');
      check(causeOf(err.message) === CAUSE.unrecognizedParameter, 'ER-1', `cause ${hex(CAUSE.unrecognizedParameter)}`, hex(causeOf(err.message)));
      const info = err.message.type === 'error' ? err.message.operationError.causes[0]?.info : undefined;
      check(info !== undefined && info.length >= 4 && ((info[0] << 8) | info[1]) === (a.action | 0x3abc), 'ER-1', 'the unknown TLV as cause info', info ? Buffer.from(info).toString('hex') : 'none');
    } else check(err === undefined, 'ER-1', 'no Error', err ? describeMessage(err.message) : '');
    check((await resolvable(ctx, await openPu(ctx), pool, peId)) === a.proceed, 'ER-1', a.proceed ? 'the PE registered' : 'the PE not registered', a.proceed ? 'absent' : 'registered');
  },
}));

const enrpUnknownParamCases: ConformanceCase[] = ACTIONS.map((a) => ({
  id: `errors/unknown-parameter/enrp/${a.name}`,
  rule: `An unknown parameter with action bits ${a.bits} in a Handle Update is ${a.proceed ? 'skipped and the update applied' : 'a reason to discard the update'}${a.report ? ', and is reported in an ENRP Error' : ', silently'}.`,
  requirements: [req('ER-1')],
  roles: ['peer', 'pu'],
  deadline: 5000,
  async run(ctx: CaseContext) {
    const peer = await openPeer(ctx, { autoAnswer: false });
    await drain(peer.ep);
    const pool = ctx.pool();
    const pe = foreignElement(peer.serverId, ctx.id());
    peer.ep.sendRaw(insertParam(encode(handleUpdate(peer.serverId, 0, pool, pe)), 'enrp', 1, unknownParam(a.action)));
    await ctx.target.sleep(500);
    const got = await drain(peer.ep);
    const err = got.find((r) => r.message.type === 'error');
    if (a.report) check(err !== undefined && causeOf(err.message) === CAUSE.unrecognizedParameter, 'ER-1', `an ENRP Error with cause ${hex(CAUSE.unrecognizedParameter)}`, err ? describeMessage(err.message) : 'no Error');
    else check(err === undefined, 'ER-1', 'no Error', err ? describeMessage(err.message) : '');
    check((await resolvable(ctx, await openPu(ctx), pool, pe.peId)) === a.proceed, 'ER-1', a.proceed ? 'the update applied' : 'the update discarded', a.proceed ? 'not applied' : 'applied');
  },
}));

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
      const e = await expectType(pu, 'error', 2000, 'ER-2');
      check(causeOf(e) === CAUSE.unrecognizedMessage, 'ER-2', `cause ${hex(CAUSE.unrecognizedMessage)}`, hex(causeOf(e)));
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
      const peer = await openPeer(ctx, { autoAnswer: false });
      await drain(peer.ep);
      const m = new Uint8Array(12);
      const v = new DataView(m.buffer);
      v.setUint8(0, 0x7f);
      v.setUint16(2, 12);
      v.setUint32(4, peer.serverId);
      peer.ep.sendRaw(m);
      const e = await expectType(peer.ep, 'error', 2000, 'ER-2');
      check(causeOf(e) === CAUSE.unrecognizedMessage, 'ER-2', `cause ${hex(CAUSE.unrecognizedMessage)}`, hex(causeOf(e)));
    },
  },
  {
    id: 'errors/malformed/length-beyond-payload',
    rule: 'A message whose Message Length exceeds the payload is rejected with an Error; the registrar keeps serving.',
    requirements: [req('ER-3')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx);
      const bytes = encode(registration(ctx.pool(), element(pe.ep, ctx.id())));
      pe.ep.sendRaw(withLength(bytes, bytes.length + 16));
      const e = await expectType(pe.ep, 'error', 2000, 'ER-3');
      check(causeOf(e) !== undefined, 'ER-3', 'a cause', 'none');
      await stillServes(ctx, 'ER-3');
    },
  },
  {
    id: 'errors/malformed/short-tlv-length',
    rule: 'A parameter whose length is below 4 makes the message invalid (Error answer, nothing registered).',
    requirements: [req('ER-3')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx);
      const pool = ctx.pool();
      const peId = ctx.id();
      const bytes = encode(registration(pool, element(pe.ep, peId)));
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint16(6, 2); // Pool Handle TLV length 2
      pe.ep.sendRaw(bad);
      const e = await expectType(pe.ep, 'error', 2000, 'ER-3');
      check(causeOf(e) === CAUSE.invalidValues || causeOf(e) !== undefined, 'ER-3', 'a cause', 'none');
      check(!(await resolvable(ctx, await openPu(ctx), pool, peId)), 'ER-3', 'nothing registered', 'registered');
    },
  },
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
  {
    id: 'errors/malformed/error-not-answered',
    rule: 'A malformed Error message is never answered with another Error.',
    requirements: [req('ER-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.sendRaw(new Uint8Array([0x0e, 0, 0, 12, 0, 0x0c, 0, 2]));
      await expectNone(pu, (m) => m.type === 'error', 1000, 'ER-3', 'Error in reply to an Error');
    },
  },
  {
    id: 'errors/received-error-ignored',
    rule: 'A well-formed ASAP Error sent to the registrar is not answered.',
    requirements: [req('ER-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.send({ protocol: 'asap', type: 'error', operationError: { causes: [{ code: CAUSE.unspecifiedError, info: new Uint8Array(0) }] } });
      await expectNone(pu, () => true, 1000, 'ER-3', 'answer');
    },
  },
  {
    id: 'errors/unexpected-message-ignored',
    rule: 'A valid message the registrar does not expect (a Registration Response) is ignored without reply.',
    requirements: [req('ER-3')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const pu = await openPu(ctx);
      pu.send({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: ctx.pool(), peId: ctx.id() });
      await expectNone(pu, () => true, 1000, 'ER-3', 'answer');
      await stillServes(ctx, 'ER-3');
    },
  },
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
      await expectNone(pu, () => true, 1000, 'T-3', 'answer');
      check(!pu.closed, 'T-3', 'the association open', 'closed');
      const r = await resolve(pu, pool, undefined, 'T-3');
      check(sameBytes(r.poolHandle, pool), 'T-3', 'normal service after', () => describeMessage(r));
    },
  },
];
