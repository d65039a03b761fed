/**
 * Compares a replay run: the captured registrar's answers and unsolicited messages against the
 * reference's, within timing tolerance. Produces divergences without explanations; `explain.ts`
 * adds those.
 */
import type { AsapMessage, EnrpMessage, ErrorCause, Message } from '../../codecs/index.js';
import type { AtOdds, Divergence } from './divergence.js';
import { causesText, handleText, idText, messageText } from './describe.js';
import type { TimedMessage } from './model.js';
import type { ReferenceOutput } from './oracle.js';
import type { InputRecord, Observation, RunResult } from './run.js';
import { judgeSelection } from './selection.js';
import { liftPolicy } from './legacy.js';

/** Timing tolerance of the comparison. */
export interface Tolerance {
  /** Absolute slack for timer-driven messages, ms. */
  readonly ms: number;
  /** Relative slack: this fraction of the timer's interval is added. */
  readonly fraction: number;
}

/** Default: half a second plus a fifth of the interval (rsplib jitters cycles by ±12.5 %). */
export const DEFAULT_TOLERANCE: Tolerance = Object.freeze({ ms: 500, fraction: 0.2 });

/** ASAP / ENRP messages that answer a request on its association. */
const ANSWERS = new Set(['asap.registrationResponse', 'asap.deregistrationResponse', 'asap.handleResolutionResponse', 'asap.error', 'enrp.handleTableResponse', 'enrp.listResponse', 'enrp.initTakeoverAck', 'enrp.error']);

const typeKey = (m: Message): string => `${m.protocol}.${m.type}`;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Builds divergences; `at` defaults to a provisional side that `explain` may refine. */
class Collector {
  readonly list: Divergence[] = [];
  constructor(private readonly label: string) {}
  add(kind: string, frames: readonly number[], time: number, requirements: readonly string[], summary: string, captured: string, reference: string, atOdds: AtOdds = 'captured'): void {
    this.list.push({ kind, registrar: this.label, frames: [...new Set(frames)].sort((a, b) => a - b), time, requirements, summary, captured, reference, atOdds, explanation: '' });
  }
}

const codes = (c: readonly ErrorCause[] | undefined): string => (c ?? []).map((x) => x.code).join(',');

/** Compares the contents of a captured answer with the reference's. */
function compareAnswer(out: Collector, input: InputRecord, ref: Message, cap: TimedMessage, run: RunResult): void {
  const capM = cap.message!;
  const frames = [input.item.frame, cap.frame];
  const t = input.item.time;
  const req = messageText(input.item.message);
  if (typeKey(ref) !== typeKey(capM)) {
    out.add('answer.type', frames, t, ['REG-1', 'HR-1', 'DR-1', 'ER-3'], `different answer to ${req}`, messageText(capM), messageText(ref));
    return;
  }
  if (ref.protocol === 'asap' && capM.protocol === 'asap') compareAsapAnswer(out, input, ref, capM, frames, t, req, run);
  if (ref.protocol === 'enrp' && capM.protocol === 'enrp') compareEnrpAnswer(out, ref, capM, frames, t, req);
}

