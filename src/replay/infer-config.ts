/**
 * Configuration of the reference registrar inferred from a capture: rsplib or RFC behaviour,
 * timers and limits where the captured traffic reveals them. Every guess is listed with the
 * evidence behind it, so a report shows why the reference was set up the way it was.
 */
import { defaultConfig, rsplibConfig, type RegistrarConfig } from '../registrar/index.js';
import { scopeOf } from '../registrar/addresses.js';
import { sameEndpoint, type LoadedCapture, type TimedMessage } from './model.js';
import { isRegistrarEndpoint, type RegistrarRole } from './roles.js';
import type { GivenConfig } from './reference-config.js';

/** The inferred configuration and the reasons for it. */
export interface InferredConfig {
  readonly config: RegistrarConfig;
  /** `setting: value (evidence)` lines for the report. */
  readonly evidence: readonly string[];
  /** Capture time at which the reference registrar starts, ms. */
  readonly startAt: number;
  /** Server IDs of the peer registrars the registrar talks to. */
  readonly peers: readonly number[];
}

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The server ID the reference uses when the capture never shows the captured one. */
export const FALLBACK_SERVER_ID = 0x52455031;

/** Options that override what is inferred. */
export interface InferOptions {
  readonly profile?: 'rsplib' | 'rfc' | 'auto';
  readonly overrides?: Partial<RegistrarConfig>;
  /**
   * The captured registrar's configuration as the user knows it (`--reference-config`,
   * `--registrar-args`, or embedded in the capture): it replaces inference wherever it speaks.
   */
  readonly given?: GivenConfig;
}

