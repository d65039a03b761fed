/**
 * One interface of a capture being written: it turns IP datagrams into frames of the interface's
 * link type (fragmenting them to the link MTU), stamps them with the shared clock and writes them.
 * Senders above it (SCTP associations, UDP flows) only deal in IP datagrams.
 */
import type { CaptureClock } from './capture-clock.js';
import type { CaptureWriter } from './capture-writer.js';
import { isMulticast, parseIpAddress, type IpAddress } from './ip-address.js';
import { ipv4Fragments } from './ipv4-packet.js';
import { ipv6Fragments } from './ipv6-packet.js';
import { linkFramer, type LinkFramer, type LinkFramerOptions } from './link-frames.js';
import { Random } from '../../util/random.js';
import { udpDatagram } from './udp-datagram.js';

/** Options of a {@link CaptureInterface}. */
export interface CaptureInterfaceOptions {
  /** Seed of the IP identification numbers. */
  readonly seed: number;
  /** Interface index in the writer (pcapng; default 0). */
  readonly index?: number;
  /** Link MTU: larger IP datagrams leave as IP fragments (default 1500). */
  readonly mtu?: number;
  /** How far the clock moves after each frame (default 20 µs), so no two frames share a time. */
  readonly frameGapNanos?: number;
  readonly framing?: LinkFramerOptions;
}

/** An IP datagram to send. */
export interface IpDatagram {
  readonly src: IpAddress | string;
  readonly dst: IpAddress | string;
  /** Upper-layer protocol number (132 SCTP, 17 UDP). */
  readonly protocol: number;
  readonly payload: Uint8Array;
  /** TTL / hop limit (default 64). */
  readonly ttl?: number;
  /** IPv4 DF bit (default: set unless the datagram must be fragmented or goes to a group). */
  readonly dontFragment?: boolean;
}

/** A UDP datagram to send. */
export interface UdpSend {
  readonly src: IpAddress | string;
  readonly dst: IpAddress | string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  readonly ttl?: number;
  /** IPv4 only: checksum 0. */
  readonly zeroChecksum?: boolean;
}

/** IP protocol numbers the senders use (IANA). */
export const IP_PROTO = Object.freeze({ udp: 17, sctp: 132 } as const);

/** See the module comment. */
export class CaptureInterface {
  readonly index: number;
  readonly mtu: number;
  private readonly framer: LinkFramer;
  private readonly gap: number;
  private nextId: number;

  constructor(
    readonly writer: CaptureWriter,
    readonly clock: CaptureClock,
    options: CaptureInterfaceOptions,
  ) {
    this.index = options.index ?? 0;
    this.mtu = options.mtu ?? 1500;
    this.framer = linkFramer(writer.linkType(this.index), options.framing);
    this.gap = options.frameGapNanos ?? 20_000;
    this.nextId = new Random(options.seed).nextUint32();
  }

  /** Sends a datagram; returns the frame numbers written (several when it was fragmented). */
  sendIp(d: IpDatagram): number[] {
    const src = typeof d.src === 'string' ? parseIpAddress(d.src) : d.src;
    const dst = typeof d.dst === 'string' ? parseIpAddress(d.dst) : d.dst;
    if (src.version !== dst.version) throw new RangeError(`cannot send from ${src.text} to ${dst.text}: different IP versions`);
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    const headerLength = src.version === 4 ? 20 : 40;
    const fits = headerLength + d.payload.length <= this.mtu;
    const packets =
      src.version === 4
        ? ipv4Fragments(
            { src: src.bytes, dst: dst.bytes, protocol: d.protocol, id: id & 0xffff, ttl: d.ttl ?? 64, dontFragment: d.dontFragment ?? (fits && !isMulticast(dst)) },
            d.payload,
            this.mtu,
          )
        : ipv6Fragments({ src: src.bytes, dst: dst.bytes, nextHeader: d.protocol, hopLimit: d.ttl ?? 64 }, d.payload, this.mtu, id);
    const frames: number[] = [];
    for (const packet of packets) {
      this.writer.writeFrame(this.framer({ packet, src, dst }), this.clock.now(), this.index);
      frames.push(this.writer.frameCount);
      this.clock.advanceNanos(this.gap);
    }
    return frames;
  }

  /** Sends a UDP datagram; returns the frame numbers written. */
  sendUdp(u: UdpSend): number[] {
    const src = typeof u.src === 'string' ? parseIpAddress(u.src) : u.src;
    const dst = typeof u.dst === 'string' ? parseIpAddress(u.dst) : u.dst;
    const payload = udpDatagram({ srcPort: u.srcPort, dstPort: u.dstPort, payload: u.payload, src: src.bytes, dst: dst.bytes, ...(u.zeroChecksum ? { zeroChecksum: true } : {}) });
    return this.sendIp({ src, dst, protocol: IP_PROTO.udp, payload, ...(u.ttl !== undefined ? { ttl: u.ttl } : {}) });
  }
}
