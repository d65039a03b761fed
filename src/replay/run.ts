/**
 * One replay run: the captured registrar's inputs go into the reference in capture order and
 * timing; its own outputs are noted with a snapshot of the reference's state at that moment.
 */
import { PPID, type Address, type AsapMessage, type EnrpMessage } from '../../codecs/index.js';
import type { RegistrarEvent } from '../registrar/index.js';
import type { InferredConfig } from './infer-config.js';
import { liftLegacy } from './legacy.js';
import { sameEndpoint, type AssociationInstance, type Endpoint, type LoadedCapture, type TimedControl, type TimedMessage } from './model.js';
import { ReferenceOracle, type ReferenceOutput } from './oracle.js';
import { isRegistrarEndpoint, type RegistrarRole } from './roles.js';

/** A pool as the reference saw it when a resolution came in (to judge random policies). */
export interface PoolSnapshot {
  readonly policy: string;
  readonly members: ReadonlyArray<{ readonly peId: number; readonly load: number; readonly priority: number; readonly weight: number }>;
}

/** A message the captured registrar received, and what the reference did with it. */
export interface InputRecord {
  readonly item: TimedMessage;
  readonly outputs: readonly ReferenceOutput[];
  readonly pool: PoolSnapshot | undefined;
}

/** Something the captured registrar sent (or an ABORT it sent), with the reference's view then. */
export interface Observation {
  readonly item: TimedMessage | TimedControl;
  /** The reference's own PE checksum at that moment (CK-1). */
  readonly referenceChecksum: number;
  /** The reference's PE IDs per pool handle (hex) at that moment, for PEs named in the item. */
  readonly referenceHas: ReadonlySet<string>;
}