/** Infers the reference's configuration for registrar `r`. */
export function inferConfig(capture: LoadedCapture, r: RegistrarRole, allRegistrars: readonly RegistrarRole[], options: InferOptions = {}): InferredConfig {
  const evidence: string[] = [];
  const msgs = capture.items.filter((i): i is TimedMessage => i.kind === 'message' && i.message !== undefined);
  const fromR = msgs.filter((m) => isRegistrarEndpoint(r, m.src));
  const toR = msgs.filter((m) => isRegistrarEndpoint(r, m.dst));
  // rsplib's fingerprints (registrar-behaviour.md, wire-format.md §8): a PE Identifier TLV in
  // Keep-Alives, private cause codes, a policy TLV in every successful resolution, or the
  // pre-RFC parameter numbering of rsplib 2007.
  const reasons: string[] = [];
  const ownUdp = msgs.filter((m) => m.transport === 'udp' && ((m.message!.protocol === 'asap' && m.message!.type === 'serverAnnounce' && m.message!.serverId === r.serverId) || (m.message!.protocol === 'enrp' && m.message!.senderId === r.serverId)));
  for (const m of [...fromR, ...ownUdp]) {
    const x = m.message!;
    if (m.legacy && !reasons.includes('pre-RFC numbering')) reasons.push('pre-RFC numbering');
    if (x.protocol === 'asap' && x.type === 'endpointKeepAlive' && x.peId !== undefined && !reasons.includes('PE Identifier in Keep-Alive')) reasons.push('PE Identifier in Keep-Alive');
    if (x.protocol === 'asap' && 'operationError' in x && x.operationError?.causes.some((c) => c.code >= 0x10) && !reasons.includes('private cause codes')) reasons.push('private cause codes');
    // REG-4: rsplib refuses an inconsistent policy with cause 0x0005 but no policy TLV.
    if (x.protocol === 'asap' && x.type === 'registrationResponse' && x.operationError?.causes.some((c) => c.code === 0x0005 && c.info.length === 0) && !reasons.includes('cause 0x0005 without info')) reasons.push('cause 0x0005 without info');
    if (x.protocol === 'asap' && x.type === 'handleResolutionResponse' && x.policy !== undefined && x.poolElements.length > 0 && !reasons.includes('policy TLV in Handle Resolution Response')) reasons.push('policy TLV in Handle Resolution Response');
    if (x.protocol === 'asap' && x.type === 'serverAnnounce' && x.transports.length === 0 && !reasons.includes('Server Announce without transport')) reasons.push('Server Announce without transport');
  }
  const profile = options.profile === undefined || options.profile === 'auto' ? (reasons.length > 0 ? 'rsplib' : 'rfc') : options.profile;
  evidence.push(`profile: ${profile} (${options.profile !== undefined && options.profile !== 'auto' ? 'given' : reasons.length > 0 ? reasons.join(', ') : 'no rsplib fingerprint'})`);
  const serverId = r.serverId ?? FALLBACK_SERVER_ID;
  if (r.serverId === undefined) evidence.push(`serverId: 0x${serverId.toString(16)} (the capture never shows the registrar's ID)`);
  const o: { -readonly [K in keyof RegistrarConfig]?: RegistrarConfig[K] } = { seed: 1 };

  // KA-1 / REG-14: registration answer or last Ack → next Keep-Alive.
  const lastCalm = new Map<string, number>();
  const gaps: number[] = [];
  const timeouts: number[] = [];
  const pendingKa = new Map<string, number>();
  for (const m of msgs) {
    const x = m.message!;
    if (x.protocol !== 'asap' || m.association === undefined) continue;
    const pe = 'peId' in x && x.peId !== undefined ? `${m.association}/${x.peId}` : undefined;
    if (x.type === 'registrationResponse' && isRegistrarEndpoint(r, m.src) && !x.flags.R) lastCalm.set(`${m.association}/${x.peId}`, m.time);
    if (x.type === 'endpointKeepAliveAck' && isRegistrarEndpoint(r, m.dst) && pe !== undefined) {
      lastCalm.set(pe, m.time);
      pendingKa.delete(pe);
    }
    if (x.type === 'endpointKeepAlive' && isRegistrarEndpoint(r, m.src) && pe !== undefined && !x.flags.H) {
      const since = lastCalm.get(pe);
      if (since !== undefined) gaps.push(m.time - since);
      lastCalm.delete(pe);
      pendingKa.set(pe, m.time);
    }
  }
  // KA-3: an unanswered Keep-Alive → ABORT of the PE's association by the registrar.
  for (const it of capture.items) {
    if (it.kind !== 'control' || it.chunk !== 'abort' || !isRegistrarEndpoint(r, it.src)) continue;
    for (const [pe, t] of pendingKa) if (pe.startsWith(`${it.association}/`)) timeouts.push(it.time - t);
  }
  if (gaps.length > 0) {
    o.keepAliveTransmissionInterval = Math.round(median(gaps) / 100) * 100;
    evidence.push(`keepAliveTransmissionInterval: ${o.keepAliveTransmissionInterval} ms (median of ${gaps.length} answer→Keep-Alive gaps)`);
  }
  if (timeouts.length > 0) {
    o.keepAliveTimeoutInterval = Math.round(median(timeouts) / 100) * 100;
    evidence.push(`keepAliveTimeoutInterval: ${o.keepAliveTimeoutInterval} ms (Keep-Alive → ABORT)`);
  }
  // SA-1 / PP-1: announce and heartbeat cycles, and whether multicast is on at all.
  const udpPresence = msgs.filter((m) => m.transport === 'udp' && m.message!.protocol === 'enrp' && m.message!.senderId === serverId).map((m) => m.time);
  const ownAnnounce = msgs.some((m) => m.transport === 'udp' && m.message!.protocol === 'asap' && m.message!.type === 'serverAnnounce' && m.message!.serverId === serverId);
  o.asapAnnounce = ownAnnounce;
  o.enrpAnnounce = udpPresence.length > 0;
  evidence.push(`asapAnnounce: ${o.asapAnnounce}, enrpAnnounce: ${o.enrpAnnounce} (multicast seen or not)`);
  const cycle = (ts: number[]): number | undefined => (ts.length >= 3 ? median(ts.slice(1).map((t, i) => t - ts[i]!)) : undefined);
  const ann = cycle(msgs.filter((m) => m.transport === 'udp' && m.message!.protocol === 'asap' && m.message!.type === 'serverAnnounce' && m.message!.serverId === serverId).map((m) => m.time));
  if (ann !== undefined) {
    o.serverAnnounceCycle = Math.round(ann / 100) * 100;
    evidence.push(`serverAnnounceCycle: ${o.serverAnnounceCycle} ms (median announce interval)`);
  }
  // Peers: registrars R exchanges ENRP with.
  const peerIds = new Set<number>();
  for (const m of fromR) if (m.message!.protocol === 'enrp' && m.transport === 'sctp' && m.message!.receiverId !== 0) peerIds.add(m.message!.receiverId);
  for (const m of toR) if (m.message!.protocol === 'enrp' && m.transport === 'sctp' && m.message!.senderId !== 0) peerIds.add(m.message!.senderId);
  peerIds.delete(serverId);
  const registrarIds = new Set(allRegistrars.map((x) => x.serverId).filter((x): x is number => x !== undefined));
  const staticPeers = [...peerIds].filter((id) => registrarIds.has(id));
  const ownPresenceTimes = new Map<number, number[]>();
  for (const m of fromR) {
    const x = m.message!;
    if (x.protocol === 'enrp' && x.type === 'presence' && !x.flags.R && m.transport === 'sctp') {
      const l = ownPresenceTimes.get(x.receiverId) ?? [];
      l.push(m.time);
      ownPresenceTimes.set(x.receiverId, l);
    }
  }
  const hb = [...ownPresenceTimes.values()].map(cycle).filter((x): x is number => x !== undefined);
  if (hb.length > 0) {
    o.peerHeartbeatCycle = Math.round(median(hb) / 100) * 100;
    evidence.push(`peerHeartbeatCycle: ${o.peerHeartbeatCycle} ms (median Presence interval per peer)`);
  }
  if (staticPeers.length > 0) {
    // rsplib's static peers (`-peer=ADDR`) are entries with ID 0 until their first Presence, then
    // new peers (PP-2); the reference's static peers are known by ID from the start, which would
    // suppress the R = 1 Presence rsplib sends then. So they are learned, not configured.
    evidence.push(`peers: ${staticPeers.map((x) => `$${x.toString(16)}`).join(', ')} (registrars it exchanges ENRP with; learned from their Presences)`);
  }
  // PP-5: its own Server Information says where its ENRP endpoint is.
  for (const m of fromR) {
    const x = m.message!;
    if (x.protocol === 'enrp' && x.type === 'presence' && x.serverInformation !== undefined) {
      o.enrpTransport = x.serverInformation.transport;
      break;
    }
  }
  // REG-8: loopback-only PEs accepted → the registrar's minimum scope is loopback.
  for (const m of msgs) {
    const x = m.message!;
    if (x.protocol === 'asap' && x.type === 'registration' && isRegistrarEndpoint(r, m.dst)) {
      const loopOnly = x.poolElement.userTransport.addresses.every((a) => scopeOf(a) === 'loopback');
      const accepted = msgs.some((y) => y.index > m.index && y.association === m.association && y.message!.protocol === 'asap' && y.message!.type === 'registrationResponse' && !y.message!.flags.R);
      if (loopOnly && accepted) {
        o.minAddressScope = 'loopback';
        evidence.push('minAddressScope: loopback (a loopback-only PE was accepted)');
        break;
      }
    }
  }
  // HR-3: answers to resolutions that name no item count show the registrar's default — when the
  // answer holds more than the usual 3, or fewer than the pool had (by the capture's registrations).
  const poolSize = (handle: Uint8Array, before: number): number => {
    const live = new Set<number>();
    const h = Buffer.from(handle).toString('hex');
    for (const y of msgs) {
      if (y.index >= before) break;
      const z = y.message!;
      if (z.protocol !== 'asap' || !('poolHandle' in z) || Buffer.from(z.poolHandle).toString('hex') !== h || !isRegistrarEndpoint(r, y.src)) continue;
      if (z.type === 'registrationResponse' && !z.flags.R) live.add(z.peId);
      if (z.type === 'deregistrationResponse') live.delete(z.peId);
    }
    return live.size;
  };
  let hrItems: number | undefined;
  for (const m of msgs) {
    const x = m.message!;
    if (x.protocol !== 'asap' || x.type !== 'handleResolution' || (x.items !== undefined && x.items !== 0) || !isRegistrarEndpoint(r, m.dst)) continue;
    const answer = msgs.find((y) => y.index > m.index && y.association === m.association && y.message!.protocol === 'asap' && y.message!.type === 'handleResolutionResponse');
    if (answer?.message?.protocol !== 'asap' || answer.message.type !== 'handleResolutionResponse' || answer.message.operationError !== undefined) continue;
    const n = answer.message.poolElements.length;
    if (n > 3 || (n > 0 && n < poolSize(x.poolHandle, m.index))) hrItems = Math.max(hrItems ?? 0, n);
  }
  if (hrItems !== undefined) {
    o.maxHandleResolutionItems = hrItems;
    evidence.push(`maxHandleResolutionItems: ${hrItems} (answers to resolutions without an item count)`);
  }
  const inferred = profile === 'rsplib' ? rsplibConfig(serverId, { ...o, ...options.overrides }) : defaultConfig(serverId, { ...o, ...options.overrides });
  const config = options.given === undefined ? inferred : applyGiven(inferred, options.given, evidence);
  const start = inferStart(capture, r, config, 0);
  evidence.push(`start: t=${(start.startAt / 1000).toFixed(3)} s (${start.why})`);
  const startAt = start.startAt;
  return { config, evidence, startAt, peers: staticPeers };
}

