/**
 * `replay FILE --target udp:HOST:PORT`: the client side of a capture (its PEs and PUs) sent to a
 * live registrar in real time, through the project's SCTP over UDP, and the live answers compared
 * with the captured registrar's the way the offline replay compares the reference's.
 *
 * Rewritten on the way: PE user-transport addresses become `--pe-address` (rsplib accepts only
 * the association's own address, REG-8); pre-RFC messages are sent in RFC numbering. Keep-Alives
 * of the live registrar are answered as long as the captured PE was still answering its own.
 * Not replayed: ENRP peers (their traffic needs identities the target cannot verify) and the
 * captured Keep-Alive Acks themselves.
 */
import { performance } from 'node:perf_hooks';
import type { Address, AsapMessage, Message } from '../../codecs/index.js';
import { NetworkTarget, parseTargetSpec } from '../conformance/network-target.js';
import type { Endpoint as TargetEndpoint, Received } from '../conformance/target.js';
import type { Divergence } from './divergence.js';
import { messageText } from './describe.js';
import { REPLAY_ERR, ReplayError } from './errors.js';
import { inferConfig } from './infer-config.js';
import { liftLegacy, liftPolicy } from './legacy.js';
import type { LoadedCapture, TimedControl, TimedMessage } from './model.js';
import { findRegistrars, isRegistrarEndpoint, selectRegistrars, type RegistrarRole } from './roles.js';
import { findLives } from './run.js';
import { isRandomPolicy } from './selection.js';
import { DEFAULT_TOLERANCE, type Tolerance } from './compare.js';
import { UNEXPLAINED } from './explain.js';

/** Options of {@link liveReplay}. */
export interface LiveOptions {
  /** `udp:HOST:PORT[,enrp=PORT]`. */
  readonly target: string;
  /** Address PEs register (default: the target host, as seen from a loopback driver). */
  readonly peAddress?: string;
  /** Which captured registrar's clients to replay (default: the one with the most). */
  readonly registrar?: string;
  /** Time compression (default 1 = captured pace). */
  readonly speed?: number;
  readonly tolerance?: Tolerance;
  /** Local address of the driver sockets (default loopback). */
  readonly localHost?: string;
  /** Progress lines (e.g. to stderr). */
  readonly log?: (line: string) => void;
  /** Stop replaying after this capture time, ms. */
  readonly until?: number;
  /** Wait after the last message for late answers, ms (default: 1 s + a quarter of the Keep-Alive timeout, at most 3 s). */
  readonly settleMs?: number;
}

/** Outcome of a live replay. */
export interface LiveReport {
  readonly file: string;
  readonly target: string;
  readonly registrar: string;
  readonly associations: number;
  readonly sent: number;
  readonly answers: number;
  readonly divergences: readonly Divergence[];
  readonly notes: readonly string[];
}

interface AssocState {
  readonly id: number;
  readonly role: 'pe' | 'pu';
  ep: TargetEndpoint | undefined;
  closedByUs: boolean;
  abortedByTarget: boolean;
  readonly live: Array<{ readonly time: number; readonly message: Message }>;
  /** Capture times of the PE's Keep-Alive Acks (to know when it stopped answering). */
  readonly acks: number[];
  readonly sawKeepAlive: boolean;
  readonly peIds: Set<number>;
}

const REQUEST_ANSWER: Readonly<Record<string, string>> = { registration: 'registrationResponse', deregistration: 'deregistrationResponse', handleResolution: 'handleResolutionResponse' };
const ipAddress = (text: string): Address => (text.includes(':') ? { family: 'ipv6', address: text } : { family: 'ipv4', address: text });

/** Picks the registrar whose ASAP clients to replay. */
function chooseRegistrar(capture: LoadedCapture, spec: string | undefined): RegistrarRole {
  const roles = findRegistrars(capture);
  const candidates = selectRegistrars(roles, spec).filter((r) => r.asap.length > 0);
  if (candidates.length === 0) throw new ReplayError(REPLAY_ERR.noRegistrar, 'no registrar with ASAP clients in the capture');
  // ASAP requests it received: the registrar whose PEs and PUs did the most.
  const clients = (r: RegistrarRole): number =>
    capture.items.filter((i) => i.kind === 'message' && i.protocol === 'asap' && i.transport === 'sctp' && r.asap.some((e) => e.ip === i.dst.ip && e.port === i.dst.port)).length;
  return candidates.sort((a, b) => clients(b) - clients(a))[0]!;
}

