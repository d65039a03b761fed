/**
 * The reference registrar: a sans-IO state machine. `handle(event)` returns the actions the
 * driver must carry out; nothing here touches sockets or real timers, and the clock is injected.
 */
import { PPID, type AsapMessage, type EnrpMessage, type TransportParameter } from '../../codecs/index.js';
import { handleAsap, runPeTimer } from './asap.js';
import { type RegistrarConfig } from './config.js';
import { RegistrarCore } from './core.js';
import { endStartup, handleEnrp, type EnrpOrigin } from './enrp.js';
import { decodeOrAnswer, reportSkipped } from './errors.js';
import type { RegistrarAction, RegistrarEvent } from './events.js';
import { addPeer, checkPeers, peerCheckAt, sendPresenceToAll } from './peers.js';
import { expireTakeovers } from './takeover.js';
import type { Handlespace } from '../handlespace/index.js';

/** A registrar of one operation scope. */
export class Registrar {
  private readonly core: RegistrarCore;
  private requestedTimer = Number.POSITIVE_INFINITY;
  private started = false;

  /** @param clock the injected clock, in milliseconds. */
  constructor(config: RegistrarConfig, clock: () => number) {
    this.core = new RegistrarCore(config, clock);
  }

  /** This PR's server ID. */
  get id(): number {
    return this.core.id;
  }

  /** The configuration in force. */
  get config(): RegistrarConfig {
    return this.core.config;
  }

  /** The handlespace copy (read it; change it only through events). */
  get handlespace(): Handlespace {
    return this.core.handlespace;
  }

  /** Server IDs in the peer table. */
  peerIds(): number[] {
    return [...this.core.peers.keys()].sort((a, b) => a - b);
  }

  /**
   * The ENRP transport a peer named in its Server Information (Presence, List Response; PP-5,
   * LS-1), if one arrived: where a driver can reach a peer it has no association with.
   */
  peerTransport(id: number): TransportParameter | undefined {
    return this.core.peers.get(id)?.serverInformation?.transport;
  }

  /** Targets of the takeovers this PR is running. */
  takeoverTargets(): number[] {
    return [...this.core.takeovers.keys()];
  }

  /** Whether the ENRP start-up phase (ST-2) is still running. */
  get inStartup(): boolean {
    return this.core.startupEndsAt !== undefined;
  }

  /** Open associations known to the registrar. */
  isOpen(association: number): boolean {
    return this.core.associations.has(association);
  }

  /** ST-2: begins the start-up phase; static peers are entered (PP-2). Call once, first. */
  start(): RegistrarAction[] {
    return this.run(() => {
      const core = this.core;
      this.started = true;
      for (const id of core.config.staticPeers) if (id !== 0 && id !== core.id) addPeer(core, id, false);
      core.startupEndsAt = core.now() + core.config.mentorDiscoveryTimeout;
    });
  }

  /** Handles one event and returns the actions it causes. Never throws on bad input. */
  handle(event: RegistrarEvent): RegistrarAction[] {
    return this.run(() => {
      if (!this.started) {
        this.started = true;
        this.core.startupEndsAt = this.core.now() + this.core.config.mentorDiscoveryTimeout;
      }
      this.dispatch(event);
    });
  }

  private run(body: () => void): RegistrarAction[] {
    const core = this.core;
    core.actions = [];
    try {
      body();
      this.runTimers();
    } catch (e) {
      // A bug must not take the registrar down for everyone: report it and go on.
      core.log('error', 'internal.error', undefined, { message: e instanceof Error ? e.message : String(e) });
    }
    const actions = this.filterClosed(core.actions);
    const next = this.nextDue();
    if (next !== this.requestedTimer) {
      this.requestedTimer = next;
      if (Number.isFinite(next)) actions.push({ kind: 'timer', at: next });
    }
    core.actions = [];
    return actions;
  }

  /** Nothing is ever sent on an association that is closed (the property of issue #5). */
  private filterClosed(actions: RegistrarAction[]): RegistrarAction[] {
    const out: RegistrarAction[] = [];
    const aborted = new Set<number>();
    for (const a of actions) {
      if (a.kind === 'abort') aborted.add(a.association);
      if (a.kind === 'send' && (!this.core.associations.has(a.association) || aborted.has(a.association))) {
        out.push({ kind: 'log', level: 'error', event: 'send.closedAssociation', detail: { association: a.association } });
        continue;
      }
      out.push(a);
    }
    return out;
  }