/**
 * The configuration the user fixed, over the inferred one: with registrar arguments the whole
 * configuration is theirs (the registrar command's defaults included) except a server ID they did
 * not give; explicit values go on top. Evidence: what the user gave, and every setting where
 * inference would have guessed otherwise (a hint when a capture without known configuration
 * diverges).
 */
function applyGiven(inferred: RegistrarConfig, given: GivenConfig, evidence: string[]): RegistrarConfig {
  const base = given.base === undefined ? inferred : { ...given.base, serverId: given.base.serverId !== 0 ? given.base.serverId : inferred.serverId };
  const config: RegistrarConfig = Object.freeze({ ...base, ...given.overrides });
  const kept = evidence.splice(0, evidence.length);
  evidence.push(...given.evidence);
  if (given.base !== undefined && given.base.serverId === 0) evidence.push(`serverId: 0x${config.serverId.toString(16)} (not in the registrar arguments; from the capture)`);
  const show = (v: unknown): string => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  for (const k of Object.keys(config) as Array<keyof RegistrarConfig>) {
    if (k === 'seed' || k === 'serverId') continue;
    if (show(config[k]) !== show(inferred[k])) evidence.push(`${k}: ${show(config[k])} (given; inference alone would have used ${show(inferred[k])})`);
  }
  if (given.base === undefined) evidence.push(...kept.map((l) => `inferred: ${l}`));
  return config;
}

