/**
 * Who is who in a capture: which endpoints are registrars (PRs), which are PEs, PUs and peer PRs
 * talking to them. Decided from what each endpoint sends and receives, never from port numbers
 * alone (the 2007 demo capture uses ports 2001–2003 / 10001–10003).
 */
import type { Message } from '../../codecs/index.js';
import { REPLAY_ERR, ReplayError } from './errors.js';
import { endpointText, sameEndpoint, type Endpoint, type LoadedCapture, type TimedMessage } from './model.js';

/** ASAP messages only a registrar receives (from PEs and PUs). */
const TO_REGISTRAR = new Set(['registration', 'deregistration', 'handleResolution', 'endpointKeepAliveAck', 'endpointUnreachable']);
/** ASAP messages only a registrar sends. */
const FROM_REGISTRAR = new Set(['registrationResponse', 'deregistrationResponse', 'handleResolutionResponse', 'endpointKeepAlive', 'serverAnnounce']);

/** A registrar found in the capture. */
export interface RegistrarRole {
  /** Server ID, if the capture shows it (Keep-Alive, Presence, Handle Update home IDs). */
  serverId: number | undefined;
  /** Its ASAP endpoints (SCTP). */
  readonly asap: Endpoint[];
  /** Its ENRP endpoints (SCTP). */
  readonly enrp: Endpoint[];
  /** A short label: `PR 10.99.0.1:3863 ($7d5d9afa)`. */
  label: string;
}

/** The registrars of a capture and what every association is. */
export interface Roles {
  readonly registrars: RegistrarRole[];
}

const key = (e: Endpoint): string => endpointText(e);

/** Finds the registrars of a capture. Never throws; may return none. */
export function findRegistrars(capture: LoadedCapture): Roles {
  const asap = new Map<string, Endpoint>();
  const enrp = new Map<string, { endpoint: Endpoint; id: number }>();
  const asapIds = new Map<string, number>();
  const peHome = new Map<string, number>(); // PE ID → home, from ENRP PE parameters
  // ENRP speakers that answer or announce (List / Handle Table Responses, Handle Updates) are
  // registrars; one that only asks (rsplib's hsdump) is a client of the ENRP protocol.
  const enrpServing = new Set<string>();
  const announceIds = new Set<number>();
  for (const it of capture.items) {
    if (it.kind !== 'message' || it.message === undefined) continue;
    const m: Message = it.message;
    if (m.protocol === 'asap' && it.transport === 'sctp') {
      if (TO_REGISTRAR.has(m.type)) asap.set(key(it.dst), it.dst);
      if (FROM_REGISTRAR.has(m.type)) asap.set(key(it.src), it.src);
      if (m.type === 'endpointKeepAlive' && !m.flags.H) asapIds.set(key(it.src), m.serverId);
    }
    if (m.protocol === 'enrp' && it.transport === 'sctp') {
      // PP-5: the sender's identity is its Server Information ID, else the header's Sending ID.
      const id = m.type === 'presence' ? (m.serverInformation?.serverId ?? m.senderId) : m.senderId;
      if (id !== 0 && !enrp.has(key(it.src))) enrp.set(key(it.src), { endpoint: it.src, id });
      if (m.type === 'handleUpdate') peHome.set(`${m.poolElement.peId}`, m.poolElement.homeRegistrarId);
      if (m.type === 'listResponse' || m.type === 'handleTableResponse' || m.type === 'handleUpdate' || m.type === 'initTakeoverAck') enrpServing.add(key(it.src));
    }
    if (m.protocol === 'asap' && m.type === 'serverAnnounce') announceIds.add(m.serverId);
  }
  // An ASAP endpoint's ID: its Keep-Alives, else the home ID its PEs get in ENRP or in Handle
  // Resolution Responses, else the ENRP speaker on the same address.
  for (const it of capture.items) {
    if (it.kind !== 'message' || it.message?.protocol !== 'asap') continue;
    const m = it.message;
    // REG-2: a PE registered at this very endpoint has it as home; a resolution answer shows the ID.
    if (m.type === 'handleResolutionResponse' && asap.has(key(it.src)) && !asapIds.has(key(it.src))) {
      for (const pe of m.poolElements) {
        const registeredHere = capture.items.some(
          (y) => y.kind === 'message' && y.index < it.index && y.message?.protocol === 'asap' && y.message.type === 'registration' && y.message.poolElement.peId === pe.peId && key(y.dst) === key(it.src),
        );
        if (registeredHere && pe.homeRegistrarId !== 0) {
          asapIds.set(key(it.src), pe.homeRegistrarId);
          break;
        }
      }
    }
    if (m.type === 'registration' && asap.has(key(it.dst)) && !asapIds.has(key(it.dst))) {
      const home = peHome.get(`${m.poolElement.peId}`);
      if (home !== undefined && home !== 0) asapIds.set(key(it.dst), home);
    }
  }
  const registrars: RegistrarRole[] = [];
  const byId = new Map<number, RegistrarRole>();
  for (const [k, x] of enrp) if (!enrpServing.has(k)) enrp.delete(k);
  const anonymousAsap = [...asap.keys()].filter((k) => !asapIds.has(k));
  const enrpIds = new Set([...enrp.values()].map((x) => x.id));
  const unpairedEnrp = [...enrpIds].filter((id) => ![...asapIds.values()].includes(id));
  for (const [k, e] of asap) {
    let id = asapIds.get(k);
    if (id === undefined) {
      const same = [...enrp.values()].filter((x) => x.endpoint.ip === e.ip && x.endpoint.udpPort === e.udpPort);
      if (same.length === 1) id = same[0]!.id;
      // The only registrar announcing: its Server Announce ID.
      else if (anonymousAsap.length === 1 && announceIds.size === 1) id = [...announceIds][0];
      // One ASAP endpoint and one ENRP speaker left without partner: the same PR.
      else if (anonymousAsap.length === 1 && unpairedEnrp.length === 1) id = unpairedEnrp[0];
    }
    const existing = id !== undefined ? byId.get(id) : undefined;
    if (existing) {
      existing.asap.push(e);
      continue;
    }
    const r: RegistrarRole = { serverId: id, asap: [e], enrp: [], label: '' };
    registrars.push(r);
    if (id !== undefined) byId.set(id, r);
  }
  for (const { endpoint, id } of enrp.values()) {
    let r = byId.get(id);
    if (r === undefined) {
      r = { serverId: id, asap: [], enrp: [], label: '' };
      registrars.push(r);
      byId.set(id, r);
    }
    r.enrp.push(endpoint);
  }
  // One registrar without an ID: the UDP announces (ASAP Server Announce / ENRP Presence) tell it.
  const anonymous = registrars.filter((r) => r.serverId === undefined);
  if (anonymous.length === 1 && registrars.length === 1) {
    for (const it of capture.items) {
      if (it.kind !== 'message' || it.transport !== 'udp' || it.message === undefined) continue;
      const m = it.message;
      if (m.protocol === 'asap' && m.type === 'serverAnnounce') anonymous[0]!.serverId = m.serverId;
      if (m.protocol === 'enrp' && m.type === 'presence') anonymous[0]!.serverId = m.senderId;
      if (anonymous[0]!.serverId !== undefined) break;
    }
  }
  for (const r of registrars) r.label = labelOf(r);
  registrars.sort((a, b) => (a.asap[0] ?? a.enrp[0])!.ip.localeCompare((b.asap[0] ?? b.enrp[0])!.ip) || (a.serverId ?? 0) - (b.serverId ?? 0));
  return { registrars };
}

