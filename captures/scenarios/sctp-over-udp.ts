/**
 * `sctp-over-udp.pcapng`: SCTP encapsulated in UDP (RFC 6951), on two raw-IP interfaces (no link
 * header): LINKTYPE.raw carrying IPv4, LINKTYPE.ipv6 carrying IPv6. Both ends use the IANA
 * tunnelling port 9899, except one client behind a NAT whose encapsulation port was remapped.
 * Includes a message fragmented into DATA chunks inside UDP.
 */
import { PORT } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { POLICIES, ascii, asap, at, enrp, poolElement, sctp, serverInfo } from './fixtures.js';
import { openScene } from './scene.js';
import type { ByteSink } from '../../src/capture/write/index.js';

const PR = { id: 0x600d0001, v4: '198.51.100.200', v6: '2001:db8:200::1' };
const PR_PEER = { id: 0x600d0002, v6: '2001:db8:200::2' };
const PE = { id: 0x4e4e0001, v4: '198.51.100.201', port: 46000 };
const POOL = ascii('TunnelledPool');

export function build(sink: ByteSink): void {
  const s = openScene(sink, {
    format: 'pcapng',
    interfaces: [
      { linkType: LINKTYPE.raw, name: 'tun0' },
      { linkType: LINKTYPE.ipv6, name: 'tun1' },
    ],
    start: at('2024-03-09T07:00:00Z'),
    seed: 6,
  });

  // A PE registers over UDP-encapsulated SCTP on IPv4 (interface 0).
  const a = s.association({ client: { addresses: [PE.v4], port: PE.port }, server: { addresses: [PR.v4], port: PORT.asap }, overUdp: true }, 0);
  const element = poolElement({ peId: PE.id, user: sctp(9100, [PE.v4], 'dataPlusControl'), policy: POLICIES.roundRobin });
  a.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: POOL, poolElement: element }));
  s.clock.advanceMicros(400);
  a.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: POOL, peId: PE.id }));
  s.clock.advanceMillis(900);
  a.send('server', asap({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: PR.id, poolHandle: POOL, peId: PE.id }));
  s.clock.advanceMicros(120);
  a.send('client', asap({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: POOL, peId: PE.id }), { sackNow: true });
  s.clock.advanceMillis(100);
  // A large Business Card-sized cookie goes out in two DATA chunks inside UDP.
  a.send('client', asap({ protocol: 'asap', type: 'cookie', cookie: new Uint8Array(2000).map((_, i) => (i * 37) & 0xff) }), { sackNow: true });
  a.shutdown('client');

  // Two PRs over IPv6 (interface 1); the client's encapsulation port was remapped by a NAT.
  s.clock.advanceMillis(50);
  const port = PORT.enrp;
  const b = s.association({ client: { addresses: [PR_PEER.v6], port, udpPort: 61999 }, server: { addresses: [PR.v6], port }, overUdp: true }, 1);
  b.send('client', enrp({ protocol: 'enrp', type: 'presence', flags: { R: true }, senderId: PR_PEER.id, receiverId: PR.id, peChecksum: 0xffff, serverInformation: serverInfo(PR_PEER.id, port, [PR_PEER.v6]) }));
  s.clock.advanceMicros(350);
  b.send('server', enrp({ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PR.id, receiverId: PR_PEER.id, peChecksum: 0x7f21, serverInformation: serverInfo(PR.id, port, [PR.v6, PR.v4]) }));
  s.clock.advanceMillis(2);
  b.send(
    'server',
    enrp({ protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: PR.id, receiverId: PR_PEER.id, updateAction: 0, poolHandle: POOL, poolElement: { ...element, homeRegistrarId: PR.id, asapTransport: sctp(PE.port, [PE.v4]) } }),
    { sackNow: true },
  );
  b.shutdown('client');
  s.writer.close();
}
