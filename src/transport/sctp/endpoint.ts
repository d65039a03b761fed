/**
 * An SCTP endpoint: many associations behind one packet input/output, demultiplexed by SCTP ports,
 * peer address and verification tag. Sans-IO — the driver ({@link UdpSctpTransport} or
 * {@link MemoryNetwork}) feeds packets in with {@link SctpEndpoint.receive}, runs timers with
 * {@link SctpEndpoint.tick} at {@link SctpEndpoint.nextDeadline}, and sends what `output` gets.
 *
 * The endpoint keeps no state for an association before the peer echoes a valid, signed state
 * cookie (RFC 9260 §5.1.3).
 */
import {
  Association,
  DEFAULT_ASSOCIATION_OPTIONS,
  type AssociationEvents,
  type AssociationHost,
  type AssociationOptions,
  type RemoteAddress,
} from './association.js';
import { buildInit, causeChunk, emptyChunk, encodeTlvs, parseInit, type InitChunk, type Tlv } from './chunks.js';
import { CAUSE, CHUNK, PARAM, T_BIT } from './constants.js';
import { decodeCookie, encodeCookie, type CookieState } from './cookie.js';
import { Emitter } from './emitter.js';
import { SCTP_ERR, SctpError } from './errors.js';
import { decodePacket, encodePacket, type RawChunk, type SctpPacket } from './packet.js';
import { nonZero, randomBytesFrom, systemRandom, type Random32 } from './random.js';

/** Endpoint configuration. */
export interface EndpointOptions {
  /** Milliseconds, monotonic. */
  readonly clock: () => number;
  /** Tags, TSNs, ports (seed it in tests). Default: the operating system's generator. */
  readonly random?: Random32;
  /** Key of the cookie HMAC; default 32 octets from `random`. */
  readonly secret?: Uint8Array;
  /** Most associations at once; INITs beyond it get ABORT (Out of Resource). Default 1024. */
  readonly maxAssociations?: number;
  /** Per-association tunables. */
  readonly association?: Partial<AssociationOptions>;
}

/** Where to connect. */
export interface ConnectOptions {
  /** Peer IP address (text). */
  readonly address: string;
  /** Peer UDP encapsulation port (RFC 6951; 9899 by default on the peer). */
  readonly udpPort: number;
  /** Peer SCTP port. */
  readonly sctpPort: number;
  /** Our SCTP port; an unused one from 49152–65535 when absent. */
  readonly localPort?: number;
}

/** Endpoint-wide events: every association event with the association first, plus `association` for new ones. */
export type EndpointEvents = {
  [K in keyof AssociationEvents]: [Association, ...AssociationEvents[K]];
} & {
  /** A packet was dropped before reaching an association (bad checksum, malformed, out of the blue). */
  dropped: [reason: string, from: RemoteAddress];
};

/** Endpoint counters. */
export interface EndpointStats {
  packetsIn: number;
  packetsOut: number;
  badChecksum: number;
  malformed: number;
  outOfTheBlue: number;
  associationsOpened: number;
  associationsRefused: number;
}

/** See the module comment. */
export class SctpEndpoint extends Emitter<EndpointEvents> {
  /** Counters. */
  readonly stats: EndpointStats = { packetsIn: 0, packetsOut: 0, badChecksum: 0, malformed: 0, outOfTheBlue: 0, associationsOpened: 0, associationsRefused: 0 };
  /** Set by the driver: sends one SCTP packet to `to`. */
  output: (packet: Uint8Array, to: RemoteAddress) => void = () => undefined;
  /** Set by the driver: called after an API call that may have changed timers or output. */
  wake: () => void = () => undefined;

  private readonly random: Random32;
  private readonly secret: Uint8Array;
  private readonly maxAssociations: number;
  private readonly assocOptions: AssociationOptions;
  private readonly byKey = new Map<string, Association>();
  private readonly listening = new Set<number>();
  private nextId = 1;
  private closedFlag = false;
  private readonly host: AssociationHost;