/** Everything a comparison needs. */
export interface RunResult {
  readonly registrar: RegistrarRole;
  readonly inferred: InferredConfig;
  readonly inputs: InputRecord[];
  readonly observations: Observation[];
  readonly outputs: readonly ReferenceOutput[];
  /** Where the comparison ends: the registrar's end of life if the capture shows it, else the capture's end. */
  readonly end: number;
  /**
   * When the captured registrar's process ended, if the capture shows it: a burst of ABORTs from
   * it on every association with nothing sent after (the scenario stopping it). Not a protocol
   * action, so the reference is not asked to match it.
   */
  readonly registrarEnd: { readonly time: number; readonly frames: readonly number[] } | undefined;
  readonly capture: LoadedCapture;
  /** The life replayed, and where the reference started. */
  readonly life: Life;
  readonly startAt: number;
  /** Peer endpoints (ENRP) by server ID, as learned from the capture. */
  readonly peerEndpoints: ReadonlyMap<number, Endpoint[]>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const address = (ip: string): Address => (ip.includes(':') ? { family: 'ipv6', address: ip } : { family: 'ipv4', address: ip });

/** `pool/peId` keys of the PEs a message names. */
function namedPes(m: TimedMessage): string[] {
  const x = m.message;
  if (x === undefined) return [];
  if (x.protocol === 'asap') {
    if ('peId' in x && x.peId !== undefined && 'poolHandle' in x) return [`${hex(x.poolHandle)}/${x.peId}`];
    if (x.type === 'handleResolutionResponse') return x.poolElements.map((e) => `${hex(x.poolHandle)}/${e.peId}`);
    return [];
  }
  if (x.type === 'handleUpdate') return [`${hex(x.poolHandle)}/${x.poolElement.peId}`];
  if (x.type === 'handleTableResponse') return x.pools.flatMap((p) => p.poolElements.map((e) => `${hex(p.poolHandle)}/${e.peId}`));
  return [];
}

/** Runs the reference against registrar `r` of `capture`, over one of its lives (default: the first). */
export function runReplay(capture: LoadedCapture, r: RegistrarRole, inferred: InferredConfig, life: Life = findLives(capture, r)[0]!, startAt = inferred.startAt): RunResult {
  const oracle = new ReferenceOracle(inferred.config, startAt);
  const reg = oracle.registrar;
  const inputs: InputRecord[] = [];
  const observations: Observation[] = [];
  const up = new Set<number>();
  const down = new Set<number>();
  const peerEndpoints = new Map<number, Endpoint[]>();
  const ownId = inferred.config.serverId;
  const associationOf = (id: number | undefined): AssociationInstance | undefined => (id === undefined ? undefined : capture.associations.get(id));
  const otherSide = (a: AssociationInstance): { endpoint: Endpoint; addresses: Set<string> } =>
    isRegistrarEndpoint(r, a.initiator) ? { endpoint: a.responder, addresses: a.responderAddresses } : { endpoint: a.initiator, addresses: a.initiatorAddresses };
  const observe = (item: TimedMessage | TimedControl): void => {
    oracle.advance(item.time);
    const has = new Set<string>();
    if (item.kind === 'message') {
      for (const k of namedPes(item)) {
        const [h, id] = k.split('/');
        if (reg.handlespace.find(new Uint8Array(Buffer.from(h!, 'hex')), Number(id)) !== undefined) has.add(k);
      }
    }
    observations.push({ item, referenceChecksum: reg.handlespace.ownershipChecksum(ownId), referenceHas: has });
  };
  const bringUp = (a: AssociationInstance, protocol: 'asap' | 'enrp', time: number, index: number): void => {
    if (up.has(a.id)) return;
    up.add(a.id);
    const o = otherSide(a);
    const event: RegistrarEvent = { kind: 'associationUp', association: a.id, protocol, peerAddresses: [...o.addresses].map(address), peerPort: o.endpoint.port };
    oracle.feed(time, event, index);
  };
  const registrarEnd = life.end;
  const strangers = unknownToRegistrar(capture, r);
  for (const item of capture.items) {
    if (item.time < startAt || item.time < life.from) continue;
    if (registrarEnd !== undefined && item.time >= registrarEnd.time) break;
    // T-1 / RFC 9260 §8.4: packets on an association the registrar's stack did not know never
    // reached the registrar, and its ABORT answering them is its stack's, not a protocol action.
    if (item.association !== undefined && strangers.has(item.association)) continue;
    const fromR = isRegistrarEndpoint(r, item.src);
    const toR = isRegistrarEndpoint(r, item.dst);
    if (item.kind === 'control') {
      const a = associationOf(item.association);
      if (a === undefined || !(fromR || toR)) continue;
      // An ABORT answering an INIT nobody listened for is the kernel's, not the registrar's.
      if (fromR && item.chunk === 'abort' && a.established) observe(item);
      // T-4: the association's end reaches the registrar as an event (once).
      if ((item.chunk === 'abort' || item.chunk === 'shutdown' || item.chunk === 'shutdownComplete') && up.has(a.id) && !down.has(a.id)) {
        down.add(a.id);
        oracle.feed(item.time, { kind: 'associationDown', association: a.id }, item.index);
      }
      continue;
    }
    const x = item.message;
    if (x?.protocol === 'enrp' && x.type === 'presence' && item.transport === 'sctp') {
      const id = x.serverInformation?.serverId ?? x.senderId;
      const l = peerEndpoints.get(id) ?? [];
      if (!l.some((e) => sameEndpoint(e, item.src))) l.push(item.src);
      peerEndpoints.set(id, l);
    }
    if (fromR) {
      observe(item);
      continue;
    }
    if (item.transport === 'udp') {
      // T-2: multicast ENRP Presence of other PRs reaches the registrar's announce socket.
      if (item.protocol === 'enrp' && x !== undefined && x.protocol === 'enrp' && x.senderId !== ownId) {
        const records = oracle.feed(item.time, { kind: 'announce', source: address(item.src.ip), message: liftLegacy(x) as EnrpMessage }, item.index);
        inputs.push({ item, outputs: records, pool: undefined });
      }
      continue;
    }
    if (!toR) continue;
    const a = associationOf(item.association);
    if (a === undefined) continue;
    bringUp(a, item.protocol, item.time, item.index);
    if (down.has(a.id)) continue;
    let pool: PoolSnapshot | undefined;
    if (x?.protocol === 'asap' && x.type === 'handleResolution') {
      const p = reg.handlespace.findPool(x.poolHandle);
      if (p !== undefined) {
        const members: Array<PoolSnapshot['members'][number]> = [];
        for (let n = p.index.first(); n !== null; n = p.index.next(n)) members.push({ peId: n.item.peId, load: n.item.load, priority: n.item.priority, weight: n.item.weight });
        pool = { policy: p.policy.name, members };
      }
    }
    // Legacy messages go in lifted (decoded); RFC ones as raw octets, so the reference's own
    // decoder and its error answers (ER-3) are exercised too.
    const ppid = item.ppid === PPID.legacyAsap ? PPID.asap : item.ppid === PPID.legacyEnrp ? PPID.enrp : item.ppid;
    const payload = item.legacy && x !== undefined ? liftLegacy(x) : item.bytes;
    const event: RegistrarEvent =
      item.protocol === 'asap'
        ? { kind: 'asap', association: a.id, message: payload as AsapMessage | Uint8Array, ...(ppid !== undefined ? { ppid } : {}) }
        : { kind: 'enrp', association: a.id, message: payload as EnrpMessage | Uint8Array, ...(ppid !== undefined ? { ppid } : {}) };
    inputs.push({ item, outputs: oracle.feed(item.time, event, item.index), pool });
  }
  const end = registrarEnd?.time ?? capture.duration;
  oracle.advance(end);
  return { registrar: r, inferred, inputs, observations, outputs: oracle.outputs, end, registrarEnd, capture, life, startAt, peerEndpoints };
}

/** How soon an SCTP stack answers an out-of-the-blue packet with ABORT (same packet turn-around), ms. */
const OOTB_ANSWER_MS = 100;

/**
 * Associations the registrar's SCTP stack did not know (RFC 9260 §8.4, out-of-the-blue packets):
 * their set-up is not in the capture, the peer sent on them, and the registrar's only word on them
 * is an ABORT answering at once. Seen when a registrar restarts on the same UDP socket (SCTP over
 * UDP) and its peers still use the associations of the process before.
 */
export function unknownToRegistrar(capture: LoadedCapture, r: RegistrarRole): Set<number> {
  const byAssociation = new Map<number, Array<TimedMessage | TimedControl>>();
  for (const it of capture.items) {
    if (it.association === undefined) continue;
    const l = byAssociation.get(it.association);
    if (l) l.push(it);
    else byAssociation.set(it.association, [it]);
  }
  const out = new Set<number>();
  for (const [id, items] of byAssociation) {
    const a = capture.associations.get(id);
    if (a === undefined || a.sawInit) continue;
    const own = items.filter((i) => isRegistrarEndpoint(r, i.src));
    if (own.length !== 1 || own[0]!.kind !== 'control' || own[0]!.chunk !== 'abort') continue;
    const abort = own[0]!;
    const before = items.filter((i) => i.index < abort.index);
    const after = items.filter((i) => i.index > abort.index);
    if (before.length === 0 || after.length > 0 || !before.every((i) => isRegistrarEndpoint(r, i.dst) && abort.time - i.time <= OOTB_ANSWER_MS)) continue;
    out.add(id);
  }
  return out;
}

/** One life of the captured registrar process: from (re)start to the end the capture shows. */
export interface Life {
  /** Capture time from which its inputs count. */
  readonly from: number;
  /** Its end: a burst of association ends from the registrar with silence after, if shown. */
  readonly end: { readonly time: number; readonly frames: readonly number[] } | undefined;
}

/**
 * Splits the capture into the registrar's lives. A process end shows as two or more
 * association ends (ABORT or SHUTDOWN) sent by the registrar within a second, with nothing sent
 * by it for at least two seconds after (or ever again).
 */
export function findLives(capture: LoadedCapture, r: RegistrarRole): Life[] {
  const own = capture.items.filter((it) => it.kind === 'message' && isRegistrarEndpoint(r, it.src) && it.transport === 'sctp').map((it) => it.time);
  const ends = capture.items.filter(
    (it): it is TimedControl =>
      it.kind === 'control' && (it.chunk === 'abort' || it.chunk === 'shutdown') && isRegistrarEndpoint(r, it.src) && capture.associations.get(it.association)?.established === true,
  );
  const lives: Life[] = [];
  let from = 0;
  for (let i = 0; i < ends.length; ) {
    const burst = [ends[i]!];
    let j = i + 1;
    while (j < ends.length && ends[j]!.time - burst[0]!.time <= 1000) burst.push(ends[j++]!);
    const last = burst[burst.length - 1]!.time;
    const before = own.filter((t) => t >= burst[0]!.time && t <= last).length;
    const next = own.find((t) => t > last);
    if (burst.length >= 2 && before === 0 && (next === undefined || next - last >= 2000)) {
      lives.push({ from, end: { time: burst[0]!.time, frames: burst.map((b) => b.frame) } });
      from = last + 1;
      if (next === undefined) return lives;
    }
    i = j;
  }
  lives.push({ from, end: undefined });
  return lives;
}
