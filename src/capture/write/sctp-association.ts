/**
 * A scripted SCTP association between two endpoints, written into a capture: the four-way
 * handshake, user messages as DATA or I-DATA chunks (fragmented to the path MTU, bundled when
 * they fit), SACKs, heartbeats and the shutdown, all with verification tags, TSNs, stream
 * sequence numbers / message identifiers chosen deterministically from a seed. Optionally
 * encapsulated in UDP (RFC 6951).
 *
 * It is a script, not a protocol engine: nothing is lost or retransmitted, and every packet is
 * written the moment it is sent.
 */
import { IP_PROTO, type CaptureInterface } from './capture-interface.js';
import { parseIpAddress, type IpAddress } from './ip-address.js';
import {
  SCTP_INIT_PARAM,
  cookieAckChunk,
  cookieEchoChunk,
  dataChunk,
  heartbeatAckChunk,
  heartbeatChunk,
  iDataChunk,
  initAckChunk,
  initChunk,
  sackChunk,
  sctpParameter,
  shutdownAckChunk,
  shutdownChunk,
  shutdownCompleteChunk,
} from './sctp-chunks.js';
import { SCTP_COMMON_HEADER, sctpPacket } from './sctp-packet.js';
import { Random } from '../../util/random.js';
import { udpDatagram } from './udp-datagram.js';
import { SCTP_CHUNK } from '../sctp-chunk-types.js';
import { UDP_PORT } from '../rserpool-ids.js';

/** The two ends of an association: the client sends the INIT. */
export type SctpSide = 'client' | 'server';

/** One end of an association. */
export interface SctpEndpoint {
  /** Local addresses; the first is the primary path. All are listed in INIT / INIT ACK when there are several. */
  readonly addresses: readonly string[];
  readonly port: number;
  /** RFC 6951 local encapsulation port (default 9899). */
  readonly udpPort?: number;
}

/** Options of an {@link SctpAssociation}. */
export interface SctpAssociationOptions {
  readonly client: SctpEndpoint;
  readonly server: SctpEndpoint;
  /** Seed of the tags, initial TSNs, cookie and heartbeat nonces. */
  readonly seed: number;
  /** Encapsulate every packet in UDP (RFC 6951). */
  readonly overUdp?: boolean;
  /**
   * Largest IP datagram the association builds (default: the interface MTU). Set it above the
   * interface MTU to make the IP layer fragment (as after a wrong path MTU estimate).
   */
  readonly pathMtu?: number;
  /** Carry user messages in I-DATA (RFC 8260); both ends announce it in the handshake. */
  readonly iData?: boolean;
  /** Outbound and inbound streams announced (default 10). */
  readonly streams?: number;
  /** Advertised receiver window (default 106496, Linux's usual initial value). */
  readonly advertisedWindow?: number;
}

/** A user message to send. */
export interface SctpUserMessage {
  readonly ppid: number;
  readonly bytes: Uint8Array;
  /** Stream (default 0, as rsplib uses). */
  readonly streamId?: number;
  readonly unordered?: boolean;
}

/** How {@link SctpAssociation.send} packs and acknowledges. */
export interface SctpSendOptions {
  /** Bundle several messages into one packet when they fit (default true). */
  readonly bundle?: boolean;
  /**
   * The receiver answers with a SACK at once. Default: the SACK is delayed and rides on the
   * receiver's next packet (or is sent by {@link SctpAssociation.sack} / the shutdown).
   */
  readonly sackNow?: boolean;
}

interface Side {
  readonly endpoint: SctpEndpoint;
  readonly addresses: readonly IpAddress[];
  /** The tag this side chose: the peer writes it into every packet it sends here. */
  readonly tag: number;
  readonly initialTsn: number;
  nextTsn: number;
  readonly ssn: Map<number, number>;
  readonly mid: Map<string, number>;
  /** Highest in-order TSN received from the peer. */
  cumulativeAck: number;
  sackOwed: boolean;
}

/** See the module comment. */
export class SctpAssociation {
  private readonly sides: Readonly<Record<SctpSide, Side>>;
  private readonly rng: Random;
  private readonly pathMtu: number;
  private readonly streams: number;
  private readonly window: number;
  private state: 'closed' | 'established' | 'shut' = 'closed';

  constructor(
    private readonly iface: CaptureInterface,
    private readonly options: SctpAssociationOptions,
  ) {
    this.rng = new Random(options.seed);
    const side = (endpoint: SctpEndpoint): Side => {
      if (endpoint.addresses.length === 0) throw new RangeError('an SCTP endpoint needs an address');
      const initialTsn = this.rng.nextUint32();
      return {
        endpoint,
        addresses: endpoint.addresses.map(parseIpAddress),
        tag: this.rng.nonZeroUint32(),
        initialTsn,
        nextTsn: initialTsn,
        ssn: new Map(),
        mid: new Map(),
        cumulativeAck: 0,
        sackOwed: false,
      };
    };
    const client = side(options.client);
    const server = side(options.server);
    if (client.addresses[0]!.version !== server.addresses[0]!.version) throw new RangeError('the primary addresses of both ends must be of one IP version');
    client.cumulativeAck = (server.initialTsn - 1) >>> 0;
    server.cumulativeAck = (client.initialTsn - 1) >>> 0;
    this.sides = { client, server };
    this.pathMtu = options.pathMtu ?? iface.mtu;
    this.streams = options.streams ?? 10;
    this.window = options.advertisedWindow ?? 106496;
  }