  constructor(private readonly options: EndpointOptions) {
    super();
    this.random = options.random ?? systemRandom;
    this.secret = options.secret ?? randomBytesFrom(this.random, 32);
    this.maxAssociations = options.maxAssociations ?? 1024;
    this.assocOptions = { ...DEFAULT_ASSOCIATION_OPTIONS, ...options.association };
    const self = this;
    this.host = {
      now: () => options.clock(),
      random: this.random,
      output: (packet, to) => self.send(packet, to),
      answerInit: (init, packet, from, existing) => self.answerInit(init, packet, from, existing),
      openCookie: (value, packet, from) => self.openCookie(value, packet, from),
      closed: (a) => self.forget(a),
      notify: (a, event, ...args) => self.emit(event, ...([a, ...args] as unknown as EndpointEvents[typeof event])),
    };
  }

  /** Accept associations on an SCTP port. */
  listen(sctpPort: number): void {
    this.checkPort(sctpPort);
    this.listening.add(sctpPort);
  }

  /** Stop accepting new associations on a port (existing ones live on). */
  unlisten(sctpPort: number): void {
    this.listening.delete(sctpPort);
  }

  /** Open associations (any state but closed). */
  associations(): Association[] {
    return [...this.byKey.values()];
  }

  /**
   * Starts an association (INIT). Listen for `up` / `down` on the result. Throws `…_TOO_MANY_ASSOCIATIONS`,
   * `…_ASSOCIATION_EXISTS` (same ports and peer), `…_ENDPOINT_CLOSED`, `…_BAD_OPTION`.
   */
  connect(to: ConnectOptions): Association {
    if (this.closedFlag) throw new SctpError(SCTP_ERR.closed, 'endpoint is closed');
    this.checkPort(to.sctpPort);
    if (!Number.isInteger(to.udpPort) || to.udpPort < 1 || to.udpPort > 65535) throw new SctpError(SCTP_ERR.badOption, `bad UDP port ${to.udpPort}`);
    if (this.byKey.size >= this.maxAssociations) throw new SctpError(SCTP_ERR.tooManyAssociations, `limit of ${this.maxAssociations} associations reached`);
    const localPort = to.localPort ?? this.ephemeralPort(to.address, to.sctpPort);
    this.checkPort(localPort);
    const key = keyOf(localPort, to.address, to.sctpPort);
    if (this.byKey.has(key)) throw new SctpError(SCTP_ERR.associationExists, `an association ${localPort} → ${to.address}:${to.sctpPort} exists`);
    const a = new Association(this.host, this.nextId++, localPort, to.sctpPort, { address: to.address, port: to.udpPort }, this.assocOptions);
    this.byKey.set(key, a);
    this.stats.associationsOpened++;
    a.connect();
    this.wake();
    return a;
  }

  /** Feeds one received SCTP packet (the UDP payload) from `from` (address and UDP source port). */
  receive(bytes: Uint8Array, from: RemoteAddress): void {
    if (this.closedFlag) return;
    this.stats.packetsIn++;
    let packet: SctpPacket;
    try {
      packet = decodePacket(bytes);
    } catch (e) {
      // §6.8: a packet with a bad checksum is silently discarded.
      if (e instanceof SctpError && e.code === SCTP_ERR.checksum) this.stats.badChecksum++;
      else this.stats.malformed++;
      this.emit('dropped', e instanceof SctpError ? e.code : 'malformed', from);
      return;
    }
    const a = this.byKey.get(keyOf(packet.dstPort, from.address, packet.srcPort));
    if (a !== undefined) a.receive(packet, from);
    else this.outOfTheBlue(packet, from);
    this.wake();
  }

  /** Earliest timer of any association (ms), or undefined. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const a of this.byKey.values()) {
      const d = a.nextDeadline();
      if (d !== undefined && (min === undefined || d < min)) min = d;
    }
    return min;
  }

  /** Runs every timer that is due now. */
  tick(): void {
    const now = this.options.clock();
    for (const a of [...this.byKey.values()]) {
      const d = a.nextDeadline();
      if (d !== undefined && d <= now) a.onTimer(now);
    }
  }

  /** Aborts every association and refuses further use. */
  close(reason = 'endpoint closed'): void {
    if (this.closedFlag) return;
    for (const a of [...this.byKey.values()]) a.abort(reason);
    this.closedFlag = true;
    this.listening.clear();
  }

  // ------------------------------------------------------------------------------------------

  private send(packet: Uint8Array, to: RemoteAddress): void {
    this.stats.packetsOut++;
    this.output(packet, to);
  }

  private reply(packet: SctpPacket, vtag: number, chunks: RawChunk[], to: RemoteAddress): void {
    this.send(encodePacket({ srcPort: packet.dstPort, dstPort: packet.srcPort, vtag, chunks }), to);
  }

