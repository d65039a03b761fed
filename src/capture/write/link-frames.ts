/**
 * Link-layer framing of IP packets (transports.md §5.3): Ethernet II, Linux cooked capture v2
 * (SLL2) and raw IP (no header).
 */
import { ETHERTYPE, LINKTYPE } from '../link-types.js';
import { isMulticast, type IpAddress } from './ip-address.js';
import { putU16, putU32 } from './octets.js';

/** An IP packet on its way into a frame, with the addresses link headers are derived from. */
export interface IpPacketInfo {
  readonly packet: Uint8Array;
  readonly src: IpAddress;
  readonly dst: IpAddress;
}

/** Turns an IP packet into a frame of one link type. */
export type LinkFramer = (ip: IpPacketInfo) => Uint8Array;

const ETHERNET_HEADER = 14;
/** Shortest Ethernet frame without the FCS; senders pad up to it. */
export const ETHERNET_MIN_FRAME = 60;

/** Options of Ethernet framing. */
export interface EthernetOptions {
  /**
   * Pad frames shorter than 60 octets with zeros, as a NIC does on the wire (a capture on the
   * receiving host shows the padding; one on the sending host does not).
   */
  readonly padShortFrames?: boolean;
  /** MAC address of an IP address (default {@link macForIp}). */
  readonly macOf?: (ip: IpAddress) => Uint8Array;
}

/** An Ethernet II frame: destination MAC, source MAC, EtherType, payload. */
export function ethernetFrame(ip: IpPacketInfo, options: EthernetOptions = {}): Uint8Array {
  const macOf = options.macOf ?? macForIp;
  const length = Math.max(ETHERNET_HEADER + ip.packet.length, options.padShortFrames ? ETHERNET_MIN_FRAME : 0);
  const f = new Uint8Array(length);
  f.set(macOf(ip.dst), 0);
  f.set(macOf(ip.src), 6);
  putU16(f, 12, ip.src.version === 4 ? ETHERTYPE.ipv4 : ETHERTYPE.ipv6);
  f.set(ip.packet, ETHERNET_HEADER);
  return f;
}

/**
 * A MAC address for an IP address: the RFC 1112 / RFC 2464 mapping for multicast groups, and a
 * locally administered unicast address built from the IP's low octets for everything else, so
 * every host of a capture keeps one stable MAC.
 */
export function macForIp(ip: IpAddress): Uint8Array {
  const b = ip.bytes;
  const n = b.length;
  if (isMulticast(ip)) {
    // IPv4 groups: 01:00:5e + low 23 bits. IPv6 groups: 33:33 + low 32 bits.
    return ip.version === 4 ? Uint8Array.of(0x01, 0x00, 0x5e, b[1]! & 0x7f, b[2]!, b[3]!) : Uint8Array.of(0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!);
  }
  return Uint8Array.of(0x02, ip.version === 4 ? 0x04 : 0x06, b[n - 4]!, b[n - 3]!, b[n - 2]!, b[n - 1]!);
}

/** Linux `sll_pkttype` values (linux/if_packet.h) as SLL2 carries them. */
export const SLL_PACKET_TYPE = Object.freeze({
  host: 0,
  broadcast: 1,
  multicast: 2,
  otherHost: 3,
  outgoing: 4,
} as const);

/** Options of SLL2 framing. */
export interface Sll2Options {
  /** Interface index written in the header (default 2, the first non-loopback interface). */
  readonly interfaceIndex?: number;
  /** Direction as seen by the capturing host (default: multicast for group destinations, else host). */
  readonly packetType?: (ip: IpPacketInfo) => number;
  readonly macOf?: (ip: IpAddress) => Uint8Array;
}

const SLL2_HEADER = 20;
/** ARPHRD_ETHER (linux/if_arp.h). */
const ARPHRD_ETHER = 1;

/**
 * A Linux cooked v2 frame (LINKTYPE_LINUX_SLL2): protocol, reserved, interface index, ARPHRD
 * type, packet type, address length, 8 octets of link-layer source address, then the packet.
 */
export function sll2Frame(ip: IpPacketInfo, options: Sll2Options = {}): Uint8Array {
  const macOf = options.macOf ?? macForIp;
  const f = new Uint8Array(SLL2_HEADER + ip.packet.length);
  putU16(f, 0, ip.src.version === 4 ? ETHERTYPE.ipv4 : ETHERTYPE.ipv6);
  putU32(f, 4, options.interfaceIndex ?? 2);
  putU16(f, 8, ARPHRD_ETHER);
  f[10] = options.packetType ? options.packetType(ip) : isMulticast(ip.dst) ? SLL_PACKET_TYPE.multicast : SLL_PACKET_TYPE.host;
  f[11] = 6;
  f.set(macOf(ip.src), 12);
  f.set(ip.packet, SLL2_HEADER);
  return f;
}

/** Raw IP: the frame is the packet (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6). */
export function rawIpFrame(ip: IpPacketInfo): Uint8Array {
  return ip.packet;
}

/** Options of {@link linkFramer}, by link type. */
export interface LinkFramerOptions {
  readonly ethernet?: EthernetOptions;
  readonly sll2?: Sll2Options;
}

/** The framer for a link type; throws for link types the writer does not produce. */
export function linkFramer(linkType: number, options: LinkFramerOptions = {}): LinkFramer {
  switch (linkType) {
    case LINKTYPE.ethernet:
      return (ip) => ethernetFrame(ip, options.ethernet);
    case LINKTYPE.linuxSll2:
      return (ip) => sll2Frame(ip, options.sll2);
    case LINKTYPE.raw:
      return rawIpFrame;
    case LINKTYPE.ipv4:
      return (ip) => {
        if (ip.src.version !== 4) throw new RangeError('LINKTYPE_IPV4 carries IPv4 only');
        return ip.packet;
      };
    case LINKTYPE.ipv6:
      return (ip) => {
        if (ip.src.version !== 6) throw new RangeError('LINKTYPE_IPV6 carries IPv6 only');
        return ip.packet;
      };
    default:
      throw new RangeError(`the capture writer does not frame link type ${linkType}`);
  }
}
