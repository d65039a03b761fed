/**
 * One SCTP association: the state machine of RFC 9260 §4 without any I/O. Packets come in through
 * {@link Association.receive}, time moves through {@link Association.onTimer}, and everything that
 * goes out is handed to the {@link AssociationHost} (the endpoint), which owns the socket.
 *
 * Single-homed on purpose: address parameters the peer lists are recorded in
 * {@link Association.peerAddresses} but every packet goes to the address and UDP port the peer's
 * packets come from (RFC 6951 §5.4 learning of the remote encapsulation port).
 */
import {
  addressParams,
  buildData,
  buildInit,
  buildSack,
  causeChunk,
  emptyChunk,
  parseData,
  parseInit,
  parseSack,
  parseTlvs,
  readU32,
  u32,
  type InitChunk,
  type SackChunk,
  type Tlv,
} from './chunks.js';
import { CAUSE, CHUNK, COMMON_HEADER, DATA_HEADER, PARAM, T_BIT } from './constants.js';
import type { CookieState } from './cookie.js';
import { Emitter } from './emitter.js';
import { SCTP_ERR, SctpError } from './errors.js';
import { chunkWireSize, encodePacket, type RawChunk, type SctpPacket } from './packet.js';
import { nonZero, type Random32 } from './random.js';
import { ReceiveBuffer, type ReceivedMessage } from './reassembly.js';
import { RtoEstimator, type RtoOptions } from './rto.js';
import { tsnAdd, tsnLe, tsnLt } from './serial.js';

/** Association states (RFC 9260 §4). */
export type AssociationState =
  | 'closed'
  | 'cookieWait'
  | 'cookieEchoed'
  | 'established'
  | 'shutdownPending'
  | 'shutdownSent'
  | 'shutdownReceived'
  | 'shutdownAckSent';

/** Where packets go: an IP address and the peer's UDP encapsulation port. */
export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
}

/** Tunables of one association; defaults in {@link DEFAULT_ASSOCIATION_OPTIONS}. */
export interface AssociationOptions {
  /** Largest SCTP packet, octets (common header and chunks; UDP/IP headers excluded). */
  readonly mtu: number;
  /** RTO.Initial / RTO.Min / RTO.Max, ms (RFC 9260 §16). */
  readonly rto: RtoOptions;
  /** Max.Init.Retransmits (RFC 9260 §16: 8). */
  readonly maxInitRetransmits: number;
  /** Association.Max.Retrans (RFC 9260 §16: 10). */
  readonly maxRetransmits: number;
  /** HB.interval, ms (RFC 9260 §16: 30 s); 0 turns heartbeats off. */
  readonly heartbeatInterval: number;
  /** Longest delay of a SACK, ms (RFC 9260 §6.2: at most 500 ms; 200 ms usual). */
  readonly sackDelay: number;
  /** Receive buffer, octets (the a_rwnd advertised when empty). */
  readonly receiveBuffer: number;
  /** Most octets queued for sending or awaiting acknowledgement. */
  readonly maxBufferedBytes: number;
  /** Largest user message, octets. */
  readonly maxMessageSize: number;
  /** Outbound streams asked for (OS). */
  readonly outboundStreams: number;
  /** Inbound streams accepted (MIS). */
  readonly inboundStreams: number;
  /** Valid.Cookie.Life, ms (RFC 9260 §16: 60 s). */
  readonly cookieLifetime: number;
}

/** The RFC 9260 §16 values, with a 1200-octet packet that fits every path inside UDP. */
export const DEFAULT_ASSOCIATION_OPTIONS: AssociationOptions = Object.freeze({
  mtu: 1200,
  rto: Object.freeze({ initial: 1000, min: 1000, max: 60_000 }),
  maxInitRetransmits: 8,
  maxRetransmits: 10,
  heartbeatInterval: 30_000,
  sackDelay: 200,
  receiveBuffer: 1 << 20,
  maxBufferedBytes: 4 << 20,
  maxMessageSize: 1 << 20,
  outboundStreams: 16,
  inboundStreams: 16,
  cookieLifetime: 60_000,
});

/** A user message as delivered. */
export interface SctpMessage {
  readonly streamId: number;
  readonly ppid: number;
  readonly bytes: Uint8Array;
  readonly unordered: boolean;
}

/** Why an association went down. */
export interface DownInfo {
  /** `shutdown`: graceful; `abort`: we aborted; `peerAbort`: the peer did; `timeout`: unreachable. */
  readonly reason: 'shutdown' | 'abort' | 'peerAbort' | 'timeout' | 'closed';
  /** Error causes of a received ABORT, or our abort reason. */
  readonly detail?: string;
}

/** Counters of one association. */
export interface AssociationStats {
  packetsSent: number;
  packetsReceived: number;
  dataChunksSent: number;
  dataChunksReceived: number;
  retransmissions: number;
  fastRetransmits: number;
  t3Expiries: number;
  duplicateTsnsReceived: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  heartbeatsSent: number;
  errorsReceived: number;
}

/** Association events. */
export type AssociationEvents = {
  up: [];
  down: [DownInfo];
  restart: [];
  message: [SctpMessage];
  /** Causes of a received ERROR chunk (RFC 9260 §3.3.10), as `code` numbers. */
  error: [readonly number[]];
  /** Buffered octets fell to half of `maxBufferedBytes` or less after a send was refused or the buffer filled up. */
  drain: [];
};