function compareAsapAnswer(out: Collector, input: InputRecord, ref: AsapMessage, cap: AsapMessage, frames: number[], t: number, req: string, run: RunResult): void {
  if (ref.type === 'registrationResponse' && cap.type === 'registrationResponse') {
    if (ref.flags.R !== cap.flags.R) out.add('registration.outcome', frames, t, ['REG-1', 'REG-4', 'REG-8'], `registration ${cap.flags.R ? 'refused' : 'accepted'} by the captured registrar, ${ref.flags.R ? 'refused' : 'accepted'} by the reference: ${req}`, messageText(cap), messageText(ref));
    else if (codes(ref.operationError?.causes) !== codes(cap.operationError?.causes)) out.add('registration.cause', frames, t, ['REG-4', 'REG-5', 'REG-7', 'REG-8'], `different refusal cause: ${req}`, causesText(cap.operationError?.causes), causesText(ref.operationError?.causes));
    else if ((ref.operationError?.causes ?? []).some((c, i) => c.info.length !== (cap.operationError?.causes[i]?.info.length ?? 0))) out.add('registration.causeInfo', frames, t, ['REG-4'], `cause info differs: ${req}`, causesText(cap.operationError?.causes), causesText(ref.operationError?.causes));
    if (hex(ref.poolHandle) !== hex(cap.poolHandle) || ref.peId !== cap.peId) out.add('registration.identity', frames, t, ['REG-1'], `answer names another PE: ${req}`, messageText(cap), messageText(ref));
    return;
  }
  if (ref.type === 'deregistrationResponse' && cap.type === 'deregistrationResponse') {
    if (codes(ref.operationError?.causes) !== codes(cap.operationError?.causes)) out.add('deregistration.cause', frames, t, ['DR-1'], `different deregistration outcome: ${req}`, messageText(cap), messageText(ref));
    if (hex(ref.poolHandle) !== hex(cap.poolHandle) || ref.peId !== cap.peId) out.add('deregistration.identity', frames, t, ['DR-1'], `answer names another PE: ${req}`, messageText(cap), messageText(ref));
    return;
  }
  if (ref.type === 'handleResolutionResponse' && cap.type === 'handleResolutionResponse') {
    if (codes(ref.operationError?.causes) !== codes(cap.operationError?.causes)) {
      out.add('resolution.cause', frames, t, ['HR-1', 'HR-2'], `different resolution outcome: ${req}`, messageText(cap), messageText(ref));
      return;
    }
    if ((ref.policy === undefined) !== (cap.policy === undefined)) out.add('resolution.policyTlv', frames, t, ['HR-1'], `policy parameter ${cap.policy ? 'present' : 'absent'} in the captured answer, ${ref.policy ? 'present' : 'absent'} in the reference's: ${req}`, messageText(cap), messageText(ref));
    const policy = input.pool?.policy ?? (ref.policy !== undefined ? (liftPolicy(ref.policy)?.name ?? 'unknown') : 'unknown');
    const verdict = judgeSelection(policy, cap.poolElements.map((e) => e.peId), ref.poolElements.map((e) => e.peId), input.pool);
    if (!verdict.ok) out.add('resolution.selection', frames, t, ['HR-3', 'HR-4'], `selection not what ${policy} allows: ${req} (${verdict.why})`, messageText(cap), messageText(ref));
    // PE identities: what the captured registrar says about each PE must match the reference's entry.
    const byId = new Map(ref.poolElements.map((e) => [e.peId, e]));
    for (const pe of cap.poolElements) {
      const mine = byId.get(pe.peId);
      if (mine === undefined) continue;
      const diffs: string[] = [];
      if (mine.homeRegistrarId !== pe.homeRegistrarId) diffs.push(`home ${idText(pe.homeRegistrarId)} vs ${idText(mine.homeRegistrarId)}`);
      if (mine.registrationLife !== pe.registrationLife) diffs.push(`life ${pe.registrationLife} vs ${mine.registrationLife}`);
      if (mine.userTransport.port !== pe.userTransport.port) diffs.push(`port ${pe.userTransport.port} vs ${mine.userTransport.port}`);
      const a1 = pe.userTransport.addresses.map((a) => a.address).sort().join(',');
      const a2 = mine.userTransport.addresses.map((a) => a.address).sort().join(',');
      if (a1 !== a2) diffs.push(`addresses ${a1} vs ${a2}`);
      const capPolicy = liftPolicy(pe.policy)?.name ?? pe.policy.name;
      if (capPolicy !== mine.policy.name) diffs.push(`policy ${capPolicy} vs ${mine.policy.name}`);
      if (diffs.length > 0) out.add('resolution.peIdentity', frames, t, ['HR-1', 'REG-2', 'REG-8'], `PE ${idText(pe.peId)} described differently (captured vs reference): ${diffs.join('; ')}`, messageText(cap), messageText(ref));
    }
    return;
  }
  if (ref.type === 'error' && cap.type === 'error' && codes(ref.operationError.causes) !== codes(cap.operationError.causes)) {
    out.add('error.cause', frames, t, ['ER-3'], `different error cause for ${req}`, messageText(cap), messageText(ref));
  }
}