  private forget(a: Association): void {
    const key = keyOf(a.localPort, a.remote.address, a.remotePort);
    if (this.byKey.get(key) === a) this.byKey.delete(key);
    else for (const [k, v] of this.byKey) if (v === a) this.byKey.delete(k);
  }

  private checkPort(p: number): void {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new SctpError(SCTP_ERR.badOption, `bad SCTP port ${p}`);
  }

  private ephemeralPort(address: string, remotePort: number): number {
    for (let i = 0; i < 1000; i++) {
      const p = 49152 + (this.random() % 16384);
      if (!this.listening.has(p) && !this.byKey.has(keyOf(p, address, remotePort))) return p;
    }
    throw new SctpError(SCTP_ERR.tooManyAssociations, 'no free SCTP port');
  }

  /** §8.4: packets that match no association. */
  private outOfTheBlue(packet: SctpPacket, from: RemoteAddress): void {
    const first = packet.chunks[0]!;
    switch (first.type) {
      case CHUNK.INIT: {
        if (packet.vtag !== 0 || packet.chunks.length > 1) return this.drop('INIT with bad tag or bundled', from);
        let init: InitChunk;
        try {
          init = parseInit(first.value);
        } catch {
          return this.drop('malformed INIT', from);
        }
        if (!this.listening.has(packet.dstPort)) {
          // Nobody listens: ABORT carrying the INIT's Initiate Tag with the T bit clear (§8.4 rule 3:
          // the tag is the peer's own, not reflected); with T set a Linux peer drops it and retries.
          if (init.initiateTag !== 0) this.reply(packet, init.initiateTag, [emptyChunk(CHUNK.ABORT, 0)], from);
          return this.drop('INIT to a port nobody listens on', from);
        }
        this.answerInit(init, packet, from, undefined);
        return;
      }
      case CHUNK.COOKIE_ECHO: {
        const cookie = this.openCookie(first.value, packet, from);
        if (cookie === undefined || packet.vtag !== cookie.myTag) return this.drop('invalid or stale cookie', from);
        if (!this.listening.has(packet.dstPort)) return this.drop('COOKIE ECHO to a port nobody listens on', from);
        if (this.byKey.size >= this.maxAssociations) {
          this.stats.associationsRefused++;
          this.reply(packet, cookie.peerTag, [causeChunk(CHUNK.ABORT, 0, [{ type: CAUSE.OUT_OF_RESOURCE, value: new Uint8Array(0) }])], from);
          return this.drop('association limit reached', from);
        }
        const a = new Association(this.host, this.nextId++, packet.dstPort, packet.srcPort, from, this.assocOptions);
        this.byKey.set(keyOf(packet.dstPort, from.address, packet.srcPort), a);
        this.stats.associationsOpened++;
        a.establishFromCookie(cookie, false);
        // Chunks bundled after the COOKIE ECHO (DATA) belong to the new association.
        if (packet.chunks.length > 1) a.receive({ ...packet, chunks: packet.chunks.slice(1) }, from);
        return;
      }
      case CHUNK.ABORT:
      case CHUNK.SHUTDOWN_COMPLETE:
      case CHUNK.COOKIE_ACK:
      case CHUNK.ERROR:
        return this.drop('out of the blue', from);
      case CHUNK.SHUTDOWN_ACK:
        // §8.4 rule 5: answer with SHUTDOWN COMPLETE, T bit set, the packet's own tag.
        this.reply(packet, packet.vtag, [emptyChunk(CHUNK.SHUTDOWN_COMPLETE, T_BIT)], from);
        return this.drop('out of the blue SHUTDOWN ACK', from);
      default:
        // §8.4 rule 8: anything else gets an ABORT with the T bit.
        this.reply(packet, packet.vtag, [emptyChunk(CHUNK.ABORT, T_BIT)], from);
        return this.drop('out of the blue', from);
    }
  }

  private drop(reason: string, from: RemoteAddress): void {
    this.stats.outOfTheBlue++;
    this.emit('dropped', reason, from);
  }