/** `PR 10.99.0.1:3863 ($7d5d9afa)`. */
export function labelOf(r: RegistrarRole): string {
  const where = r.asap[0] ?? r.enrp[0];
  const id = r.serverId !== undefined ? ` ($${r.serverId.toString(16).padStart(8, '0')})` : '';
  return `PR ${where ? endpointText(where) : '?'}${id}`;
}

/** Whether `e` is one of the registrar's endpoints. */
export function isRegistrarEndpoint(r: RegistrarRole, e: Endpoint): boolean {
  return r.asap.some((x) => sameEndpoint(x, e)) || r.enrp.some((x) => sameEndpoint(x, e));
}

/** The registrar a `--registrar ADDR[:PORT]` names. Throws {@link ReplayError} when none does. */
export function selectRegistrars(roles: Roles, spec: string | undefined): RegistrarRole[] {
  if (spec === undefined) {
    if (roles.registrars.length === 0) throw new ReplayError(REPLAY_ERR.noRegistrar, 'no registrar found in the capture (no registration, resolution or ENRP traffic)');
    return roles.registrars;
  }
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec) ?? /^([0-9a-fA-F:]+)$/.exec(spec);
  if (m === null || m[1] === undefined) throw new ReplayError(REPLAY_ERR.badOption, `--registrar ${JSON.stringify(spec)}: expected ADDR[:PORT]`);
  const ip = m[1];
  const port = m[2] !== undefined ? Number(m[2]) : undefined;
  const hit = roles.registrars.filter((r) => [...r.asap, ...r.enrp].some((e) => e.ip === ip && (port === undefined || e.port === port)));
  if (hit.length === 0) {
    const known = roles.registrars.map((r) => r.label).join(', ') || 'none';
    throw new ReplayError(REPLAY_ERR.unknownRegistrar, `--registrar ${spec}: no registrar there (found: ${known})`);
  }
  return hit;
}

/** Messages the registrar sent. */
export function sentBy(r: RegistrarRole, m: TimedMessage): boolean {
  return isRegistrarEndpoint(r, m.src);
}