function compareEnrpAnswer(out: Collector, ref: EnrpMessage, cap: EnrpMessage, frames: number[], t: number, req: string): void {
  if (ref.type === 'handleTableResponse' && cap.type === 'handleTableResponse') {
    const set = (m: typeof ref): string[] => m.pools.flatMap((p) => p.poolElements.map((e) => `${handleText(p.poolHandle)}/${idText(e.peId)}@${idText(e.homeRegistrarId)}`)).sort();
    const a = set(cap);
    const b = set(ref);
    if (ref.flags.R !== cap.flags.R || ref.flags.M !== cap.flags.M || a.join() !== b.join()) {
      out.add('handleTable.content', frames, t, ['HT-1', 'HT-2'], `different Handle Table Response to ${req}: captured [${a.join(', ')}], reference [${b.join(', ')}]`, messageText(cap), messageText(ref));
    }
  }
  if (ref.type === 'listResponse' && cap.type === 'listResponse') {
    const a = cap.servers.map((s) => idText(s.serverId)).sort().join(', ');
    const b = ref.servers.map((s) => idText(s.serverId)).sort().join(', ');
    if (a !== b || ref.flags.R !== cap.flags.R) out.add('list.content', frames, t, ['LS-1'], `different List Response to ${req}: captured [${a}], reference [${b}]`, messageText(cap), messageText(ref));
  }
  if (ref.type === 'initTakeoverAck' && cap.type === 'initTakeoverAck' && ref.targetId !== cap.targetId) out.add('takeover.ack', frames, t, ['TO-2'], `Init Takeover Ack for another target: ${req}`, messageText(cap), messageText(ref));
}

/** Greedy matching of timed items in order, each reference item with the first free captured one in its window. */
function matchTimed<R extends { time: number }, C extends { time: number }>(refs: R[], caps: C[], window: number): { pairs: Array<[R, C]>; refOnly: R[]; capOnly: C[] } {
  const used = new Set<number>();
  const pairs: Array<[R, C]> = [];
  const refOnly: R[] = [];
  for (const r of refs) {
    let best = -1;
    for (let i = 0; i < caps.length; i++) {
      if (used.has(i)) continue;
      const d = Math.abs(caps[i]!.time - r.time);
      if (d <= window && (best < 0 || d < Math.abs(caps[best]!.time - r.time))) best = i;
    }
    if (best < 0) refOnly.push(r);
    else {
      used.add(best);
      pairs.push([r, caps[best]!]);
    }
  }
  return { pairs, refOnly, capOnly: caps.filter((_, i) => !used.has(i)) };
}

