/**
 * Capture writer: builds pcap and pcapng files from scratch — containers, link layers (Ethernet,
 * Linux SLL2, raw IP), IPv4 (with fragmentation) and IPv6, UDP with real checksums, SCTP packets
 * with CRC32c, DATA / I-DATA fragmentation and bundling, SCTP over UDP (RFC 6951) — plus
 * {@link SctpAssociation}, which scripts a whole association deterministically.
 *
 * Typical use:
 * ```ts
 * const writer = openCaptureWriter(new FileSink('x.pcap'), { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }] });
 * const eth0 = new CaptureInterface(writer, new CaptureClock({ seconds: 1700000000, nanos: 0 }), { seed: 1 });
 * const assoc = new SctpAssociation(eth0, { client: { addresses: ['192.0.2.1'], port: 40000 }, server: { addresses: ['192.0.2.2'], port: 3863 }, seed: 2 });
 * assoc.send('client', { ppid: 11, bytes: registration });
 * assoc.shutdown();
 * writer.close();
 * ```
 */
export { FileSink, MemorySink, type ByteSink } from './byte-sink.js';
export { DEFAULT_SNAPLEN, type CaptureWriter, type InterfaceDescription } from './capture-writer.js';
export { PcapWriter, PCAP_MAGIC } from './pcap-writer.js';
export { PcapngWriter, PCAPNG_OPTION, type PcapngOptions } from './pcapng-writer.js';
export { openCaptureWriter, type CaptureFileSpec } from './open-capture.js';
export { CaptureClock } from './capture-clock.js';
export { parseIpAddress, isMulticast, type IpAddress } from './ip-address.js';
export { internetChecksum } from './internet-checksum.js';
export {
  ETHERNET_MIN_FRAME,
  SLL_PACKET_TYPE,
  ethernetFrame,
  linkFramer,
  macForIp,
  rawIpFrame,
  sll2Frame,
  type EthernetOptions,
  type IpPacketInfo,
  type LinkFramer,
  type LinkFramerOptions,
  type Sll2Options,
} from './link-frames.js';
export { ipv4Fragments, ipv4Packet, type Ipv4Header } from './ipv4-packet.js';
export { IPV6_FRAGMENT_HEADER, ipv6Fragments, ipv6Packet, type Ipv6Header } from './ipv6-packet.js';
export { udpDatagram, type UdpDatagramFields } from './udp-datagram.js';
export {
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
  sctpChunk,
  sctpParameter,
  shutdownAckChunk,
  shutdownChunk,
  shutdownCompleteChunk,
  type DataChunkFields,
  type DataFlags,
  type IDataChunkFields,
  type InitFields,
  type SackFields,
} from './sctp-chunks.js';
export { SCTP_COMMON_HEADER, sctpPacket, type SctpCommonHeader } from './sctp-packet.js';
export { CaptureInterface, IP_PROTO, type CaptureInterfaceOptions, type IpDatagram, type UdpSend } from './capture-interface.js';
export {
  SctpAssociation,
  type SctpAssociationOptions,
  type SctpEndpoint,
  type SctpSendOptions,
  type SctpSide,
  type SctpUserMessage,
} from './sctp-association.js';
