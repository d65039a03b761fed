/**
 * `enrp-peering-sll2.pcapng`: three registrars peering over ENRP, captured with `tcpdump -i any`
 * style Linux cooked v2 headers and nanosecond timestamps. PR1–PR2 talk over IPv4, PR2–PR3 over
 * IPv6 (PR2 is dual-stacked). Presence (R = 1 and replies), handle table download in two pages
 * (M = 1, then the rest), Handle Updates (ADD, DEL with T = 1; two bundled in one packet), list
 * request/response, a takeover of a dead PR4, rejects (R = 1) and an ENRP Error.
 */
import { CAUSE, PORT, RSPLIB_CAUSE } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { POLICIES, ascii, at, cause, enrp, poolElement, sctp, serverInfo, tcp, udp } from './fixtures.js';
import { openScene } from './scene.js';
import type { Policy, PoolElement } from '../../codecs/index.js';
import type { ByteSink } from '../../src/capture/write/index.js';

const ENRP_PORT = PORT.enrp;
const PR1 = { id: 0x2d5a9b01, addresses: ['192.0.2.1'] };
const PR2 = { id: 0x6c1e4f02, addresses: ['192.0.2.2', '2001:db8::2'] };
const PR3 = { id: 0x91b07d03, addresses: ['2001:db8::3'] };
const PR4 = 0x3f0e2a04;
const DAYTIME = ascii('DaytimePool');
const FRACTAL = ascii('FractalGeneratorPool');

/** A PE as PRs exchange it: home PR set and the ASAP transport included. */
function owned(peId: number, home: number, user: PoolElement['userTransport'], policy: Policy, asapAddress: string, asapPort: number): PoolElement {
  return poolElement({ peId, home, life: 30_000, user, policy, asap: sctp(asapPort, [asapAddress]) });
}

