/**
 * `udp-announce.pcap`: the two RSerPool messages that travel over UDP multicast, on Ethernet as a
 * receiving host sees them (short frames padded to 60 octets): ASAP Server Announces to
 * 239.0.0.50:3863 (rsplib's form without transports, and one listing a transport of every kind)
 * and ENRP Presences to 239.0.0.51:9901; then the same over IPv6 to a site-local group.
 */
import { PORT } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { at, dccp, enrp, serverInfo, sctp, tcp, udp, udpLite } from './fixtures.js';
import { openScene } from './scene.js';
import { encode, type TransportParameter } from '../../codecs/index.js';
import type { ByteSink } from '../../src/capture/write/index.js';

const PR1 = { id: 0x2d5a9b01, v4: '192.0.2.1' };
const PR2 = { id: 0x6c1e4f02, v4: '192.0.2.2', v6: '2001:db8::2' };
/** rsplib's default announce groups (wire-format §1) and an example IPv6 group of site scope. */
const GROUP = { asap: '239.0.0.50', enrp: '239.0.0.51', asap6: 'ff05::5e:50', enrp6: 'ff05::5e:51' };
/** rsplib's default multicast TTL. */
const TTL = 30;

export function build(sink: ByteSink): void {
  const s = openScene(sink, {
    format: 'pcap',
    interfaces: [{ linkType: LINKTYPE.ethernet }],
    framing: { ethernet: { padShortFrames: true } },
    start: at('2024-03-10T12:00:00Z'),
    seed: 7,
  });
  const iface = s.interfaces[0]!;
  const { asap: ASAP_PORT, enrp: ENRP_PORT } = PORT;
  const announce = (serverId: number, transports: readonly TransportParameter[]) =>
    encode({ protocol: 'asap', type: 'serverAnnounce', serverId, transports });
  const presence = (id: number, checksum: number, addresses: readonly string[]) =>
    encode({ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: id, receiverId: 0, peChecksum: checksum, serverInformation: serverInfo(id, ENRP_PORT, addresses) });
  const full = [
    sctp(ASAP_PORT, [PR2.v4, PR2.v6]),
    tcp(ASAP_PORT, PR2.v4, 'dataPlusControl'),
    udp(ASAP_PORT, PR2.v4),
    udpLite(ASAP_PORT, PR2.v6),
    dccp(ASAP_PORT, 0x41534150, PR2.v4),
  ];

  for (let round = 0; round < 3; round++) {
    // rsplib sends from the port its SCTP socket uses, with no transport parameter (8 octets).
    iface.sendUdp({ src: PR1.v4, dst: GROUP.asap, srcPort: ASAP_PORT, dstPort: ASAP_PORT, payload: announce(PR1.id, []), ttl: TTL });
    s.clock.advanceMillis(3);
    iface.sendUdp({ src: PR1.v4, dst: GROUP.enrp, srcPort: ENRP_PORT, dstPort: ENRP_PORT, payload: presence(PR1.id, 0x5b2e, [PR1.v4]), ttl: TTL });
    s.clock.advanceMillis(120);
    iface.sendUdp({ src: PR2.v4, dst: GROUP.asap, srcPort: ASAP_PORT, dstPort: ASAP_PORT, payload: announce(PR2.id, round === 0 ? full : [sctp(ASAP_PORT, [PR2.v4, PR2.v6])]), ttl: TTL, zeroChecksum: round === 2 });
    s.clock.advanceMillis(2);
    iface.sendUdp({ src: PR2.v4, dst: GROUP.enrp, srcPort: ENRP_PORT, dstPort: ENRP_PORT, payload: presence(PR2.id, 0xd4f1, [PR2.v4, PR2.v6]), ttl: TTL });
    s.clock.advanceMillis(80);
    iface.sendUdp({ src: PR2.v6, dst: GROUP.asap6, srcPort: ASAP_PORT, dstPort: ASAP_PORT, payload: announce(PR2.id, [sctp(ASAP_PORT, [PR2.v6])]), ttl: TTL });
    s.clock.advanceMillis(1);
    iface.sendUdp({ src: PR2.v6, dst: GROUP.enrp6, srcPort: ENRP_PORT, dstPort: ENRP_PORT, payload: presence(PR2.id, 0xd4f1, [PR2.v6]), ttl: TTL });
    s.clock.advanceMillis(1000);
  }
  s.writer.close();
}