/** What the association needs from its endpoint. */
export interface AssociationHost {
  now(): number;
  readonly random: Random32;
  /** Sends one encoded SCTP packet. */
  output(packet: Uint8Array, to: RemoteAddress): void;
  /** Answers an INIT that arrived on an existing association (RFC 9260 §5.2.1, §5.2.2). */
  answerInit(init: InitChunk, packet: SctpPacket, from: RemoteAddress, existing: Association): void;
  /** Verifies a COOKIE ECHO value; undefined when forged, damaged or stale (stale is answered by the host). */
  openCookie(value: Uint8Array, packet: SctpPacket, from: RemoteAddress): CookieState | undefined;
  /** The association reached `closed`. */
  closed(association: Association): void;
  /** Event fan-out to the endpoint. */
  notify<K extends keyof AssociationEvents>(association: Association, event: K, ...args: AssociationEvents[K]): void;
}

interface OutChunk {
  readonly tsn: number;
  readonly streamId: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly begin: boolean;
  readonly end: boolean;
  readonly payload: Uint8Array;
  sentCount: number;
  sentAt: number;
  inFlight: boolean;
  gapAcked: boolean;
  retransmit: boolean;
  missCount: number;
  fastRetransmitted: boolean;
}

const ESTABLISHED_LIKE: ReadonlySet<AssociationState> = new Set(['established', 'shutdownPending', 'shutdownReceived', 'shutdownSent']);

/** Text of error causes, for logs. */
function describeCauses(causes: readonly Tlv[]): string {
  const dec = new TextDecoder();
  return causes
    .map((c) => (c.type === CAUSE.USER_ABORT || c.type === CAUSE.PROTOCOL_VIOLATION ? `${c.type}:${dec.decode(c.value)}` : String(c.type)))
    .join(',');
}

/** One association (see the module comment). Create through the endpoint. */
export class Association extends Emitter<AssociationEvents> {
  /** Current state. */
  state: AssociationState = 'closed';
  /** Our verification tag (what the peer puts in its packets). */
  myTag = 0;
  /** The peer's verification tag. */
  peerTag = 0;
  /** Addresses the peer listed in INIT / INIT ACK (recorded, never used as paths). */
  peerAddresses: string[] = [];
  /** Negotiated stream counts. */
  outboundStreams: number;
  inboundStreams: number;
  /** Counters. */
  readonly stats: AssociationStats = {
    packetsSent: 0,
    packetsReceived: 0,
    dataChunksSent: 0,
    dataChunksReceived: 0,
    retransmissions: 0,
    fastRetransmits: 0,
    t3Expiries: 0,
    duplicateTsnsReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    heartbeatsSent: 0,
    errorsReceived: 0,
  };

  private remoteAddress: RemoteAddress;
  private myInitialTsn = 0;
  private nextTsn = 0;
  private lastCumAck = 0;
  private recv: ReceiveBuffer | undefined;
  private readonly outQueue: OutChunk[] = [];
  private nextUnsent = 0;
  private buffered = 0;
  private ssnOut: Uint16Array;
  private readonly rtoEstimator: RtoEstimator;
  private cwnd: number;
  private ssthresh = Number.MAX_SAFE_INTEGER;
  private partialBytesAcked = 0;
  private flightSize = 0;
  private peerRwnd = 0;
  private fastRecoveryExit: number | undefined;
  private fastRetransmitPending = false;
  private errorCount = 0;
  private initRetries = 0;
  private sackNeeded = false;
  private packetsSinceSack = 0;
  private initChunk: RawChunk | undefined;
  private cookieEcho: RawChunk | undefined;
  private wantDrain = false;
  private heartbeatNonce = 0;
  private heartbeatOutstanding = false;
  private readonly timers = { t1: NaN, t2: NaN, t3: NaN, heartbeat: NaN, sack: NaN };

  constructor(
    private readonly host: AssociationHost,
    /** Endpoint-unique number. */
    readonly id: number,
    readonly localPort: number,
    readonly remotePort: number,
    remote: RemoteAddress,
    readonly options: AssociationOptions,
  ) {
    super();
    this.remoteAddress = remote;
    this.outboundStreams = options.outboundStreams;
    this.inboundStreams = options.inboundStreams;
    this.ssnOut = new Uint16Array(options.outboundStreams);
    this.rtoEstimator = new RtoEstimator(options.rto);
    this.cwnd = this.initialCwnd();
  }

  // ------------------------------------------------------------------------------------------
  // Public API

  /** The peer's IP address and UDP encapsulation port (learned from its packets). */
  get remote(): RemoteAddress {
    return this.remoteAddress;
  }

  /** Our initial TSN (reused when answering a colliding INIT, RFC 9260 §5.2.1). */
  get initialTsn(): number {
    return this.myInitialTsn;
  }

  /** Octets queued or unacknowledged. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Transmission state, for statistics. */
  get transmission(): { srtt: number | undefined; rto: number; cwnd: number; ssthresh: number; flightSize: number; peerRwnd: number } {
    return {
      srtt: this.rtoEstimator.srtt,
      rto: this.rtoEstimator.rto,
      cwnd: this.cwnd,
      ssthresh: this.ssthresh,
      flightSize: this.flightSize,
      peerRwnd: this.peerRwnd,
    };
  }