  /** Verification tag chosen by each side (what the other side writes into its packets). */
  get tags(): { readonly client: number; readonly server: number } {
    return { client: this.sides.client.tag, server: this.sides.server.tag };
  }

  /** INIT, INIT ACK, COOKIE ECHO, COOKIE ACK. Called by the first {@link send} if not before. */
  start(): void {
    if (this.state !== 'closed') throw new Error('the association was already started');
    const c = this.sides.client;
    const s = this.sides.server;
    const cookie = this.rng.bytes(32);
    const init = (side: Side) => ({
      initiateTag: side.tag,
      advertisedWindow: this.window,
      outboundStreams: this.streams,
      inboundStreams: this.streams,
      initialTsn: side.initialTsn,
    });
    // The packet carrying INIT has verification tag 0: the sender does not know the peer's tag yet.
    this.emit('client', 0, [initChunk({ ...init(c), parameters: this.handshakeParameters(c) })]);
    this.emit('server', c.tag, [initAckChunk({ ...init(s), parameters: [sctpParameter(SCTP_INIT_PARAM.stateCookie, cookie), ...this.handshakeParameters(s)] })]);
    this.emit('client', s.tag, [cookieEchoChunk(cookie)]);
    this.emit('server', c.tag, [cookieAckChunk()]);
    this.state = 'established';
  }

  /**
   * Sends user messages from one side; returns the frame numbers written. A SACK the sender owes
   * rides in front of its first packet.
   */
  send(from: SctpSide, messages: SctpUserMessage | readonly SctpUserMessage[], options: SctpSendOptions = {}): number[] {
    if (this.state === 'closed') this.start();
    if (this.state === 'shut') throw new Error('the association is shut down');
    const list: readonly SctpUserMessage[] = Array.isArray(messages) ? messages : [messages as SctpUserMessage];
    const sender = this.sides[from];
    const receiver = this.sides[other(from)];
    const room = this.chunkRoom(sender);
    const bundle = options.bundle ?? true;
    const frames: number[] = [];
    let packet: Uint8Array[] = [];
    let used = 0;
    let hasData = false;
    const flush = () => {
      if (packet.length) frames.push(...this.emit(from, receiver.tag, packet));
      packet = [];
      used = 0;
      hasData = false;
    };
    if (sender.sackOwed) {
      packet.push(this.sackFrom(sender));
      used = packet[0]!.length;
    }
    for (const m of list) {
      const chunks = this.userChunks(sender, m, room);
      chunks.forEach((chunk, i) => {
        // A new message may join a packet that already holds data only when bundling.
        const joinable = i > 0 || bundle || !hasData;
        if (packet.length && (!joinable || used + chunk.length > room)) flush();
        packet.push(chunk);
        used += chunk.length;
        hasData = true;
      });
    }
    flush();
    receiver.cumulativeAck = (sender.nextTsn - 1) >>> 0;
    receiver.sackOwed = true;
    if (options.sackNow) frames.push(...this.sack(other(from)));
    return frames;
  }

  /** Sends the SACK a side owes, if any; returns the frame numbers written. */
  sack(from: SctpSide): number[] {
    const side = this.sides[from];
    if (!side.sackOwed) return [];
    return this.emit(from, this.sides[other(from)].tag, [this.sackFrom(side)]);
  }

  /**
   * HEARTBEAT from one side over a path given by address indexes, and the peer's HEARTBEAT ACK
   * back over the reverse path (multi-homed associations probe their alternate paths this way).
   */
  heartbeat(from: SctpSide, path: { readonly local: number; readonly remote: number } = { local: 0, remote: 0 }): number[] {
    if (this.state !== 'established') throw new Error('heartbeats need an established association');
    const info = this.rng.bytes(16);
    const back = { local: path.remote, remote: path.local };
    return [
      ...this.emit(from, this.sides[other(from)].tag, [heartbeatChunk(info)], path),
      ...this.emit(other(from), this.sides[from].tag, [heartbeatAckChunk(info)], back),
    ];
  }

  /** SHUTDOWN, the peer's outstanding SACK if any, SHUTDOWN ACK, SHUTDOWN COMPLETE. */
  shutdown(from: SctpSide = 'client'): number[] {
    if (this.state !== 'established') throw new Error('only an established association can be shut down');
    const a = this.sides[from];
    const b = this.sides[other(from)];
    // SHUTDOWN carries the cumulative TSN ack, so it settles what the initiator owed.
    a.sackOwed = false;
    const frames = [...this.emit(from, b.tag, [shutdownChunk(a.cumulativeAck)]), ...this.sack(other(from))];
    frames.push(...this.emit(other(from), a.tag, [shutdownAckChunk()]));
    frames.push(...this.emit(from, b.tag, [shutdownCompleteChunk(false)]));
    this.state = 'shut';
    return frames;
  }

