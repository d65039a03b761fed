/**
 * `idata.pcapng`: associations that negotiated I-DATA (RFC 8260) in their handshake, over IPv4
 * and IPv6 / Ethernet. Messages on several streams, an unordered one, small messages bundled
 * into one packet, and large ones fragmented into I-DATA chunks (MID, FSN; PPID only in the
 * first fragment).
 */
import { PORT } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { POLICIES, ascii, asap, at, enrp, poolElement, sctp, serverInfo } from './fixtures.js';
import { openScene } from './scene.js';
import type { ByteSink } from '../../src/capture/write/index.js';
import { Random } from '../../src/util/random.js';

const PR = { id: 0x5150aa01, v4: '192.0.2.100', v6: '2001:db8:100::1' };
const PR_PEER = { id: 0x5150aa02, v6: '2001:db8:100::2' };
const PE = { id: 0x77aa0001, v4: '192.0.2.111', port: 45000 };
const VIDEO = ascii('VideoPool');

export function build(sink: ByteSink): void {
  const s = openScene(sink, { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.ethernet, name: 'eth1' }], start: at('2024-03-08T16:20:00Z'), seed: 5 });
  const rng = new Random(0x5eed0005);

  // PE ↔ PR over IPv4 with I-DATA, streams 0–2.
  const a = s.association({ client: { addresses: [PE.v4], port: PE.port }, server: { addresses: [PR.v4], port: PORT.asap }, iData: true, streams: 4 });
  const element = poolElement({ peId: PE.id, life: 60_000, user: sctp(9000, [PE.v4], 'dataOnly'), policy: POLICIES.leastUsed });
  a.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: VIDEO, poolElement: element }));
  s.clock.advanceMicros(220);
  a.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: VIDEO, peId: PE.id }));
  s.clock.advanceMillis(1000);
  // Keep-alive on stream 1; the PE's ack plus a resolution of its own, bundled in one packet on streams 1 and 2.
  a.send('server', asap({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: PR.id, poolHandle: VIDEO, peId: PE.id }, { streamId: 1 }));
  s.clock.advanceMicros(90);
  a.send('client', [
    asap({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: VIDEO, peId: PE.id }, { streamId: 1 }),
    asap({ protocol: 'asap', type: 'handleResolution', poolHandle: VIDEO }, { streamId: 2 }),
  ]);
  s.clock.advanceMicros(300);
  // A handle resolution response of ~3 KB: three I-DATA fragments.
  const many = Array.from({ length: 30 }, (_, i) =>
    poolElement({
      peId: rng.nonZeroUint32(),
      home: PR.id,
      user: sctp(9000, [`192.0.2.${150 + i}`, `2001:db8:101::${(0x50 + i).toString(16)}`], 'dataOnly'),
      policy: { ...POLICIES.leastUsed, load: rng.nextUint32() },
    }),
  );
  a.send('server', asap({ protocol: 'asap', type: 'handleResolutionResponse', poolHandle: VIDEO, policy: many[0]!.policy, poolElements: many }, { streamId: 2 }));
  s.clock.advanceMillis(400);
  // An unordered Endpoint Unreachable: the report does not need to wait for anything.
  a.send('client', asap({ protocol: 'asap', type: 'endpointUnreachable', poolHandle: VIDEO, peId: many[3]!.peId }, { streamId: 2, unordered: true }), { sackNow: true });
  a.shutdown('client');

  // Two PRs over IPv6 with I-DATA: a fragmented Handle Table Response, then a bundled Presence and Handle Update.
  s.clock.advanceMillis(25);
  const port = PORT.enrp;
  const b = s.association({ client: { addresses: [PR_PEER.v6], port }, server: { addresses: [PR.v6], port }, iData: true, pathMtu: 1280 });
  b.send('client', enrp({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: PR_PEER.id, receiverId: PR.id }));
  s.clock.advanceMicros(800);
  const asapOf = (i: number) => sctp(3863, [`192.0.2.${150 + i}`]);
  b.send(
    'server',
    enrp({
      protocol: 'enrp',
      type: 'handleTableResponse',
      flags: { R: false, M: false },
      senderId: PR.id,
      receiverId: PR_PEER.id,
      pools: [{ poolHandle: VIDEO, poolElements: many.slice(0, 20).map((pe, i) => ({ ...pe, asapTransport: asapOf(i) })) }],
    }),
  );
  s.clock.advanceMillis(1000);
  b.send('server', [
    enrp({ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PR.id, receiverId: PR_PEER.id, peChecksum: 0x31c4, serverInformation: serverInfo(PR.id, port, [PR.v6, PR.v4]) }),
    enrp({ protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: PR.id, receiverId: PR_PEER.id, updateAction: 1, poolHandle: VIDEO, poolElement: { ...many[3]!, asapTransport: asapOf(3) } }),
  ]);
  s.clock.advanceMicros(700);
  b.send('client', enrp({ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PR_PEER.id, receiverId: PR.id, peChecksum: 0xffff, serverInformation: serverInfo(PR_PEER.id, port, [PR_PEER.v6]) }), { sackNow: true });
  b.shutdown('server');
  s.writer.close();
}