export function build(sink: ByteSink): void {
  const s = openScene(sink, {
    format: 'pcapng',
    interfaces: [{ linkType: LINKTYPE.linuxSll2, tsresol: 9, name: 'any' }],
    application: 'rserpool-harness captures/generate.ts',
    start: at('2024-03-06T08:15:00Z'),
    seed: 3,
  });
  const peD1 = owned(0x00d10001, PR1.id, tcp(13, '198.51.100.51'), POLICIES.weightedRandom, '198.51.100.51', 40101);
  const peD2 = owned(0x00d10002, PR1.id, udp(13, '198.51.100.52'), { ...POLICIES.weightedRandom, weight: 5 }, '198.51.100.52', 40102);
  const peF1 = owned(0x00f10001, PR1.id, sctp(8000, ['198.51.100.61', '203.0.113.61']), POLICIES.weightedRandomDpf, '198.51.100.61', 40201);
  const peF2 = owned(0x00f10002, PR1.id, sctp(8000, ['198.51.100.62']), POLICIES.leastUsedDpf, '198.51.100.62', 40202);
  const peF3 = owned(0x00f10003, PR2.id, sctp(8000, ['2001:db8:f::63']), POLICIES.leastUsedDegradationDpf, '2001:db8:f::63', 40203);

  // --- PR1 ↔ PR2 over IPv4 (both ENRP sockets bound to 9901).
  const a = s.association({ client: { addresses: [PR1.addresses[0]!], port: ENRP_PORT }, server: { addresses: [PR2.addresses[0]!], port: ENRP_PORT } });
  const presence = (from: typeof PR1, to: number, R: boolean, checksum: number, addresses: readonly string[]) =>
    enrp({ protocol: 'enrp', type: 'presence', flags: { R }, senderId: from.id, receiverId: to, peChecksum: checksum, serverInformation: serverInfo(from.id, ENRP_PORT, addresses) });
  a.send('client', presence(PR1, 0, true, 0x5b2e, PR1.addresses));
  s.clock.advanceMicros(300);
  a.send('server', presence(PR2, PR1.id, false, 0xd4f1, PR2.addresses));
  s.clock.advanceMillis(2);
  // PR2 downloads PR1's handlespace, one page at a time.
  a.send('server', enrp({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: PR2.id, receiverId: PR1.id }));
  s.clock.advanceMicros(450);
  a.send(
    'client',
    enrp({
      protocol: 'enrp',
      type: 'handleTableResponse',
      flags: { R: false, M: true },
      senderId: PR1.id,
      receiverId: PR2.id,
      pools: [
        { poolHandle: DAYTIME, poolElements: [peD1, peD2] },
        { poolHandle: FRACTAL, poolElements: [peF1] },
      ],
    }),
  );
  s.clock.advanceMillis(1);
  a.send('server', enrp({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: PR2.id, receiverId: PR1.id }));
  s.clock.advanceMicros(380);
  a.send('client', enrp({ protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: PR1.id, receiverId: PR2.id, pools: [{ poolHandle: FRACTAL, poolElements: [peF2] }] }));
  s.clock.advanceMillis(900);
  // Two Handle Updates in one packet: a new PE registers, an old one is removed (T: take it over).
  a.send('client', [
    enrp({ protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: PR1.id, receiverId: PR2.id, updateAction: 0, poolHandle: FRACTAL, poolElement: peF2 }),
    enrp({ protocol: 'enrp', type: 'handleUpdate', flags: { T: true }, senderId: PR1.id, receiverId: PR2.id, updateAction: 1, poolHandle: DAYTIME, poolElement: peD2 }),
  ]);
  s.clock.advanceMillis(3);
  a.send('server', enrp({ protocol: 'enrp', type: 'listRequest', senderId: PR2.id, receiverId: PR1.id }));
  s.clock.advanceMicros(260);
  a.send(
    'client',
    enrp({
      protocol: 'enrp',
      type: 'listResponse',
      flags: { R: false },
      senderId: PR1.id,
      receiverId: PR2.id,
      // rsplib lists every peer it knows, statically configured ones (ID 0) included.
      servers: [serverInfo(PR3.id, ENRP_PORT, PR3.addresses), serverInfo(PR4, ENRP_PORT, ['192.0.2.4']), serverInfo(0, ENRP_PORT, ['192.0.2.5'])],
    }),
  );
  // PR4 has gone silent: PR1 proposes to take it over, PR2 agrees, PR1 announces the takeover.
  s.clock.advanceMillis(5000);
  a.send('client', enrp({ protocol: 'enrp', type: 'initTakeover', senderId: PR1.id, receiverId: PR2.id, targetId: PR4 }));
  s.clock.advanceMicros(210);
  a.send('server', enrp({ protocol: 'enrp', type: 'initTakeoverAck', senderId: PR2.id, receiverId: PR1.id, targetId: PR4 }));
  s.clock.advanceMillis(1);
  a.send('client', enrp({ protocol: 'enrp', type: 'takeoverServer', senderId: PR1.id, receiverId: PR2.id, targetId: PR4 }));
  s.clock.advanceMillis(1);
  // PR2 rejects a Handle Update it cannot accept; like rsplib it echoes the offender's IDs unswapped.
  a.send(
    'server',
    enrp({
      protocol: 'enrp',
      type: 'error',
      senderId: PR1.id,
      receiverId: PR2.id,
      operationError: {
        causes: [
          cause(RSPLIB_CAUSE.wrongProtocol),
          cause(RSPLIB_CAUSE.unsupportedPoolPolicy),
          cause(RSPLIB_CAUSE.invalidPoolPolicy),
          cause(RSPLIB_CAUSE.invalidPoolHandle),
          cause(CAUSE.nonUniquePeIdentifier),
        ],
      },
    }),
    { sackNow: true },
  );

  // --- PR2 ↔ PR3 over IPv6: PR3 is not in PR2's peer list yet, so its requests are rejected.
  s.clock.advanceMillis(40);
  const b = s.association({ client: { addresses: [PR3.addresses[0]!], port: ENRP_PORT }, server: { addresses: [PR2.addresses[1]!], port: ENRP_PORT } });
  b.send('client', presence(PR3, PR2.id, true, 0xffff, PR3.addresses));
  s.clock.advanceMicros(500);
  b.send('server', presence(PR2, PR3.id, false, 0xd4f1, PR2.addresses));
  s.clock.advanceMillis(1);
  b.send('client', enrp({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: PR3.id, receiverId: PR2.id }));
  s.clock.advanceMicros(300);
  b.send('server', enrp({ protocol: 'enrp', type: 'handleTableResponse', flags: { R: true, M: false }, senderId: PR2.id, receiverId: PR3.id, pools: [] }));
  s.clock.advanceMillis(1);
  b.send('client', enrp({ protocol: 'enrp', type: 'listRequest', senderId: PR3.id, receiverId: PR2.id }));
  s.clock.advanceMicros(300);
  b.send('server', enrp({ protocol: 'enrp', type: 'listResponse', flags: { R: true }, senderId: PR2.id, receiverId: PR3.id, servers: [] }));
  s.clock.advanceMillis(1);
  b.send('server', enrp({ protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: PR2.id, receiverId: PR3.id, updateAction: 0, poolHandle: FRACTAL, poolElement: peF3 }), { sackNow: true });
  b.shutdown('client');
  s.writer.close();
}