/**
 * When the registrar (re)started, at or after capture time `from`: before its first sign of life;
 * with multicast on, announces begin only when start-up ends (mentor discovery timeout), and
 * without a mentor the first Presence goes out then too (ST-2, PP-1).
 */
export function inferStart(capture: LoadedCapture, r: RegistrarRole, config: RegistrarConfig, from: number): { startAt: number; why: string } {
  // ST-2: the registrar starts before its first sign of life; with multicast on, announces begin
  // only when start-up ends (mentor discovery timeout), which bounds the start from above.
  // Kernel refusals (ABORT answering an INIT) and INITs towards it say nothing about the process.
  const involved = capture.items
    .filter((i) => i.time >= from)
    .filter((i) => (i.kind === 'message' && (isRegistrarEndpoint(r, i.src) || isRegistrarEndpoint(r, i.dst))) || (i.kind === 'control' && isRegistrarEndpoint(r, i.src) && i.chunk !== 'abort'))
    .map((i) => i.time);
  const firstOwn = capture.items.find((i) => i.time >= from && i.kind === 'message' && i.transport === 'udp' && i.message?.protocol === 'asap' && i.message.type === 'serverAnnounce' && i.message.serverId === config.serverId);
  let startAt = involved.length > 0 ? Math.min(...involved) : 0;
  if (firstOwn !== undefined) startAt = Math.min(startAt, firstOwn.time - config.mentorDiscoveryTimeout);
  // PP-1 / ST-2: without a mentor, the first Presence (or the ENRP INIT carrying it) goes out
  // when the start-up timer expires; an answer to a peer's Presence may come earlier.
  const enrpStart = capture.items.find(
    (i) =>
      i.time >= from &&
      ((i.kind === 'control' && i.chunk === 'init' && r.enrp.some((e) => sameEndpoint(e, i.src))) ||
        (i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'presence' && i.message.senderId === config.serverId)),
  );
  const answersFirst = enrpStart !== undefined && capture.items.some((i) => i.time >= from && i.time < enrpStart.time && i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'presence' && i.message.senderId !== config.serverId && r.enrp.some((e) => sameEndpoint(e, i.dst)));
  let why = 'first sign of life';
  if (enrpStart !== undefined && !answersFirst && enrpStart.time - config.mentorDiscoveryTimeout < startAt) {
    startAt = enrpStart.time - config.mentorDiscoveryTimeout;
    why = `first ENRP packet at t=${(enrpStart.time / 1000).toFixed(3)} s − mentor discovery timeout`;
  } else if (firstOwn !== undefined && firstOwn.time - config.mentorDiscoveryTimeout <= startAt) {
    why = 'first announce − mentor discovery timeout';
  } else if (enrpStart !== undefined && answersFirst && enrpStart.time - config.mentorDiscoveryTimeout < startAt) {
    // It answered a peer before its own timer: it may have started up to a timeout earlier.
    startAt = enrpStart.time - config.mentorDiscoveryTimeout;
    why = `first ENRP answer at t=${(enrpStart.time / 1000).toFixed(3)} s − mentor discovery timeout (start-up still running then)`;
  }
  // ST-2: a registrar still starting up takes the first peer it hears as its mentor and asks it
  // for its handle table (Handle Table Request); one that only probes the peer and asks for its
  // list (PP-2, PP-6) had finished starting up before that peer's first Presence came in.
  const firstPeer = capture.items.find(
    (i): i is TimedMessage => i.time >= from && i.kind === 'message' && i.transport === 'sctp' && i.message?.protocol === 'enrp' && i.message.type === 'presence' && i.message.senderId !== config.serverId && r.enrp.some((e) => sameEndpoint(e, i.dst)),
  );
  if (firstPeer !== undefined && firstPeer.message?.protocol === 'enrp') {
    const peerId = firstPeer.message.senderId;
    const answers = capture.items.filter((i) => i.kind === 'message' && i.index > firstPeer.index && i.time - firstPeer.time <= 1000 && isRegistrarEndpoint(r, i.src) && i.message?.protocol === 'enrp' && i.message.receiverId === peerId);
    const asMentor = answers.some((i) => i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'handleTableRequest');
    const asNewPeer = answers.some((i) => i.kind === 'message' && i.message?.protocol === 'enrp' && (i.message.type === 'listRequest' || (i.message.type === 'presence' && i.message.flags.R)));
    const latest = firstPeer.time - config.mentorDiscoveryTimeout - 1;
    if (asNewPeer && !asMentor && startAt > latest) {
      startAt = latest;
      why = `start-up over before the first peer's Presence at t=${(firstPeer.time / 1000).toFixed(3)} s (frame ${firstPeer.frame}): the registrar probed it as a new peer instead of asking it as a mentor for its handle table (ST-2, PP-2)`;
    }
  }
  // A kernel ABORT refusing an INIT to one of its ports proves the process was not listening yet.
  const firstLife = involved.length > 0 ? Math.min(...involved) : Number.POSITIVE_INFINITY;
  const refusals = capture.items.filter((i) => i.time >= from && i.kind === 'control' && i.chunk === 'abort' && isRegistrarEndpoint(r, i.src) && i.time < firstLife && capture.associations.get(i.association)?.established !== true);
  const lastRefusal = refusals.at(-1);
  if (lastRefusal !== undefined && lastRefusal.time > startAt) {
    startAt = lastRefusal.time;
    why += `; not before frame ${lastRefusal.frame}, where its kernel still refused an INIT`;
  }
  // Its first traffic on associations whose set-up the capture does not show: it was running
  // before the capture began; start it so that start-up is over at the capture's first frame.
  const first = capture.items.find((i) => i.time >= from && i.kind === 'message' && isRegistrarEndpoint(r, i.src) && i.transport === 'sctp');
  const firstAssoc = first?.association !== undefined ? capture.associations.get(first.association) : undefined;
  if (from === 0 && firstAssoc !== undefined && !firstAssoc.sawInit && first!.time - firstAssoc.start < 1000 && firstAssoc.start <= capture.items[0]!.time + 5000) {
    startAt = Math.min(startAt, -config.mentorDiscoveryTimeout);
    why = 'running before the capture began (its first associations are already established)';
  }
  startAt = Math.floor(startAt) - 1;
  return { startAt, why };
}