/** Rewrites a client's message for the target: PE addresses, RFC numbering. */
function rewrite(m: Message, peAddress: string): Message {
  const x = liftLegacy(m);
  if (x.protocol === 'asap' && x.type === 'registration') {
    const ut = x.poolElement.userTransport;
    return { ...x, poolElement: { ...x.poolElement, homeRegistrarId: 0, userTransport: { ...ut, addresses: [ipAddress(peAddress)] } } } as AsapMessage;
  }
  return x;
}

/** Runs the live replay; see the module comment. */
export async function liveReplay(capture: LoadedCapture, options: LiveOptions): Promise<LiveReport> {
  let spec;
  try {
    spec = parseTargetSpec(options.target);
  } catch (e) {
    throw new ReplayError(REPLAY_ERR.badOption, e instanceof Error ? e.message : String(e));
  }
  const r = chooseRegistrar(capture, options.registrar);
  const roles = findRegistrars(capture);
  const inferred = inferConfig(capture, r, roles.registrars);
  const life = findLives(capture, r)[0]!;
  const cutoff = Math.min(life.end?.time ?? Number.POSITIVE_INFINITY, options.until ?? Number.POSITIVE_INFINITY);
  const speed = options.speed ?? 1;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const peAddress = options.peAddress ?? (spec.host === 'localhost' ? '127.0.0.1' : spec.host);
  const log = options.log ?? (() => undefined);
  const notes: string[] = [`replaying the PEs and PUs of ${r.label}; PE addresses rewritten to ${peAddress}`];
  // Only ASAP towards the registrar's ASAP endpoint: ENRP (peers, hsdump) is not impersonated.
  const toR = (i: TimedMessage): boolean => i.protocol === 'asap' && r.asap.some((e) => e.ip === i.dst.ip && e.port === i.dst.port) && i.transport === 'sctp' && i.association !== undefined;
  const msgs = capture.items.filter((i): i is TimedMessage => i.kind === 'message' && i.message !== undefined && i.time <= cutoff);
  // Client associations: those on which a client sent the registrar something.
  const states = new Map<number, AssocState>();
  for (const m of msgs) {
    if (!toR(m)) continue;
    const x = m.message!;
    let s = states.get(m.association!);
    if (s === undefined) {
      const isPe = msgs.some((y) => y.association === m.association && y.message?.protocol === 'asap' && y.message.type === 'registration');
      const sawKeepAlive = msgs.some((y) => y.association === m.association && y.message?.protocol === 'asap' && y.message.type === 'endpointKeepAlive');
      s = { id: m.association!, role: isPe ? 'pe' : 'pu', ep: undefined, closedByUs: false, abortedByTarget: false, live: [], acks: [], sawKeepAlive, peIds: new Set() };
      states.set(m.association!, s);
    }
    if (x.protocol === 'asap' && x.type === 'endpointKeepAliveAck') s.acks.push(m.time);
    if (x.protocol === 'asap' && x.type === 'registration') s.peIds.add(x.poolElement.peId);
  }
  const enrpSkipped = msgs.filter((m) => isRegistrarEndpoint(r, m.dst) && m.protocol === 'enrp').length;
  if (enrpSkipped > 0) notes.push(`${enrpSkipped} ENRP message(s) from peers not replayed (peer PRs are not impersonated)`);
  const timeline = capture.items.filter(
    (i): i is TimedMessage | TimedControl =>
      i.time <= cutoff &&
      i.association !== undefined &&
      states.has(i.association) &&
      ((i.kind === 'message' && toR(i) && !(i.message?.protocol === 'asap' && i.message.type === 'endpointKeepAliveAck')) ||
        (i.kind === 'control' && (i.chunk === 'shutdown' || i.chunk === 'abort') && !isRegistrarEndpoint(r, i.src))),
  );
  if (timeline.length === 0) throw new ReplayError(REPLAY_ERR.noRegistrar, `no client traffic to ${r.label} to replay`);
  const target = new NetworkTarget({ ...spec, ...(options.localHost !== undefined ? { localHost: options.localHost } : {}), name: options.target });
  const t0 = timeline[0]!.time;
  const real0 = performance.now();
  const captureNow = (): number => t0 + (performance.now() - real0) * speed;
  const sleepUntil = async (t: number): Promise<void> => {
    const wait = (t - t0) / speed - (performance.now() - real0);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  };
  const sent: Array<{ item: TimedMessage; time: number }> = [];
  const onMessage = (s: AssocState) => (rec: Received, self: TargetEndpoint): boolean => {
    const now = captureNow();
    s.live.push({ time: now, message: rec.message });
    const m = rec.message;
    if (m.protocol === 'asap' && m.type === 'endpointKeepAlive') {
      // OB-2: answer while the captured PE still answered (its last Ack + a second), or always
      // if the capture shows it never being asked.
      const lastAck = s.acks.length > 0 ? s.acks[s.acks.length - 1]! : undefined;
      const alive = !s.sawKeepAlive || (lastAck !== undefined && now <= lastAck + 1000);
      const peId = m.peId ?? [...s.peIds][0];
      if (alive && peId !== undefined) self.send({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: m.poolHandle, peId });
    }
    return true;
  };
  try {
    for (const item of timeline) {
      await sleepUntil(item.time);
      const s = states.get(item.association!)!;
      if (item.kind === 'control') {
        if (s.ep !== undefined && !s.ep.closed) {
          s.closedByUs = true;
          if (item.chunk === 'abort') s.ep.abort();
          else s.ep.close();
        }
        continue;
      }
      if (s.ep === undefined) {
        try {
          s.ep = await target.open(s.role, { name: `${s.role}#${s.id}`, onMessage: onMessage(s) });
        } catch (e) {
          throw new ReplayError(REPLAY_ERR.target, `cannot reach ${options.target}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
      }
      if (s.ep.closed) {
        if (!s.closedByUs) s.abortedByTarget = true;
        continue;
      }
      s.ep.send(rewrite(item.message!, peAddress));
      sent.push({ item, time: captureNow() });
      log(`t=${(item.time / 1000).toFixed(3)} s #${s.id} → ${messageText(item.message)}`);
    }
    // Timer-driven behaviour (Keep-Alives, KA-3 removals) goes on after the last client message:
    // keep listening until the captured registrar's life (or the capture) ends.
    await sleepUntil(Math.min(cutoff, capture.duration));
    // Let the last answers and timers come in.
    await new Promise((res) => setTimeout(res, options.settleMs ?? Math.min(3000, 1000 + inferred.config.keepAliveTimeoutInterval / 4)));
    for (const s of states.values()) if (s.ep?.closed === true && !s.closedByUs) s.abortedByTarget = true;
  } finally {
    await target.dispose();
  }
  const divergences = compareLive(capture, r, states, sent, inferred.config.keepAliveTransmissionInterval, tolerance, options.target, cutoff, Math.min(cutoff, capture.duration), life.end?.time);
  return { file: capture.file, target: options.target, registrar: r.label, associations: states.size, sent: sent.length, answers: [...states.values()].reduce((n, s) => n + s.live.length, 0), divergences, notes };
}

/** The live answers against the captured ones. */
function compareLive(
  capture: LoadedCapture,
  r: RegistrarRole,
  states: Map<number, AssocState>,
  sent: Array<{ item: TimedMessage; time: number }>,
  kaInterval: number,
  tolerance: Tolerance,
  label: string,
  cutoff: number,
  listenedUntil: number,
  lifeEnd: number | undefined,
): Divergence[] {
  const out: Divergence[] = [];
  const add = (kind: string, frames: number[], time: number, requirements: string[], summary: string, captured: string, reference: string): void => {
    out.push({ kind, registrar: label, frames, time, requirements, summary, captured, reference, atOdds: 'captured', explanation: '' });
  };
  const fromR = capture.items.filter((i): i is TimedMessage => i.kind === 'message' && i.message !== undefined && isRegistrarEndpoint(r, i.src) && i.association !== undefined && states.has(i.association) && i.time <= cutoff);
  const usedCaptured = new Set<number>();
  const usedLive = new Set<object>();
  // Registered PEs per pool (for random policies), as the driver registered them.
  for (const { item, time } of sent) {
    const x = item.message!;
    const want = REQUEST_ANSWER[x.type];
    if (want === undefined || x.protocol !== 'asap') continue;
    const s = states.get(item.association!)!;
    const cap = fromR.find((y) => y.association === item.association && y.index > item.index && !usedCaptured.has(y.index) && y.message!.type === want);
    const live = s.live.find((y) => y.time >= time - 1 && !usedLive.has(y) && y.message.type === want);
    if (cap) usedCaptured.add(cap.index);
    if (live) usedLive.add(live);
    const req = messageText(x);
    if (cap === undefined && live === undefined) continue;
    if (cap === undefined) {
      add('live.unexpectedAnswer', [item.frame], item.time, ['REG-1', 'DR-1', 'HR-1'], `the live registrar answered ${req}; the captured one did not`, 'nothing', messageText(live!.message));
      continue;
    }
    if (live === undefined) {
      add('live.missingAnswer', [item.frame, cap.frame], item.time, ['REG-1', 'DR-1', 'HR-1'], `no live answer to ${req}`, messageText(cap.message), 'nothing');
      continue;
    }
    const a = cap.message!;
    const b = live.message;
    const codes = (m: Message): string => ('operationError' in m && m.operationError ? m.operationError.causes.map((c) => c.code).join(',') : '');
    if (a.protocol !== 'asap' || b.protocol !== 'asap') continue;
    if (codes(a) !== codes(b) || (a.type === 'registrationResponse' && b.type === 'registrationResponse' && a.flags.R !== b.flags.R)) {
      add('live.outcome', [item.frame, cap.frame], item.time, ['REG-1', 'REG-4', 'DR-1', 'HR-2'], `different outcome for ${req}`, messageText(a), messageText(b));
      continue;
    }
    if (a.type === 'handleResolutionResponse' && b.type === 'handleResolutionResponse') {
      const policy = a.policy !== undefined ? liftLegacyPolicyName(a) : 'unknown';
      const ca = a.poolElements.map((e) => e.peId);
      const lb = b.poolElements.map((e) => e.peId);
      const same = ca.length === lb.length && ca.every((v, i) => v === lb[i]);
      if (!same) {
        const ok = isRandomPolicy(policy) && ca.length === lb.length && new Set(lb).size === lb.length;
        if (!ok) add('live.selection', [item.frame, cap.frame], item.time, ['HR-3', 'HR-4'], `different selection (${policy}) for ${req}`, messageText(a), messageText(b));
      }
    }
  }
  // KA-1: Keep-Alives per association, matched in time.
  const window = tolerance.ms + tolerance.fraction * kaInterval;
  for (const s of states.values()) {
    // Near the end of the listening window a Keep-Alive may fall on either side of it: not compared.
    const capKa = fromR.filter((y) => y.association === s.id && y.message!.protocol === 'asap' && y.message!.type === 'endpointKeepAlive' && y.time <= listenedUntil - window);
    const liveKa = s.live.filter((y) => y.message.protocol === 'asap' && y.message.type === 'endpointKeepAlive' && y.time <= listenedUntil - window);
    const used = new Set<number>();
    for (const c of capKa) {
      const i = liveKa.findIndex((l, k) => !used.has(k) && Math.abs(l.time - c.time) <= window);
      if (i < 0) add('live.keepAliveMissing', [c.frame], c.time, ['KA-1'], `captured ${messageText(c.message)} at t=${(c.time / 1000).toFixed(3)} s has no live counterpart within ±${Math.round(window)} ms`, messageText(c.message), 'nothing');
      else used.add(i);
    }
    const near = (t: number): number[] => {
      const c = capture.items.filter((i) => i.association === s.id && i.time <= t).at(-1);
      return c === undefined ? [] : [c.frame];
    };
    liveKa.forEach((l, k) => {
      if (!used.has(k)) add('live.keepAliveExtra', near(l.time), l.time, ['KA-1'], `live ${messageText(l.message)} at t=${(l.time / 1000).toFixed(3)} s has no captured counterpart`, 'nothing', messageText(l.message));
    });
    // KA-3: the captured registrar ABORTed this association; did the live one?
    const capAbort = capture.items.some((i) => i.kind === 'control' && i.chunk === 'abort' && i.association === s.id && isRegistrarEndpoint(r, i.src) && i.time < cutoff);
    if (capAbort !== s.abortedByTarget) add('live.abort', near(cutoff === Number.POSITIVE_INFINITY ? capture.duration : cutoff), 0, ['KA-3'], `association #${s.id}: ${capAbort ? 'captured registrar ABORTed it, the live one did not' : 'the live registrar ended it, the captured one did not'}`, capAbort ? 'ABORT' : 'nothing', s.abortedByTarget ? 'ABORT' : 'nothing');
  }
  return explainLive(out.sort((a, b) => a.time - b.time), capture, r, states, sent, lifeEnd);
}

/**
 * Explanations of live divergences (same idea as `explain.ts`): a timer racing a request the
 * driver sent within a few ms, and what a live replay cannot reproduce (ENRP peers).
 */
function explainLive(ds: Divergence[], capture: LoadedCapture, r: RegistrarRole, states: Map<number, AssocState>, sent: Array<{ item: TimedMessage; time: number }>, lifeEnd: number | undefined): Divergence[] {
  for (const d of ds) {
    if (d.kind === 'live.keepAliveExtra' || d.kind === 'live.keepAliveMissing') {
      const assoc = capture.items.find((i) => i.frame === d.frames[0])?.association;
      const racer = sent.find((x) => x.item.association === assoc && Math.abs(x.item.time - d.time) <= 100 && x.item.message?.protocol === 'asap' && x.item.message.type === 'registration');
      if (racer !== undefined) {
        d.atOdds = 'capture-cannot-show';
        d.explanation = `timer race: the Keep-Alive was due within ${Math.abs(Math.round(racer.item.time - d.time))} ms of the PE's re-registration (frame ${racer.item.frame}), which restarts the timer (REG-14); one registrar served the request first, the other the timer — both correct`;
        continue;
      }
    }
    // TO-3: Keep-Alives on an association the captured registrar itself opened to the PE after
    // taking it over from a dead peer; a takeover needs ENRP peers, which are not replayed.
    if (d.kind === 'live.keepAliveMissing' || d.kind === 'live.abort') {
      const assoc = capture.items.find((i) => i.frame === d.frames[0])?.association;
      const a = assoc !== undefined ? capture.associations.get(assoc) : undefined;
      if (a !== undefined && isRegistrarEndpoint(r, a.initiator)) {
        d.atOdds = 'capture-cannot-show';
        d.explanation = `the captured registrar opened this association to the PE itself after taking it over from a failed peer (TO-3, Keep-Alive H=1); the takeover comes from ENRP between registrars, which the live replay does not impersonate, so the live registrar never owned the PE`;
        continue;
      }
    }
    // The captured registrar was ending (its process stopped by the scenario) when the request came.
    if (d.kind === 'live.unexpectedAnswer' && lifeEnd !== undefined && lifeEnd - d.time <= 1000) {
      d.atOdds = 'capture-cannot-show';
      d.explanation = `the captured registrar's process was ending ${Math.round(lifeEnd - d.time)} ms later (it closed all its associations at once); the live one, still running, answered`;
      continue;
    }
    if (d.kind === 'live.outcome' && /Handle Resolution Response/.test(d.captured) && /Unknown Pool Handle|unknownPoolHandle/.test(d.reference)) {
      // HR-1: the captured registrar knew the pool from its peers (ENRP), which is not replayed.
      const viaEnrp = capture.items.some((i) => i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'handleUpdate' && isRegistrarEndpoint(r, i.dst));
      if (viaEnrp) {
        d.atOdds = 'capture-cannot-show';
        d.explanation = 'the captured registrar knew these PEs from its peers (ENRP Handle Updates); the live replay does not impersonate peer registrars, so the live one has never heard of the pool';
        continue;
      }
    }
    d.explanation = `${UNEXPLAINED}: no known cause; compare the frames with the live registrar's log`;
  }
  void states;
  return ds;
}

function liftLegacyPolicyName(m: AsapMessage & { type: 'handleResolutionResponse' }): string {
  return m.policy === undefined ? 'unknown' : (liftPolicy(m.policy)?.name ?? 'unknown');
}