  /**
   * Queues one user message. Allowed from `cookieWait` on (held until the association is up).
   * Throws {@link SctpError}: `RSP_ERR_SCTP_NOT_ESTABLISHED`, `…_SHUTTING_DOWN`, `…_INVALID_STREAM`,
   * `…_EMPTY_MESSAGE` (RFC 9260 §6.1 forbids empty DATA), `…_MESSAGE_TOO_LARGE`, `…_SEND_BUFFER_FULL`.
   */
  send(streamId: number, ppid: number, bytes: Uint8Array, options: { unordered?: boolean } = {}): void {
    if (this.state === 'closed') throw new SctpError(SCTP_ERR.notEstablished, `association ${this.id} is closed`);
    if (this.state !== 'established' && this.state !== 'cookieWait' && this.state !== 'cookieEchoed')
      throw new SctpError(SCTP_ERR.shuttingDown, `association ${this.id} is shutting down`);
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= this.outboundStreams)
      throw new SctpError(SCTP_ERR.invalidStream, `stream ${streamId} is not in 0..${this.outboundStreams - 1}`);
    if (bytes.length === 0) throw new SctpError(SCTP_ERR.emptyMessage, 'SCTP cannot send an empty message');
    if (bytes.length > this.options.maxMessageSize)
      throw new SctpError(SCTP_ERR.messageTooLarge, `message of ${bytes.length} octets exceeds ${this.options.maxMessageSize}`);
    if (this.buffered + bytes.length > this.options.maxBufferedBytes) {
      this.wantDrain = true;
      throw new SctpError(SCTP_ERR.bufferFull, `${this.buffered} octets buffered, limit ${this.options.maxBufferedBytes}`);
    }
    const unordered = options.unordered === true;
    const ssn = unordered ? 0 : this.ssnOut[streamId]!;
    if (!unordered) this.ssnOut[streamId] = (ssn + 1) & 0xffff;
    const maxPayload = this.options.mtu - COMMON_HEADER - DATA_HEADER;
    const copy = bytes.slice();
    for (let o = 0; o < copy.length; o += maxPayload) {
      const end = Math.min(copy.length, o + maxPayload);
      this.outQueue.push({
        tsn: this.nextTsn,
        streamId,
        ssn,
        ppid: ppid >>> 0,
        unordered,
        begin: o === 0,
        end: end === copy.length,
        payload: copy.subarray(o, end),
        sentCount: 0,
        sentAt: 0,
        inFlight: false,
        gapAcked: false,
        retransmit: false,
        missCount: 0,
        fastRetransmitted: false,
      });
      this.nextTsn = tsnAdd(this.nextTsn, 1);
    }
    this.buffered += copy.length;
    if (this.buffered > this.options.maxBufferedBytes / 2) this.wantDrain = true;
    this.stats.messagesSent++;
    this.stats.bytesSent += copy.length;
    this.flush();
  }

  /** Graceful shutdown (RFC 9260 §9.2): queued data is delivered first. */
  shutdown(): void {
    if (this.state === 'cookieWait' || this.state === 'cookieEchoed') {
      this.abort('shutdown before establishment');
      return;
    }
    if (this.state !== 'established') return;
    this.state = 'shutdownPending';
    this.checkShutdown();
  }

  /** Sends ABORT with a User-Initiated Abort cause (RFC 9260 §9.1) and closes at once. */
  abort(reason = 'user abort'): void {
    if (this.state === 'closed') return;
    if (this.peerTag !== 0 || this.state === 'cookieWait') {
      const cause: Tlv = { type: CAUSE.USER_ABORT, value: new TextEncoder().encode(reason) };
      this.transmit([causeChunk(CHUNK.ABORT, 0, [cause])], this.peerTag);
    }
    this.close({ reason: 'abort', detail: reason });
  }

  // ------------------------------------------------------------------------------------------
  // Set-up (RFC 9260 §5.1)

  /** Client side: sends INIT and enters COOKIE-WAIT (§5.1 A). */
  connect(): void {
    this.myTag = nonZero(this.host.random);
    this.myInitialTsn = this.host.random();
    this.resetSendState();
    this.initChunk = buildInit(false, {
      initiateTag: this.myTag,
      aRwnd: this.options.receiveBuffer,
      outboundStreams: this.options.outboundStreams,
      inboundStreams: this.options.inboundStreams,
      initialTsn: this.myInitialTsn,
      params: [],
    });
    this.state = 'cookieWait';
    this.initRetries = 0;
    this.transmit([this.initChunk], 0);
    this.timers.t1 = this.host.now() + this.rtoEstimator.rto;
  }

  /** Server side (or restart): builds the association from a verified cookie and answers COOKIE ACK. */
  establishFromCookie(cookie: CookieState, restart: boolean): void {
    if (restart) this.resetForRestart();
    this.myTag = cookie.myTag;
    this.peerTag = cookie.peerTag;
    this.myInitialTsn = cookie.myInitialTsn;
    this.adoptPeer(cookie.peerInitialTsn, cookie.peerRwnd, cookie.outboundStreams, cookie.inboundStreams);
    this.peerAddresses = addressParams(cookie.peerAddressParams);
    this.resetSendState();
    this.transmit([emptyChunk(CHUNK.COOKIE_ACK)]);
    this.enterEstablished(restart);
  }

  // ------------------------------------------------------------------------------------------
  // Packet input

  /** Handles one packet addressed to this association (ports already matched by the endpoint). */
  receive(packet: SctpPacket, from: RemoteAddress): void {
    if (this.state === 'closed') return;
    const first = packet.chunks[0]!;
    // Verification tag rules (RFC 9260 §8.5, §8.5.1).
    if (first.type === CHUNK.INIT) {
      if (packet.vtag !== 0 || packet.chunks.length > 1) return;
      let init: InitChunk;
      try {
        init = parseInit(first.value);
      } catch {
        return;
      }
      this.host.answerInit(init, packet, from, this);
      return;
    }
    if (first.type === CHUNK.ABORT || first.type === CHUNK.SHUTDOWN_COMPLETE) {
      const reflected = (first.flags & T_BIT) !== 0;
      if (packet.vtag !== (reflected ? this.peerTag : this.myTag)) return;
    } else if (first.type === CHUNK.COOKIE_ECHO) {
      // Checked against the cookie's tag below.
    } else if (packet.vtag !== this.myTag) {
      return;
    }
    this.stats.packetsReceived++;
    if (first.type !== CHUNK.COOKIE_ECHO) this.learnRemote(from);
    let hadData = false;
    for (const chunk of packet.chunks) {
      if (this.isClosed()) return;
      const go = this.handleChunk(chunk, packet, from);
      if (chunk.type === CHUNK.DATA) hadData = true;
      if (go === 'stop') break;
    }
    if (this.isClosed()) return;
    if (hadData) this.afterData();
    this.flush();
  }

  private learnRemote(from: RemoteAddress): void {
    // RFC 6951 §5.4: the remote encapsulation port follows the peer's UDP source port.
    if (from.port !== this.remoteAddress.port || from.address !== this.remoteAddress.address) this.remoteAddress = from;
  }

  private handleChunk(chunk: RawChunk, packet: SctpPacket, from: RemoteAddress): 'go' | 'stop' {
    try {
      switch (chunk.type) {
        case CHUNK.DATA:
          this.onData(chunk);
          return 'go';
        case CHUNK.SACK:
          if (ESTABLISHED_LIKE.has(this.state) || this.state === 'shutdownAckSent') this.onSack(parseSack(chunk.value));
          return 'go';
        case CHUNK.INIT_ACK:
          this.onInitAck(chunk);
          return 'stop';
        case CHUNK.COOKIE_ECHO:
          this.onCookieEcho(chunk, packet, from);
          return 'go';
        case CHUNK.COOKIE_ACK:
          if (this.state === 'cookieEchoed') {
            this.timers.t1 = NaN;
            this.enterEstablished(false);
          }
          return 'go';
        case CHUNK.HEARTBEAT:
          this.transmit([{ type: CHUNK.HEARTBEAT_ACK, flags: 0, value: chunk.value }]);
          return 'go';
        case CHUNK.HEARTBEAT_ACK:
          this.onHeartbeatAck(chunk.value);
          return 'go';
        case CHUNK.ABORT:
          this.close({ reason: 'peerAbort', detail: describeCauses(safeTlvs(chunk.value)) });
          return 'stop';
        case CHUNK.SHUTDOWN:
          this.onShutdown(readU32(chunk.value));
          return 'go';
        case CHUNK.SHUTDOWN_ACK:
          if (this.state === 'shutdownSent' || this.state === 'shutdownAckSent') {
            // §9.2: answer with SHUTDOWN COMPLETE and forget the association.
            this.transmit([emptyChunk(CHUNK.SHUTDOWN_COMPLETE)]);
            this.close({ reason: 'shutdown' });
          }
          return 'stop';
        case CHUNK.SHUTDOWN_COMPLETE:
          if (this.state === 'shutdownAckSent') this.close({ reason: 'shutdown' });
          return 'stop';
        case CHUNK.ERROR:
          this.onError(safeTlvs(chunk.value));
          return 'go';
        default:
          return this.onUnknownChunk(chunk);
      }
    } catch (e) {
      if (e instanceof SctpError && e.code === SCTP_ERR.malformed) return 'stop';
      throw e;
    }
  }

  /** §3.2: the two high bits of an unknown chunk type say whether to skip it and whether to report it. */
  private onUnknownChunk(chunk: RawChunk): 'go' | 'stop' {
    const action = chunk.type >> 6;
    if (action === 1 || action === 3) {
      const whole = new Uint8Array(4 + chunk.value.length);
      whole[0] = chunk.type;
      whole[1] = chunk.flags;
      new DataView(whole.buffer).setUint16(2, whole.length);
      whole.set(chunk.value, 4);
      if (this.peerTag !== 0) this.transmit([causeChunk(CHUNK.ERROR, 0, [{ type: CAUSE.UNRECOGNIZED_CHUNK, value: whole }])]);
    }
    return action >= 2 ? 'go' : 'stop';
  }

  private onInitAck(chunk: RawChunk): void {
    // §5.2.3: an INIT ACK in any other state than COOKIE-WAIT is discarded.
    if (this.state !== 'cookieWait') return;
    const ack = parseInit(chunk.value);
    const cookie = ack.params.find((p) => p.type === PARAM.STATE_COOKIE);
    if (ack.initiateTag === 0 || ack.outboundStreams === 0 || ack.inboundStreams === 0 || cookie === undefined) {
      // §5.1: a broken INIT ACK is answered with ABORT.
      const cause = cookie === undefined ? CAUSE.MISSING_PARAMETER : CAUSE.INVALID_PARAMETER;
      this.transmit([causeChunk(CHUNK.ABORT, 0, [{ type: cause, value: new Uint8Array(0) }])], ack.initiateTag);
      this.close({ reason: 'abort', detail: 'invalid INIT ACK' });
      return;
    }
    this.peerTag = ack.initiateTag;
    this.peerAddresses = addressParams(ack.params);
    this.adoptPeer(ack.initialTsn, ack.aRwnd, Math.min(this.options.outboundStreams, ack.inboundStreams), Math.min(this.options.inboundStreams, ack.outboundStreams));
    this.cookieEcho = { type: CHUNK.COOKIE_ECHO, flags: 0, value: cookie.value.slice() };
    this.state = 'cookieEchoed';
    this.initRetries = 0;
    this.transmit([this.cookieEcho]);
    this.timers.t1 = this.host.now() + this.rtoEstimator.rto;
  }

  /** COOKIE ECHO on an existing association: the four cases of RFC 9260 §5.2.4. */
  private onCookieEcho(chunk: RawChunk, packet: SctpPacket, from: RemoteAddress): void {
    const cookie = this.host.openCookie(chunk.value, packet, from);
    if (cookie === undefined || packet.vtag !== cookie.myTag) return;
    const myMatch = cookie.myTag === this.myTag;
    const peerMatch = cookie.peerTag === this.peerTag;
    if (!myMatch && !peerMatch && cookie.localTieTag === this.myTag && cookie.peerTieTag === this.peerTag) {
      // Case A: the peer restarted. (RFC 9260 §5.2.4 A; while shutting down it is refused, §5.2.4.)
      if (this.state === 'shutdownAckSent') {
        this.transmit([emptyChunk(CHUNK.SHUTDOWN_ACK)]);
        return;
      }
      this.learnRemote(from);
      this.establishFromCookie(cookie, true);
      return;
    }
    if (myMatch && !peerMatch) {
      // Case B: INIT collision; adopt the peer's new tag.
      this.learnRemote(from);
      this.timers.t1 = NaN;
      this.peerTag = cookie.peerTag;
      this.adoptPeer(cookie.peerInitialTsn, cookie.peerRwnd, cookie.outboundStreams, cookie.inboundStreams);
      this.transmit([emptyChunk(CHUNK.COOKIE_ACK)]);
      if (this.state === 'cookieWait' || this.state === 'cookieEchoed') this.enterEstablished(false);
      return;
    }
    if (myMatch && peerMatch) {
      // Case D: both tags known; the COOKIE ACK got lost or crossed.
      this.learnRemote(from);
      this.timers.t1 = NaN;
      this.transmit([emptyChunk(CHUNK.COOKIE_ACK)]);
      if (this.state === 'cookieWait' || this.state === 'cookieEchoed') this.enterEstablished(false);
    }
    // Case C (peer tag matches, ours does not) and anything else: silently discarded.
  }

  private adoptPeer(peerInitialTsn: number, peerRwnd: number, outboundStreams: number, inboundStreams: number): void {
    this.recv = new ReceiveBuffer(peerInitialTsn, this.options.receiveBuffer);
    this.peerRwnd = peerRwnd;
    this.ssthresh = peerRwnd;
    this.outboundStreams = outboundStreams;
    this.inboundStreams = inboundStreams;
    if (this.ssnOut.length !== outboundStreams) {
      const next = new Uint16Array(outboundStreams);
      next.set(this.ssnOut.subarray(0, Math.min(outboundStreams, this.ssnOut.length)));
      this.ssnOut = next;
    }
  }

  private enterEstablished(restart: boolean): void {
    this.state = 'established';
    this.errorCount = 0;
    this.scheduleHeartbeat();
    if (restart) {
      this.emit('restart');
      this.host.notify(this, 'restart');
    } else {
      this.emit('up');
      this.host.notify(this, 'up');
    }
    this.flush();
  }

  /** §5.2.4 A: a restart starts over; queued and unacknowledged data is dropped. */
  private resetForRestart(): void {
    this.outQueue.length = 0;
    this.nextUnsent = 0;
    this.buffered = 0;
    this.flightSize = 0;
    this.fastRecoveryExit = undefined;
    this.ssnOut.fill(0);
    this.cwnd = this.initialCwnd();
    this.timers.t3 = NaN;
    this.timers.sack = NaN;
    this.sackNeeded = false;
  }

  private resetSendState(): void {
    this.nextTsn = this.myInitialTsn;
    this.lastCumAck = tsnAdd(this.myInitialTsn, -1);
  }

  /** §7.2.1: min(4 MTU, max(2 MTU, 4380 octets)). */
  private initialCwnd(): number {
    const mtu = this.options.mtu;
    return Math.min(4 * mtu, Math.max(2 * mtu, 4380));
  }

  // ------------------------------------------------------------------------------------------
  // DATA and SACK (RFC 9260 §6)

  private onData(chunk: RawChunk): void {
    if (this.recv === undefined || !(this.state === 'established' || this.state === 'shutdownPending' || this.state === 'shutdownSent')) return;
    const d = parseData(chunk);
    this.stats.dataChunksReceived++;
    if (d.payload.length === 0) {
      // §6.2: DATA without user data is a protocol error answered with ABORT (No User Data).
      this.transmit([causeChunk(CHUNK.ABORT, 0, [{ type: CAUSE.NO_USER_DATA, value: u32(d.tsn) }])]);
      this.close({ reason: 'abort', detail: 'DATA chunk without user data' });
      return;
    }
    if (d.streamId >= this.inboundStreams) {
      // §6.5: report the invalid stream and acknowledge the TSN without delivering it.
      if (this.recv.markReceived(d.tsn)) {
        const v = new Uint8Array(4);
        new DataView(v.buffer).setUint16(0, d.streamId);
        this.transmit([causeChunk(CHUNK.ERROR, 0, [{ type: CAUSE.INVALID_STREAM, value: v }])]);
      }
      this.sackNeeded = true;
      return;
    }
    const outcome = this.recv.offer(d, (m) => this.deliver(m));
    if (outcome === 'duplicate') {
      this.stats.duplicateTsnsReceived++;
      this.sackNeeded = true; // §6.2: duplicates are acknowledged at once.
    }
    if (d.immediate === true) this.sackNeeded = true;
  }

  private deliver(m: ReceivedMessage): void {
    this.stats.messagesReceived++;
    this.stats.bytesReceived += m.bytes.length;
    const message: SctpMessage = { streamId: m.streamId, ppid: m.ppid, bytes: m.bytes, unordered: m.unordered };
    this.emit('message', message);
    this.host.notify(this, 'message', message);
  }

  /** §6.2: SACK at least every second packet with DATA, at once on gaps, else within the SACK delay. */
  private afterData(): void {
    this.packetsSinceSack++;
    if (this.recv?.hasGaps === true || this.packetsSinceSack >= 2 || this.state === 'shutdownSent') this.sackNeeded = true;
    if (this.sackNeeded) return;
    if (Number.isNaN(this.timers.sack)) this.timers.sack = this.host.now() + this.options.sackDelay;
  }

  private buildSack(): RawChunk {
    const recv = this.recv!;
    const { gaps, duplicates } = recv.takeSackInfo();
    // Keep the SACK within one packet.
    const room = Math.floor((this.options.mtu - COMMON_HEADER - 16) / 4);
    const g = gaps.slice(0, room);
    const d = duplicates.slice(0, Math.max(0, room - g.length));
    this.sackNeeded = false;
    this.packetsSinceSack = 0;
    this.timers.sack = NaN;
    return buildSack({ cumulativeTsnAck: recv.cumulativeTsn, aRwnd: recv.aRwnd, gaps: g, duplicates: d });
  }

  private onSack(s: SackChunk): void {
    const now = this.host.now();
    const cum = s.cumulativeTsnAck;
    // §6.2.1 D: a SACK older than the last one is ignored; one beyond what we sent is a violation, ignored too.
    if (tsnLt(cum, this.lastCumAck)) return;
    const highestSent = this.nextUnsent > 0 ? this.outQueue[this.nextUnsent - 1]!.tsn : this.lastCumAck;
    if (tsnLt(highestSent, cum)) return;
    const flightBefore = this.flightSize;
    const cumAdvanced = tsnLt(this.lastCumAck, cum);
    let cumAckedBytes = 0;
    let newlyAckedBytes = 0;
    let rttSample: number | undefined;
    let removed = 0;
    while (removed < this.nextUnsent && tsnLe(this.outQueue[removed]!.tsn, cum)) {
      const c = this.outQueue[removed]!;
      if (c.inFlight) this.flightSize -= c.payload.length;
      if (!c.gapAcked) newlyAckedBytes += c.payload.length;
      cumAckedBytes += c.payload.length;
      // Karn (§6.3.1 C5): only chunks sent once give RTT samples.
      if (c.sentCount === 1 && !c.gapAcked) rttSample = now - c.sentAt;
      this.buffered -= c.payload.length;
      removed++;
    }
    if (removed > 0) {
      this.outQueue.splice(0, removed);
      this.nextUnsent -= removed;
    }
    this.lastCumAck = cum;
    if (rttSample !== undefined) this.rtoEstimator.measure(rttSample);
    if (cumAdvanced) this.errorCount = 0; // §8.3

    // Gap ack blocks.
    let highestNewlyAcked: number | undefined;
    let highestAcked: number | undefined;
    for (let i = 0; i < this.nextUnsent; i++) {
      const c = this.outQueue[i]!;
      const off = (c.tsn - cum) | 0;
      const inGap = s.gaps.some(([a, b]) => off >= a && off <= b);
      if (inGap) {
        highestAcked = c.tsn;
        if (!c.gapAcked) {
          c.gapAcked = true;
          newlyAckedBytes += c.payload.length;
          highestNewlyAcked = c.tsn;
          if (c.inFlight) {
            c.inFlight = false;
            this.flightSize -= c.payload.length;
          }
          c.retransmit = false;
        }
      } else if (c.gapAcked) {
        // Reneged (§6.2.1 D iii): treat as outstanding again; the T3 timer covers it.
        c.gapAcked = false;
        c.retransmit = true;
      }
    }

    // Fast retransmit (§7.2.4): three miss indications.
    if (highestAcked !== undefined) {
      for (let i = 0; i < this.nextUnsent; i++) {
        const c = this.outQueue[i]!;
        if (!tsnLt(c.tsn, highestAcked)) break;
        if (c.gapAcked || c.retransmit || c.fastRetransmitted) continue;
        if (this.fastRecoveryExit !== undefined && (highestNewlyAcked === undefined || !tsnLt(c.tsn, highestNewlyAcked))) continue;
        if (++c.missCount >= 3) {
          c.fastRetransmitted = true;
          c.retransmit = true;
          if (c.inFlight) {
            c.inFlight = false;
            this.flightSize -= c.payload.length;
          }
          this.fastRetransmitPending = true;
          this.stats.fastRetransmits++;
          if (this.fastRecoveryExit === undefined) {
            // §7.2.3 / §7.2.4: halve and enter fast recovery until everything now outstanding is acked.
            this.ssthresh = Math.max(Math.floor(this.cwnd / 2), 4 * this.options.mtu);
            this.cwnd = this.ssthresh;
            this.partialBytesAcked = 0;
            this.fastRecoveryExit = highestSent;
          }
        }
      }
    }
    if (this.fastRecoveryExit !== undefined && tsnLe(this.fastRecoveryExit, cum)) this.fastRecoveryExit = undefined;

    // Congestion window growth (§7.2.1 slow start, §7.2.2 congestion avoidance).
    if (cumAdvanced && this.fastRecoveryExit === undefined) {
      const mtu = this.options.mtu;
      const fullyUsed = flightBefore + mtu >= this.cwnd;
      if (this.cwnd <= this.ssthresh) {
        if (fullyUsed) this.cwnd += Math.min(cumAckedBytes, mtu);
      } else {
        this.partialBytesAcked += newlyAckedBytes;
        if (this.partialBytesAcked >= this.cwnd && fullyUsed) {
          this.partialBytesAcked -= this.cwnd;
          this.cwnd += mtu;
        }
      }
    }

    // §6.2.1: peer's window minus what is still in flight.
    this.peerRwnd = Math.max(0, s.aRwnd - this.flightSize);

    // §6.3.2 R2/R3: stop T3 when nothing is outstanding, restart it when the cum ack advanced.
    if (this.flightSize === 0) this.timers.t3 = NaN;
    else if (cumAdvanced) this.timers.t3 = now + this.rtoEstimator.rto;

    if (this.wantDrain && this.buffered <= this.options.maxBufferedBytes / 2) {
      this.wantDrain = false;
      this.emit('drain');
      this.host.notify(this, 'drain');
    }
    this.checkShutdown();
  }

  // ------------------------------------------------------------------------------------------
  // Output

  /** Sends what the windows allow: SACK first, then retransmissions, then new DATA (§6.1). */
  private flush(): void {
    if (this.state === 'closed') return;
    const now = this.host.now();
    const mtu = this.options.mtu;
    const packets: RawChunk[][] = [];
    let current: RawChunk[] = [];
    let size = COMMON_HEADER;
    const add = (c: RawChunk): void => {
      const s = chunkWireSize(c.value.length);
      if (current.length > 0 && size + s > mtu) {
        packets.push(current);
        current = [];
        size = COMMON_HEADER;
      }
      current.push(c);
      size += s;
    };
    if (this.sackNeeded && this.recv !== undefined && ESTABLISHED_LIKE.has(this.state)) add(this.buildSack());
    if (ESTABLISHED_LIKE.has(this.state)) {
      // Retransmissions: the first packet of a fast retransmit ignores cwnd (§7.2.4 rule 3).
      let ignoreCwndBytes = this.fastRetransmitPending ? mtu - COMMON_HEADER : 0;
      this.fastRetransmitPending = false;
      for (let i = 0; i < this.nextUnsent; i++) {
        const c = this.outQueue[i]!;
        if (!c.retransmit) continue;
        const len = c.payload.length;
        if (ignoreCwndBytes >= len + DATA_HEADER) ignoreCwndBytes -= len + DATA_HEADER;
        else if (this.flightSize >= this.cwnd) break;
        c.retransmit = false;
        this.sendChunk(c, now, add);
        this.stats.retransmissions++;
      }
      // New data (§6.1 A: respect the peer's window, except one probe when nothing is in flight; B: cwnd).
      while (this.nextUnsent < this.outQueue.length && (this.state === 'established' || this.state === 'shutdownPending' || this.state === 'shutdownReceived')) {
        const c = this.outQueue[this.nextUnsent]!;
        if (this.flightSize >= this.cwnd) break;
        if (this.flightSize > 0 && c.payload.length > this.peerRwnd) break;
        this.nextUnsent++;
        this.sendChunk(c, now, add);
        this.peerRwnd = Math.max(0, this.peerRwnd - c.payload.length);
      }
    }
    if (current.length > 0) packets.push(current);
    for (const p of packets) this.transmit(p);
    if (this.flightSize > 0 && Number.isNaN(this.timers.t3)) this.timers.t3 = now + this.rtoEstimator.rto;
  }

  private sendChunk(c: OutChunk, now: number, add: (c: RawChunk) => void): void {
    c.sentCount++;
    c.sentAt = now;
    c.inFlight = true;
    c.missCount = 0;
    this.flightSize += c.payload.length;
    this.stats.dataChunksSent++;
    add(buildData(c));
  }

  private transmit(chunks: RawChunk[], vtag = this.peerTag): void {
    this.stats.packetsSent++;
    this.host.output(encodePacket({ srcPort: this.localPort, dstPort: this.remotePort, vtag, chunks }), this.remoteAddress);
  }

  // ------------------------------------------------------------------------------------------
  // Shutdown (RFC 9260 §9.2)

  private onShutdown(cumTsnAck: number): void {
    if (!ESTABLISHED_LIKE.has(this.state)) return;
    // The cumulative TSN ack in SHUTDOWN acknowledges like a SACK without gaps.
    if (tsnLe(this.lastCumAck, cumTsnAck)) this.onSack({ cumulativeTsnAck: cumTsnAck, aRwnd: this.peerRwnd + this.flightSize, gaps: [], duplicates: [] });
    if (this.state === 'closed') return;
    if (this.state === 'shutdownSent') {
      // Both sides shut down at once: answer with SHUTDOWN ACK.
      this.state = 'shutdownAckSent';
      this.timers.t2 = this.host.now() + this.rtoEstimator.rto;
      this.transmit([emptyChunk(CHUNK.SHUTDOWN_ACK)]);
      return;
    }
    if (this.state !== 'shutdownReceived') {
      this.state = 'shutdownReceived';
      this.timers.heartbeat = NaN;
    }
    this.checkShutdown();
  }

  private checkShutdown(): void {
    if (this.outQueue.length > 0) return;
    if (this.state === 'shutdownPending') {
      this.state = 'shutdownSent';
      this.timers.heartbeat = NaN;
      this.sendShutdown();
    } else if (this.state === 'shutdownReceived') {
      this.state = 'shutdownAckSent';
      this.errorCount = 0;
      this.timers.t2 = this.host.now() + this.rtoEstimator.rto;
      this.transmit([emptyChunk(CHUNK.SHUTDOWN_ACK)]);
    }
  }

  private sendShutdown(): void {
    this.timers.t2 = this.host.now() + this.rtoEstimator.rto;
    this.transmit([{ type: CHUNK.SHUTDOWN, flags: 0, value: u32(this.recv?.cumulativeTsn ?? 0) }]);
  }

  // ------------------------------------------------------------------------------------------
  // Heartbeat and errors

  private scheduleHeartbeat(): void {
    if (this.options.heartbeatInterval <= 0) return;
    // §8.3: RTO + HB.interval, jittered by ±50 % of the RTO.
    const rto = this.rtoEstimator.rto;
    const jitter = ((this.host.random() / 0x100000000) - 0.5) * rto;
    this.timers.heartbeat = this.host.now() + rto + this.options.heartbeatInterval + jitter;
  }

  private sendHeartbeat(): void {
    const info = new Uint8Array(12);
    const dv = new DataView(info.buffer);
    dv.setFloat64(0, this.host.now());
    this.heartbeatNonce = this.host.random();
    dv.setUint32(8, this.heartbeatNonce);
    this.heartbeatOutstanding = true;
    this.stats.heartbeatsSent++;
    const value = new Uint8Array(16);
    new DataView(value.buffer).setUint16(0, PARAM.HEARTBEAT_INFO);
    new DataView(value.buffer).setUint16(2, 16);
    value.set(info, 4);
    this.transmit([{ type: CHUNK.HEARTBEAT, flags: 0, value }]);
  }

  private onHeartbeatAck(value: Uint8Array): void {
    const info = safeTlvs(value).find((p) => p.type === PARAM.HEARTBEAT_INFO);
    if (info === undefined || info.value.length !== 12) return;
    const dv = new DataView(info.value.buffer, info.value.byteOffset, 12);
    if (dv.getUint32(8) !== this.heartbeatNonce || !this.heartbeatOutstanding) return;
    this.heartbeatOutstanding = false;
    this.errorCount = 0;
    this.rtoEstimator.measure(this.host.now() - dv.getFloat64(0));
  }

  private onError(causes: readonly Tlv[]): void {
    this.stats.errorsReceived++;
    const codes = causes.map((c) => c.type);
    if (this.state === 'cookieEchoed' && codes.includes(CAUSE.STALE_COOKIE)) {
      // §5.2.6: start over with a new INIT (a Cookie Preservative is optional; we simply retry).
      this.timers.t1 = NaN;
      if (++this.initRetries > this.options.maxInitRetransmits) {
        this.close({ reason: 'timeout', detail: 'stale cookies' });
        return;
      }
      this.state = 'closed';
      this.connect();
      return;
    }
    this.emit('error', codes);
    this.host.notify(this, 'error', codes);
  }

  // ------------------------------------------------------------------------------------------
  // Timers

  /** The earliest timer, ms on the host clock; undefined when none runs. */
  nextDeadline(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    for (const t of Object.values(this.timers)) if (t < min) min = t;
    return Number.isFinite(min) ? min : undefined;
  }

  /** Runs the timers due at `now`. */
  onTimer(now: number): void {
    const t = this.timers;
    if (t.sack <= now) {
      t.sack = NaN;
      this.sackNeeded = true;
      this.flush();
    }
    if (t.t1 <= now) this.onT1();
    if (this.isClosed()) return;
    if (t.t3 <= now) this.onT3(now);
    if (this.isClosed()) return;
    if (t.t2 <= now) this.onT2();
    if (this.isClosed()) return;
    if (t.heartbeat <= now) {
      if (this.heartbeatOutstanding && this.countError()) return;
      if (this.flightSize === 0 && this.state === 'established') this.sendHeartbeat();
      this.scheduleHeartbeat();
    }
  }

  /** §5.1 / §6.3.3 for INIT and COOKIE ECHO: retransmit with back-off up to Max.Init.Retransmits. */
  private onT1(): void {
    this.timers.t1 = NaN;
    if (++this.initRetries > this.options.maxInitRetransmits) {
      this.close({ reason: 'timeout', detail: this.state === 'cookieWait' ? 'no INIT ACK' : 'no COOKIE ACK' });
      return;
    }
    this.rtoEstimator.backOff();
    if (this.state === 'cookieWait' && this.initChunk !== undefined) this.transmit([this.initChunk], 0);
    else if (this.state === 'cookieEchoed' && this.cookieEcho !== undefined) this.transmit([this.cookieEcho]);
    else return;
    this.timers.t1 = this.host.now() + this.rtoEstimator.rto;
  }

  /** §6.3.3: T3-rtx expiry — back off, collapse cwnd, retransmit everything in flight. */
  private onT3(now: number): void {
    this.timers.t3 = NaN;
    this.stats.t3Expiries++;
    if (this.countError()) return;
    this.rtoEstimator.backOff();
    const mtu = this.options.mtu;
    this.ssthresh = Math.max(Math.floor(this.cwnd / 2), 4 * mtu);
    this.cwnd = mtu;
    this.partialBytesAcked = 0;
    this.fastRecoveryExit = undefined;
    for (let i = 0; i < this.nextUnsent; i++) {
      const c = this.outQueue[i]!;
      if (c.gapAcked) continue;
      if (c.inFlight) this.flightSize -= c.payload.length;
      c.inFlight = false;
      c.retransmit = true;
    }
    this.flightSize = Math.max(0, this.flightSize);
    this.flush();
    if (Number.isNaN(this.timers.t3) && this.nextUnsent > 0) this.timers.t3 = now + this.rtoEstimator.rto;
  }

  /** §9.2: T2-shutdown expiry resends SHUTDOWN or SHUTDOWN ACK. */
  private onT2(): void {
    this.timers.t2 = NaN;
    if (this.countError()) return;
    this.rtoEstimator.backOff();
    if (this.state === 'shutdownSent') this.sendShutdown();
    else if (this.state === 'shutdownAckSent') {
      this.timers.t2 = this.host.now() + this.rtoEstimator.rto;
      this.transmit([emptyChunk(CHUNK.SHUTDOWN_ACK)]);
    }
  }

  /** §8.1: one more consecutive error; true (and closed, with an ABORT) past Association.Max.Retrans. */
  private countError(): boolean {
    if (++this.errorCount <= this.options.maxRetransmits) return false;
    this.transmit([causeChunk(CHUNK.ABORT, 0, [{ type: CAUSE.USER_ABORT, value: new TextEncoder().encode('peer unreachable') }])]);
    this.close({ reason: 'timeout', detail: 'peer unreachable' });
    return true;
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private close(info: DownInfo): void {
    if (this.state === 'closed') return;
    const wasUp = ESTABLISHED_LIKE.has(this.state) || this.state === 'shutdownAckSent';
    this.state = 'closed';
    for (const k of Object.keys(this.timers) as (keyof typeof this.timers)[]) this.timers[k] = NaN;
    this.host.closed(this);
    const detail: DownInfo = wasUp ? info : { ...info, detail: info.detail ?? 'association never came up' };
    this.emit('down', detail);
    this.host.notify(this, 'down', detail);
  }
}

function safeTlvs(b: Uint8Array): Tlv[] {
  try {
    return parseTlvs(b);
  } catch {
    return [];
  }
}