  /**
   * Answers an INIT with INIT ACK and a signed cookie (§5.1 B). With an association in COOKIE-WAIT or
   * COOKIE-ECHOED the original tag and TSN are reused (§5.2.1); in any other state new ones are
   * drawn and the current tags go into the cookie as tie-tags (§5.2.2).
   */
  private answerInit(init: InitChunk, packet: SctpPacket, from: RemoteAddress, existing: Association | undefined): void {
    const o = this.assocOptions;
    // §3.3.2: a zero Initiate Tag, OS or MIS is invalid; answer with ABORT.
    if (init.initiateTag === 0 || init.outboundStreams === 0 || init.inboundStreams === 0) {
      const tag = init.initiateTag !== 0 ? init.initiateTag : packet.vtag;
      this.reply(packet, tag, [causeChunk(CHUNK.ABORT, init.initiateTag === 0 ? T_BIT : 0, [{ type: CAUSE.INVALID_PARAMETER, value: new Uint8Array(0) }])], from);
      return;
    }
    if (existing === undefined && this.byKey.size >= this.maxAssociations) {
      this.stats.associationsRefused++;
      this.reply(packet, init.initiateTag, [causeChunk(CHUNK.ABORT, 0, [{ type: CAUSE.OUT_OF_RESOURCE, value: new Uint8Array(0) }])], from);
      return;
    }
    // §3.2.1: unknown parameters are skipped or reported according to their two high bits.
    const unrecognized: Tlv[] = [];
    const addresses: Tlv[] = [];
    for (const p of init.params) {
      if (p.type === PARAM.IPV4 || p.type === PARAM.IPV6) addresses.push(p);
      else if (p.type === PARAM.COOKIE_PRESERVATIVE || p.type === PARAM.SUPPORTED_ADDRESS_TYPES || p.type === PARAM.HOST_NAME) continue;
      else {
        const action = p.type >> 14;
        if (action === 1 || action === 3) unrecognized.push({ type: PARAM.UNRECOGNIZED, value: encodeTlvs([p]) });
        if (action < 2) break;
      }
    }
    const reuse = existing !== undefined && (existing.state === 'cookieWait' || existing.state === 'cookieEchoed');
    const myTag = reuse ? existing.myTag : nonZero(this.random);
    const myInitialTsn = reuse ? existing.initialTsn : this.random();
    const tie = existing !== undefined && !reuse;
    const cookie: CookieState = {
      myTag,
      peerTag: init.initiateTag,
      myInitialTsn,
      peerInitialTsn: init.initialTsn,
      peerRwnd: init.aRwnd,
      outboundStreams: Math.min(o.outboundStreams, init.inboundStreams),
      inboundStreams: Math.min(o.inboundStreams, init.outboundStreams),
      localTieTag: tie ? existing.myTag : 0,
      peerTieTag: tie ? existing.peerTag : 0,
      created: this.options.clock(),
      lifetime: o.cookieLifetime,
      localPort: packet.dstPort,
      remotePort: packet.srcPort,
      peerAddressParams: addresses,
    };
    const ack = buildInit(true, {
      initiateTag: myTag,
      aRwnd: o.receiveBuffer,
      outboundStreams: o.outboundStreams,
      inboundStreams: o.inboundStreams,
      initialTsn: myInitialTsn,
      params: [{ type: PARAM.STATE_COOKIE, value: encodeCookie(this.secret, cookie) }, ...unrecognized],
    });
    this.reply(packet, init.initiateTag, [ack], from);
  }

  /** §5.1.5: integrity (HMAC) and age of a returned cookie; stale ones are answered with ERROR (Stale Cookie). */
  private openCookie(value: Uint8Array, packet: SctpPacket, from: RemoteAddress): CookieState | undefined {
    const cookie = decodeCookie(this.secret, value);
    if (cookie === undefined || cookie.localPort !== packet.dstPort || cookie.remotePort !== packet.srcPort) return undefined;
    const age = this.options.clock() - cookie.created;
    if (age > cookie.lifetime) {
      const v = new Uint8Array(4);
      new DataView(v.buffer).setUint32(0, Math.min(0xffffffff, Math.round((age - cookie.lifetime) * 1000)));
      this.reply(packet, cookie.peerTag, [causeChunk(CHUNK.ERROR, 0, [{ type: CAUSE.STALE_COOKIE, value: v }])], from);
      return undefined;
    }
    return cookie;
  }
}

function keyOf(localPort: number, address: string, remotePort: number): string {
  return `${localPort}|${address}|${remotePort}`;
}