  private sackFrom(side: Side): Uint8Array {
    side.sackOwed = false;
    return sackChunk({ cumulativeTsnAck: side.cumulativeAck, advertisedWindow: this.window });
  }

  /** The parameters both INIT and INIT ACK carry: all addresses when multi-homed, I-DATA support. */
  private handshakeParameters(side: Side): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (side.addresses.length > 1) {
      for (const a of side.addresses) out.push(sctpParameter(a.version === 4 ? SCTP_INIT_PARAM.ipv4Address : SCTP_INIT_PARAM.ipv6Address, a.bytes));
    }
    // RFC 8260 §2.3: I-DATA is used only when both ends list it in Supported Extensions.
    if (this.options.iData) out.push(sctpParameter(SCTP_INIT_PARAM.supportedExtensions, Uint8Array.of(SCTP_CHUNK.iData)));
    return out;
  }

  /** Octets of chunks that fit one packet on the primary path. */
  private chunkRoom(side: Side): number {
    const ip = side.addresses[0]!.version === 4 ? 20 : 40;
    return this.pathMtu - ip - (this.options.overUdp ? 8 : 0) - SCTP_COMMON_HEADER;
  }

  /** The DATA or I-DATA chunks of one user message, fragmented to fit a packet each. */
  private userChunks(side: Side, m: SctpUserMessage, room: number): Uint8Array[] {
    const streamId = m.streamId ?? 0;
    if (streamId >= this.streams) throw new RangeError(`stream ${streamId} not among the ${this.streams} negotiated`);
    if (m.bytes.length === 0) throw new RangeError('SCTP user messages cannot be empty');
    const unordered = m.unordered ?? false;
    const iData = this.options.iData ?? false;
    // Fragments other than the last fill whole 4-octet words, so no padding sits between them.
    const max = Math.floor((room - (iData ? 20 : 16)) / 4) * 4;
    if (max < 4) throw new RangeError(`path MTU ${this.pathMtu} leaves no room for user data`);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < m.bytes.length; at += max) pieces.push(m.bytes.subarray(at, Math.min(at + max, m.bytes.length)));
    const chunks: Uint8Array[] = [];
    if (iData) {
      // Ordered and unordered messages count their MIDs separately, per stream (RFC 8260 §2.1).
      const key = `${streamId}|${unordered ? 'u' : 'o'}`;
      const mid = side.mid.get(key) ?? 0;
      side.mid.set(key, (mid + 1) >>> 0);
      pieces.forEach((data, fsn) => {
        chunks.push(iDataChunk({ tsn: takeTsn(side), streamId, mid, ppid: m.ppid, fsn, data, begin: fsn === 0, end: fsn === pieces.length - 1, unordered }));
      });
    } else {
      // Unordered messages take no stream sequence number.
      const ssn = unordered ? 0 : (side.ssn.get(streamId) ?? 0);
      if (!unordered) side.ssn.set(streamId, (ssn + 1) & 0xffff);
      pieces.forEach((data, i) => {
        chunks.push(dataChunk({ tsn: takeTsn(side), streamId, ssn, ppid: m.ppid, data, begin: i === 0, end: i === pieces.length - 1, unordered }));
      });
    }
    return chunks;
  }

  /** Writes one SCTP packet from `from` (over UDP when configured); returns its frame numbers. */
  private emit(from: SctpSide, tag: number, chunks: readonly Uint8Array[], path: { readonly local: number; readonly remote: number } = { local: 0, remote: 0 }): number[] {
    const a = this.sides[from];
    const b = this.sides[other(from)];
    const src = a.addresses[path.local];
    const dst = b.addresses[path.remote];
    if (!src || !dst) throw new RangeError(`no path ${path.local}→${path.remote}`);
    const sctp = sctpPacket({ srcPort: a.endpoint.port, dstPort: b.endpoint.port, verificationTag: tag }, chunks);
    if (!this.options.overUdp) return this.iface.sendIp({ src, dst, protocol: IP_PROTO.sctp, payload: sctp });
    // RFC 6951: the UDP ports are the encapsulation ports; the SCTP ports inside stay as they are.
    const udp = udpDatagram({
      srcPort: a.endpoint.udpPort ?? UDP_PORT.sctpTunneling,
      dstPort: b.endpoint.udpPort ?? UDP_PORT.sctpTunneling,
      payload: sctp,
      src: src.bytes,
      dst: dst.bytes,
    });
    return this.iface.sendIp({ src, dst, protocol: IP_PROTO.udp, payload: udp });
  }
}

function other(side: SctpSide): SctpSide {
  return side === 'client' ? 'server' : 'client';
}

function takeTsn(side: Side): number {
  const tsn = side.nextTsn;
  side.nextTsn = (tsn + 1) >>> 0;
  return tsn;
}
