/**
 * `asap-session-ipv6.pcapng`: ASAP over IPv6 / Ethernet, including the session layer between a PU
 * and its PEs. A PE registers with IPv6 addresses; the PU resolves the pool and gets PEs with
 * every user transport (SCTP, TCP, UDP, UDP-Lite, DCCP); the PE sends its Cookie next to
 * application data (PPID 11 mixed with CalcApp's PPID, bundled in one packet), a Business Card;
 * after a failover the PU sends the Cookie Echo to the next PE; an ASAP Error closes it.
 */
import { CAUSE, PORT, RSPLIB_CAUSE } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { CALCAPP_PPID, POLICIES, ascii, asap, at, cause, dccp, poolElement, sctp, tcp, udp, udpLite } from './fixtures.js';
import { openScene } from './scene.js';
import type { ByteSink } from '../../src/capture/write/index.js';

const PR = { id: 0x7e3a9c05, addresses: ['2001:db8:10::1'] };
const PE_A = { id: 0x2468ace0, addresses: ['2001:db8:20::a', '2001:db8:21::a'], port: 41001, userPort: 7100 };
const PE_B = { id: 0x13579bdf, addresses: ['2001:db8:20::b'], port: 41002, userPort: 7100 };
const PU = { addresses: ['2001:db8:30::1'], port: 52000 };
const POOL = ascii('ScriptingPool');

export function build(sink: ByteSink): void {
  const s = openScene(sink, { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.ethernet, tsresol: 6, name: 'eth0' }], application: 'rserpool-harness captures/generate.ts', start: at('2024-03-05T14:30:00Z'), seed: 2 });
  const pr = { addresses: PR.addresses, port: PORT.asap };
  const peA = poolElement({ peId: PE_A.id, life: 300_000, user: sctp(PE_A.userPort, PE_A.addresses, 'dataPlusControl'), policy: POLICIES.leastUsedDegradation });

  // PE A registers with its two IPv6 addresses.
  const reg = s.association({ client: { addresses: PE_A.addresses, port: PE_A.port }, server: pr });
  reg.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: POOL, poolElement: peA }));
  s.clock.advanceMicros(250);
  reg.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: POOL, peId: PE_A.id }));
  s.clock.advanceMillis(800);
  reg.send('server', asap({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: PR.id, poolHandle: POOL, peId: PE_A.id }));
  s.clock.advanceMicros(70);
  reg.send('client', asap({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: POOL, peId: PE_A.id }), { sackNow: true });

  // The PU resolves the pool: one PE of every user transport kind.
  s.clock.advanceMillis(50);
  const hr = s.association({ client: { addresses: PU.addresses, port: PU.port }, server: pr });
  hr.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: POOL, items: 5 }));
  s.clock.advanceMicros(300);
  const home = (pe: Parameters<typeof poolElement>[0]) => poolElement({ ...pe, home: PR.id });
  hr.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'handleResolutionResponse',
      poolHandle: POOL,
      policy: POLICIES.leastUsedDegradation,
      poolElements: [
        { ...peA, homeRegistrarId: PR.id },
        home({ peId: PE_B.id, user: sctp(PE_B.userPort, PE_B.addresses, 'dataPlusControl'), policy: POLICIES.priorityLeastUsed }),
        home({ peId: 0x0c0ffee1, user: tcp(7101, '2001:db8:20::c'), policy: POLICIES.randomizedLeastUsed }),
        home({ peId: 0x0c0ffee2, user: udpLite(7102, '2001:db8:20::d'), policy: POLICIES.randomizedPriorityLeastUsed }),
        home({ peId: 0x0c0ffee3, user: dccp(7103, 0x52535030, '2001:db8:20::e'), policy: POLICIES.randomizedLeastUsedDegradation }),
      ],
    }),
  );
  hr.shutdown('client');

  // PU ↔ PE A: application data and the ASAP Cookie bundled in one packet, then a Business Card.
  s.clock.advanceMillis(5);
  const session = s.association({ client: { addresses: PU.addresses, port: PU.port + 1 }, server: { addresses: PE_A.addresses, port: PE_A.userPort } });
  session.send('client', { ppid: CALCAPP_PPID, bytes: ascii('CalcApp request #1 (job 4711)  ') });
  s.clock.advanceMicros(400);
  session.send('server', [
    { ppid: CALCAPP_PPID, bytes: ascii('CalcApp accept #1 (job 4711)') },
    asap({ protocol: 'asap', type: 'cookie', cookie: ascii('state=4711;progress=0;peer=PE-A;sig=9f3c51e2') }),
  ]);
  s.clock.advanceMillis(200);
  session.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'businessCard',
      poolHandle: POOL,
      policy: POLICIES.priorityLeastUsedDegradation,
      poolElements: [
        poolElement({ peId: PE_A.id, user: sctp(PE_A.userPort, PE_A.addresses, 'dataPlusControl'), policy: POLICIES.priorityLeastUsedDegradation }),
        poolElement({ peId: PE_B.id, user: udp(7104, '2001:db8:20::b'), policy: POLICIES.randomizedPriorityLeastUsedDegradation }),
      ],
    }),
    { sackNow: true },
  );
  s.clock.advanceMillis(150);
  session.send('server', asap({ protocol: 'asap', type: 'cookie', cookie: ascii('state=4711;progress=60;peer=PE-A;sig=0b77d1aa') }), { sackNow: true });
  // PE A fails: the PU tells the registrar and continues at PE B with the last cookie.
  s.clock.advanceMillis(3000);
  const report = s.association({ client: { addresses: PU.addresses, port: PU.port + 2 }, server: pr });
  report.send('client', asap({ protocol: 'asap', type: 'endpointUnreachable', poolHandle: POOL, peId: PE_A.id }), { sackNow: true });
  s.clock.advanceMillis(2);
  const failover = s.association({ client: { addresses: PU.addresses, port: PU.port + 3 }, server: { addresses: PE_B.addresses, port: PE_B.userPort } });
  failover.send('client', [asap({ protocol: 'asap', type: 'cookieEcho', cookie: ascii('state=4711;progress=60;peer=PE-A;sig=0b77d1aa') })]);
  s.clock.advanceMicros(500);
  // PE B cannot restore that state (the signature is PE A's) and answers with an ASAP Error.
  failover.send(
    'server',
    asap({ protocol: 'asap', type: 'error', operationError: { causes: [cause(CAUSE.rejectedSecurity), cause(CAUSE.lackOfResources), cause(RSPLIB_CAUSE.invalidId)] } }),
  );
  failover.shutdown('server');
  report.shutdown('client');
  // PE A's own associations simply stop: it is gone.
  s.writer.close();
}