  private dispatch(event: RegistrarEvent): void {
    const core = this.core;
    switch (event.kind) {
      case 'associationUp':
        core.associations.set(event.association, {
          protocol: event.protocol,
          peerAddresses: event.peerAddresses,
          peerPort: event.peerPort,
          malformed: 0,
        });
        return;
      case 'associationDown':
        this.closeAssociation(event.association, 'down');
        return;
      case 'asap': {
        const a = this.ensureAssociation(event.association, 'asap');
        // T-3: ENRP's PPID on the ASAP socket aborts the association; other foreign PPIDs are ignored.
        if (event.ppid !== undefined && event.ppid !== PPID.asap) {
          if (event.ppid === PPID.enrp) this.abort(event.association, 'ENRP PPID on ASAP association');
          return;
        }
        let message: AsapMessage;
        let result;
        if (event.message instanceof Uint8Array) {
          const d = decodeOrAnswer(core, 'asap', event.message, event.association);
          if (!d.ok) return this.malformed(event.association, a);
          if (d.message.protocol !== 'asap') return;
          message = d.message;
          result = d.result;
        } else message = event.message;
        handleAsap(core, event.association, message);
        reportSkipped(core, 'asap', result, event.association);
        return;
      }
      case 'enrp':
      case 'announce': {
        let origin: EnrpOrigin;
        if (event.kind === 'enrp') {
          const a = this.ensureAssociation(event.association, 'enrp');
          if (event.ppid !== undefined && event.ppid !== PPID.enrp) {
            if (event.ppid === PPID.asap) this.abort(event.association, 'ASAP PPID on ENRP association');
            return;
          }
          origin = { via: 'sctp', association: event.association };
          if (event.message instanceof Uint8Array) {
            const d = decodeOrAnswer(core, 'enrp', event.message, event.association);
            if (!d.ok) return this.malformed(event.association, a);
            if (d.message.protocol !== 'enrp') return;
            handleEnrp(core, origin, d.message);
            reportSkipped(core, 'enrp', d.result, event.association);
            return;
          }
        } else origin = { via: 'udp' };
        let message: EnrpMessage;
        if (event.message instanceof Uint8Array) {
          const d = decodeOrAnswer(core, 'enrp', event.message, undefined);
          if (!d.ok || d.message.protocol !== 'enrp') return;
          message = d.message;
        } else message = event.message;
        handleEnrp(core, origin, message);
        return;
      }
      case 'time':
        return;
    }
  }

  private ensureAssociation(association: number, protocol: 'asap' | 'enrp') {
    let a = this.core.associations.get(association);
    if (a === undefined) {
      // A message on an association we never saw come up: serve it, with no known addresses.
      a = { protocol, peerAddresses: [], peerPort: 0, malformed: 0 };
      this.core.associations.set(association, a);
    }
    return a;
  }

  private malformed(association: number, a: { malformed: number }): void {
    a.malformed++;
    const limit = this.core.config.abortAfterMalformed;
    if (limit > 0 && a.malformed >= limit) this.abort(association, 'too many malformed messages');
  }

  /** Aborts an association and treats it as gone at once (T-4 applies). */
  private abort(association: number, reason: string): void {
    if (!this.core.associations.has(association)) return;
    this.core.emit({ kind: 'abort', association, reason });
    this.closeAssociation(association, reason);
  }

  /** T-4: the PEs registered over a closed association are gone, with DEL_PE for own ones. */
  private closeAssociation(association: number, reason: string): void {
    const core = this.core;
    if (!core.associations.delete(association)) return;
    const hs = core.handlespace;
    const gone = [];
    for (let e = hs.firstOfAssociation(association); e !== null; e = hs.nextOfAssociation(e)) gone.push(e);
    for (const e of gone) core.removePe(e, `association ${reason}`, 'T-4', e.homeRegistrarId === core.id);
  }

  private runTimers(): void {
    const core = this.core;
    const now = core.now();
    const hs = core.handlespace;
    // Bounded so a burst of due PE timers cannot starve the other timers in one pass.
    for (let e = hs.nextTimer(); e !== null && e.timerAt <= now; e = hs.nextTimer()) {
      runPeTimer(core, e, (association, reason) => this.abort(association, reason));
    }
    if (core.startupEndsAt !== undefined && core.startupEndsAt <= now) endStartup(core);
    if (core.nextPresenceAt !== undefined && core.nextPresenceAt <= now) {
      sendPresenceToAll(core); // PP-1
      core.nextPresenceAt = now + core.jitter(core.config.peerHeartbeatCycle);
    }
    if (core.nextAnnounceAt !== undefined && core.nextAnnounceAt <= now) {
      // SA-1: Server Announce with the server ID only; receivers use the UDP source.
      core.emit({ kind: 'multicast', message: { protocol: 'asap', type: 'serverAnnounce', serverId: core.id, transports: [] } });
      core.nextAnnounceAt = now + core.jitter(core.config.serverAnnounceCycle);
    }
    checkPeers(core);
    expireTakeovers(core);
  }

  private nextDue(): number {
    const core = this.core;
    let next = Number.POSITIVE_INFINITY;
    const e = core.handlespace.nextTimer();
    if (e !== null) next = e.timerAt;
    for (const t of [core.startupEndsAt, core.nextPresenceAt, core.nextAnnounceAt]) if (t !== undefined && t < next) next = t;
    for (const p of core.peers.values()) next = Math.min(next, peerCheckAt(core, p));
    for (const t of core.takeovers.values()) next = Math.min(next, t.expiresAt);
    return next;
  }
}