const group = <T>(xs: T[], key: (x: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
};

/** Compares one run; see the module comment. */
export function compareRun(run: RunResult, tolerance: Tolerance = DEFAULT_TOLERANCE): Divergence[] {
  const out = new Collector(run.registrar.label);
  const cfg = run.inferred.config;
  const observedMessages = run.observations.filter((o): o is Observation & { item: TimedMessage } => o.item.kind === 'message' && o.item.message !== undefined);
  // The reference starts later than the capture only if the capture shows nothing earlier;
  // anything it would send after the capture's end cannot be compared.
  const inWindow = (t: number): boolean => t <= run.end - tolerance.ms;

  // 1. Answers on the request's association (REG-1, DR-1, HR-1, HT-1, LS-1, ER-3).
  const capturedAnswers = group(
    observedMessages.filter((o) => o.item.association !== undefined && ANSWERS.has(typeKey(o.item.message!))),
    (o) => `${o.item.association}`,
  );
  const consumed = new Set<number>();
  for (const input of run.inputs) {
    const a = input.item.association;
    if (a === undefined) continue;
    // Answers go back on the request's association; ENRP answers the reference addresses to the
    // requesting peer by ID (e.g. Init Takeover Ack) travel the same way in a real registrar.
    const sender = input.item.message?.protocol === 'enrp' ? input.item.message.senderId : undefined;
    const refAnswers = input.outputs.filter(
      (o) => ((o.kind === 'send' && o.association === a) || (o.kind === 'sendPeer' && sender !== undefined && o.peerId === sender)) && o.message !== undefined && ANSWERS.has(typeKey(o.message)),
    );
    for (const ref of refAnswers) {
      const candidates = (capturedAnswers.get(`${a}`) ?? []).filter((o) => !consumed.has(o.item.index) && o.item.index > input.item.index);
      const same = candidates.find((o) => typeKey(o.item.message!) === typeKey(ref.message!) && sameSubject(o.item.message!, ref.message!)) ?? candidates[0];
      if (same === undefined) {
        const closed = run.capture.associations.get(a);
        out.add('answer.missing', [input.item.frame], input.item.time, requirementsOf(ref.message!), `no captured answer to ${messageText(input.item.message)}`, closed?.end !== undefined && closed.end <= input.item.time + 1000 ? `nothing (association ended at frame ${closed.endFrame})` : 'nothing', messageText(ref.message));
        continue;
      }
      consumed.add(same.item.index);
      compareAnswer(out, input, ref.message!, same.item, run);
    }
  }
  for (const [, list] of capturedAnswers) {
    for (const o of list) {
      if (consumed.has(o.item.index)) continue;
      const request = [...run.inputs].reverse().find((i) => i.item.association === o.item.association && i.item.index < o.item.index);
      out.add('answer.unexpected', [...(request ? [request.item.frame] : []), o.item.frame], o.item.time, requirementsOf(o.item.message!), `captured registrar answered${request ? ` ${messageText(request.item.message)}` : ''}, the reference did not`, messageText(o.item.message), 'nothing');
    }
  }

  // 2. Keep-Alives (KA-1) and the ABORT after an unanswered one (KA-3), per association and PE.
  const kaWindow = tolerance.ms + tolerance.fraction * cfg.keepAliveTransmissionInterval;
  // A Keep-Alive with H = 1 after a takeover (TO-3) goes on a new association the capture numbers
  // itself; those are keyed by PE alone.
  const refKa = run.outputs.filter((o) => (o.kind === 'send' || o.kind === 'sendEndpoint') && o.message?.protocol === 'asap' && o.message.type === 'endpointKeepAlive' && inWindow(o.time));
  const capKa = observedMessages.filter((o) => o.item.message!.protocol === 'asap' && o.item.message!.type === 'endpointKeepAlive' && inWindow(o.item.time)).map((o) => ({ time: o.item.time, o }));
  const kaKey = (association: number | undefined, m: Message): string =>
    m.protocol === 'asap' && m.type === 'endpointKeepAlive' ? (m.flags.H ? `H/${m.peId ?? hex(m.poolHandle)}` : `${association}/${m.peId ?? hex(m.poolHandle)}`) : '';
  const refByKey = group(refKa, (o) => kaKey(o.association, o.message!));
  const capByKey = group(capKa, (c) => kaKey(c.o.item.association, c.o.item.message!));
  for (const k of new Set([...refByKey.keys(), ...capByKey.keys()])) {
    const m = matchTimed(refByKey.get(k) ?? [], capByKey.get(k) ?? [], kaWindow);
    for (const r of m.refOnly) out.add('keepAlive.missing', lastFramesBefore(run, r.time, r.association), r.time, ['KA-1'], `reference sent ${messageText(r.message)} at t=${sec(r.time)}, the captured registrar did not (within ±${Math.round(kaWindow)} ms)`, 'nothing', messageText(r.message));
    for (const c of m.capOnly) out.add('keepAlive.unexpected', [c.o.item.frame], c.time, ['KA-1'], `captured ${messageText(c.o.item.message)} at t=${sec(c.time)} has no reference counterpart`, messageText(c.o.item.message), 'nothing');
    for (const [r, c] of m.pairs) if (r.message?.protocol === 'asap' && r.message.type === 'endpointKeepAlive' && c.o.item.message?.protocol === 'asap' && c.o.item.message.type === 'endpointKeepAlive' && r.message.serverId !== c.o.item.message.serverId) out.add('keepAlive.serverId', [c.o.item.frame], c.time, ['KA-1'], 'Keep-Alive names another server', messageText(c.o.item.message), messageText(r.message));
  }
  const refAbort = run.outputs.filter((o) => o.kind === 'abort' && inWindow(o.time));
  const capAbort = run.observations.filter((o) => o.item.kind === 'control' && o.item.chunk === 'abort' && inWindow(o.item.time)).map((o) => ({ time: o.item.time, o }));
  const abWindow = kaWindow + cfg.keepAliveTimeoutInterval * tolerance.fraction;
  const refAb = group(refAbort, (o) => `${o.association}`);
  const capAb = group(capAbort, (c) => `${c.o.item.kind === 'control' ? c.o.item.association : ''}`);
  for (const k of new Set([...refAb.keys(), ...capAb.keys()])) {
    const ab = matchTimed(refAb.get(k) ?? [], capAb.get(k) ?? [], abWindow);
    for (const r of ab.refOnly) out.add('abort.missing', lastFramesBefore(run, r.time, r.association), r.time, ['KA-3', 'T-3'], `reference ABORTed association #${r.association} at t=${sec(r.time)}, the captured registrar did not`, 'nothing', 'ABORT');
    for (const c of ab.capOnly) out.add('abort.unexpected', [c.o.item.frame], c.time, ['KA-3'], `captured registrar ABORTed an association at t=${sec(c.time)}, the reference did not`, 'ABORT', 'nothing');
  }

  // 3. Handle Updates to peers (REG-13, HU-1, DR-2).
  const updWindow = tolerance.ms + tolerance.fraction * cfg.keepAliveTimeoutInterval;
  const updKey = (receiver: number, m: Message): string =>
    m.protocol === 'enrp' && m.type === 'handleUpdate' ? `${receiver}/${m.updateAction}/${hex(m.poolHandle)}/${m.poolElement.peId}` : '';
  const refUpd = run.outputs.filter((o) => (o.kind === 'sendPeer' || o.kind === 'send') && o.message?.protocol === 'enrp' && o.message.type === 'handleUpdate' && inWindow(o.time));
  const capUpd = observedMessages.filter((o) => o.item.message!.protocol === 'enrp' && o.item.message!.type === 'handleUpdate' && inWindow(o.item.time)).map((o) => ({ time: o.item.time, o }));
  const refU = group(refUpd, (o) => updKey(o.message!.protocol === 'enrp' ? o.message!.receiverId : 0, o.message!));
  const capU = group(capUpd, (c) => updKey(c.o.item.message!.protocol === 'enrp' ? c.o.item.message!.receiverId : 0, c.o.item.message!));
  for (const k of new Set([...refU.keys(), ...capU.keys()])) {
    const m = matchTimed(refU.get(k) ?? [], capU.get(k) ?? [], updWindow);
    for (const r of m.refOnly) out.add('handleUpdate.missing', lastFramesBefore(run, r.time, undefined), r.time, ['HU-1', 'REG-13', 'DR-2'], `reference sent ${messageText(r.message)} at t=${sec(r.time)}, the captured registrar did not`, 'nothing', messageText(r.message));
    for (const c of m.capOnly) out.add('handleUpdate.unexpected', [c.o.item.frame], c.time, ['HU-1', 'REG-13', 'DR-2'], `captured ${messageText(c.o.item.message)} at t=${sec(c.time)} has no reference counterpart`, messageText(c.o.item.message), 'nothing');
    for (const [r, c] of m.pairs) {
      const a = r.message!;
      const b = c.o.item.message!;
      if (a.protocol === 'enrp' && a.type === 'handleUpdate' && b.protocol === 'enrp' && b.type === 'handleUpdate' && a.poolElement.homeRegistrarId !== b.poolElement.homeRegistrarId) {
        out.add('handleUpdate.home', [c.o.item.frame], c.time, ['DR-2', 'HU-1'], 'Handle Update names another home', messageText(b), messageText(a));
      }
    }
  }

  // 4. ENRP requests the registrar starts (ST-2, PP-2, PP-6, CK-2, HT-2): List / Handle Table
  // Requests and Presence probes (R = 1), per receiver.
  const enrpWindow = tolerance.ms + Math.max(1000, tolerance.fraction * cfg.peerHeartbeatCycle);
  const isStarted = (m: Message | undefined): boolean =>
    m?.protocol === 'enrp' && (m.type === 'listRequest' || m.type === 'handleTableRequest' || m.type === 'initTakeover' || m.type === 'takeoverServer' || (m.type === 'presence' && m.flags.R));
  const reqKey = (m: Message): string => (m.protocol === 'enrp' ? `${m.receiverId}/${m.type}/${m.type === 'handleTableRequest' ? m.flags.W : ''}` : '');
  const refReq = run.outputs.filter((o) => (o.kind === 'sendPeer' || o.kind === 'send') && isStarted(o.message) && inWindow(o.time) && knownPeer(run, o.message!));
  const capReq = observedMessages.filter((o) => o.item.transport === 'sctp' && isStarted(o.item.message) && inWindow(o.item.time)).map((o) => ({ time: o.item.time, o }));
  const refR = group(refReq, (o) => reqKey(o.message!));
  const capR = group(capReq, (c) => reqKey(c.o.item.message!));
  for (const k of new Set([...refR.keys(), ...capR.keys()])) {
    const m = matchTimed(refR.get(k) ?? [], capR.get(k) ?? [], enrpWindow);
    for (const r of m.refOnly) out.add('enrpRequest.missing', lastFramesBefore(run, r.time, undefined), r.time, requirementsOf(r.message!), `reference sent ${messageText(r.message)} at t=${sec(r.time)}, the captured registrar did not`, 'nothing', messageText(r.message));
    for (const c of m.capOnly) out.add('enrpRequest.unexpected', [c.o.item.frame], c.time, requirementsOf(c.o.item.message!), `captured ${messageText(c.o.item.message)} at t=${sec(c.time)} has no reference counterpart`, messageText(c.o.item.message), 'nothing');
  }
  // Presence answers (PP-3): every R = 1 the registrar got must be answered with a Presence.
  for (const input of run.inputs) {
    const m = input.item.message;
    if (m?.protocol !== 'enrp' || m.type !== 'presence' || !m.flags.R || input.item.transport !== 'sctp') continue;
    const refReply = input.outputs.some((o) => o.message?.protocol === 'enrp' && o.message.type === 'presence');
    const capReply = observedMessages.some((o) => o.item.message!.protocol === 'enrp' && o.item.message!.type === 'presence' && o.item.message!.receiverId === (m.serverInformation?.serverId ?? m.senderId) && o.item.time >= input.item.time && o.item.time <= input.item.time + enrpWindow);
    if (refReply !== capReply) out.add('presence.reply', [input.item.frame], input.item.time, ['PP-3'], `Presence R=1 from ${idText(m.senderId)} answered by ${capReply ? 'the captured registrar only' : 'the reference only'}`, capReply ? 'Presence' : 'nothing', refReply ? 'Presence' : 'nothing');
  }

  // 5. Checksums (CK-1): each Presence the registrar sent against the reference's own checksum then.
  let run0: { frames: number[]; time: number; cap: number; ref: number } | undefined;
  const flush = (): void => {
    if (run0 === undefined) return;
    out.add('presence.checksum', run0.frames, run0.time, ['CK-1', 'CK-2'], `PE checksum 0x${hex4(run0.cap)} in ${run0.frames.length} Presence(s) from t=${sec(run0.time)}, the reference's own PEs sum to 0x${hex4(run0.ref)}`, `0x${hex4(run0.cap)}`, `0x${hex4(run0.ref)}`);
    run0 = undefined;
  };
  for (const o of observedMessages) {
    const m = o.item.message!;
    if (m.protocol !== 'enrp' || m.type !== 'presence' || m.senderId !== cfg.serverId) continue;
    if (m.peChecksum === o.referenceChecksum) {
      flush();
      continue;
    }
    if (run0 !== undefined && run0.cap === m.peChecksum && run0.ref === o.referenceChecksum) run0.frames.push(o.item.frame);
    else {
      flush();
      run0 = { frames: [o.item.frame], time: o.item.time, cap: m.peChecksum, ref: o.referenceChecksum };
    }
  }
  flush();
  return out.list.sort((a, b) => a.time - b.time || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
}

const hex4 = (x: number): string => x.toString(16).padStart(4, '0');
const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** Whether a reference ENRP output goes to a PR the capture shows at all. */
function knownPeer(run: RunResult, m: Message): boolean {
  return m.protocol === 'enrp' && run.peerEndpoints.has(m.receiverId);
}

/** Same pool handle / PE where the answer names one. */
function sameSubject(a: Message, b: Message): boolean {
  if ('poolHandle' in a && 'poolHandle' in b && hex(a.poolHandle) !== hex(b.poolHandle)) return false;
  if ('peId' in a && 'peId' in b && a.peId !== b.peId) return false;
  return true;
}

/** The digest rules behind an answer or request type. */
function requirementsOf(m: Message): string[] {
  switch (typeKey(m)) {
    case 'asap.registrationResponse':
      return ['REG-1'];
    case 'asap.deregistrationResponse':
      return ['DR-1'];
    case 'asap.handleResolutionResponse':
      return ['HR-1'];
    case 'asap.error':
    case 'enrp.error':
      return ['ER-3'];
    case 'enrp.handleTableResponse':
      return ['HT-1'];
    case 'enrp.listResponse':
      return ['LS-1'];
    case 'enrp.listRequest':
      return ['PP-6', 'ST-2'];
    case 'enrp.handleTableRequest':
      return ['ST-2', 'CK-2', 'HT-2'];
    case 'enrp.presence':
      return ['PP-2', 'PP-4'];
    case 'enrp.initTakeoverAck':
      return ['TO-2'];
    case 'enrp.initTakeover':
      return ['PP-4', 'TO-1'];
    case 'enrp.takeoverServer':
      return ['TO-3'];
    default:
      return [];
  }
}

/** Frames just before a time, on an association if given: where to look in Wireshark. */
function lastFramesBefore(run: RunResult, time: number, association: number | undefined): number[] {
  let best: number | undefined;
  for (const it of run.capture.items) {
    if (it.time > time) break;
    if (association === undefined || it.association === association) best = it.frame;
  }
  return best === undefined ? [] : [best];
}

export type { ReferenceOutput };
