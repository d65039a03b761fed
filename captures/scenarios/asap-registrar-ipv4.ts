/**
 * `asap-registrar-ipv4.pcap`: a registrar at 192.0.2.10:3863 serving two PEs and a PU over SCTP
 * on IPv4 / Ethernet. Registration, re-registration, keep-alive (H = 0 and H = 1, with and without
 * rsplib's PE Identifier), deregistration, rejected registrations and handle resolutions with
 * Operation Errors carrying RFC and rsplib-private causes, Endpoint Unreachable, ASAP Error.
 */
import { CAUSE, PORT, RSPLIB_CAUSE, policyParameter, tcpTransport } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { POLICIES, ascii, asap, at, cause, poolElement, sctp, tcp, tlv, udp, words } from './fixtures.js';
import { openScene } from './scene.js';
import type { ByteSink } from '../../src/capture/write/index.js';

const PR = { id: 0x4f1c2a01, addresses: ['192.0.2.10'] };
const PE1 = { id: 0x5562e917, addresses: ['192.0.2.21', '198.51.100.21'], port: 49152, userPort: 58881 };
const PE2 = { id: 0x0a7b3c4d, addresses: ['192.0.2.22'], port: 49153 };
const PU = { addresses: ['192.0.2.31'], port: 50001 };
const CALC = ascii('CalcAppPool');
const ECHO = ascii('EchoPool');

export function build(sink: ByteSink): void {
  const s = openScene(sink, { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }], start: at('2024-03-04T09:00:00Z'), seed: 1 });
  const pr = { addresses: PR.addresses, port: PORT.asap };

  // --- PE1 (multi-homed): register, keep-alives, re-register with a new load, deregister.
  const pe1 = s.association({ client: { addresses: PE1.addresses, port: PE1.port }, server: pr });
  const pe1Element = (policy: typeof POLICIES.roundRobin | typeof POLICIES.leastUsed) =>
    poolElement({ peId: PE1.id, life: 900_000, user: sctp(PE1.userPort, PE1.addresses, 'dataPlusControl'), policy });
  pe1.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: CALC, poolElement: pe1Element(POLICIES.roundRobin) }));
  s.clock.advanceMicros(180);
  pe1.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: CALC, peId: PE1.id }));
  s.clock.advanceMillis(1000);
  pe1.send('server', asap({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: PR.id, poolHandle: CALC, peId: PE1.id }));
  s.clock.advanceMicros(90);
  pe1.send('client', asap({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: CALC, peId: PE1.id }), { sackNow: true });
  pe1.heartbeat('server', { local: 0, remote: 1 });
  s.clock.advanceMillis(2000);
  pe1.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: CALC, poolElement: pe1Element(POLICIES.leastUsed) }));
  s.clock.advanceMicros(150);
  pe1.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: CALC, peId: PE1.id }));
  s.clock.advanceMillis(1500);
  // A new home registrar takes over: H set, and the RFC form without rsplib's PE Identifier.
  pe1.send('server', asap({ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: true }, serverId: PR.id, poolHandle: CALC }));
  s.clock.advanceMicros(80);
  pe1.send('client', asap({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: CALC, peId: PE1.id }));
  s.clock.advanceMillis(500);
  pe1.send('client', asap({ protocol: 'asap', type: 'deregistration', poolHandle: CALC, peId: PE1.id }));
  s.clock.advanceMicros(120);
  pe1.send('server', asap({ protocol: 'asap', type: 'deregistrationResponse', poolHandle: CALC, peId: PE1.id }));
  pe1.shutdown('client');

  // --- PE2: two rejected registrations (RFC causes with their info, then rsplib's private ones), one accepted.
  s.clock.advanceMillis(700);
  const pe2 = s.association({ client: { addresses: PE2.addresses, port: PE2.port }, server: pr });
  const tcpUser = tcp(7, PE2.addresses[0]!, 'dataOnly');
  pe2.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: ECHO, poolElement: poolElement({ peId: PE2.id, user: tcpUser, policy: POLICIES.weightedRoundRobin }) }));
  s.clock.advanceMicros(200);
  pe2.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'registrationResponse',
      flags: { R: true },
      poolHandle: ECHO,
      peId: PE2.id,
      operationError: {
        causes: [
          cause(CAUSE.inconsistentPoolingPolicy, policyParameter.encode(POLICIES.weightedRoundRobin)),
          cause(CAUSE.inconsistentTransportType, tcpTransport.encode(tcpUser)),
          cause(CAUSE.inconsistentDataControlConfiguration),
        ],
      },
    }),
  );
  s.clock.advanceMillis(300);
  pe2.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: ECHO, poolElement: poolElement({ peId: PE2.id, user: udp(7, PE2.addresses[0]!), policy: POLICIES.priority }) }));
  s.clock.advanceMicros(210);
  pe2.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'registrationResponse',
      flags: { R: true },
      poolHandle: ECHO,
      peId: PE2.id,
      operationError: {
        causes: [cause(RSPLIB_CAUSE.invalidAddresses), cause(RSPLIB_CAUSE.invalidRegistrator), cause(RSPLIB_CAUSE.noUsableAsapAddresses), cause(RSPLIB_CAUSE.noUsableUserAddresses)],
      },
    }),
  );
  s.clock.advanceMillis(300);
  pe2.send('client', asap({ protocol: 'asap', type: 'registration', poolHandle: ECHO, poolElement: poolElement({ peId: PE2.id, user: udp(7, PE2.addresses[0]!), policy: POLICIES.priority }) }));
  s.clock.advanceMicros(190);
  pe2.send('server', asap({ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: ECHO, peId: PE2.id }));
  s.clock.advanceMillis(100);
  // A deregistration of a PE the registrar does not know: a response carrying an error.
  pe2.send('client', asap({ protocol: 'asap', type: 'deregistration', poolHandle: ECHO, peId: 0x0badf00d }));
  s.clock.advanceMicros(150);
  pe2.send('server', asap({ protocol: 'asap', type: 'deregistrationResponse', poolHandle: ECHO, peId: 0x0badf00d, operationError: { causes: [cause(CAUSE.unspecifiedError)] } }));
  pe2.sack('client');

  // --- A PU resolves handles (plain, with the Handle Resolution Option, for an unknown pool) and reports a dead PE.
  s.clock.advanceMillis(400);
  const pu = s.association({ client: { addresses: PU.addresses, port: PU.port }, server: pr });
  pu.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: ECHO }));
  s.clock.advanceMicros(140);
  pu.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'handleResolutionResponse',
      poolHandle: ECHO,
      policy: POLICIES.priority,
      poolElements: [poolElement({ peId: PE2.id, home: PR.id, user: udp(7, PE2.addresses[0]!), policy: POLICIES.priority })],
    }),
  );
  s.clock.advanceMillis(20);
  pu.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: CALC, items: 5 }));
  s.clock.advanceMicros(160);
  pu.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'handleResolutionResponse',
      poolHandle: CALC,
      policy: { ...POLICIES.weightedRoundRobin, weight: 2 },
      poolElements: [
        poolElement({ peId: 0x11110001, home: PR.id, user: sctp(58882, ['192.0.2.41', '198.51.100.41'], 'dataPlusControl'), policy: { ...POLICIES.weightedRoundRobin, weight: 2 } }),
        poolElement({ peId: 0x11110002, home: PR.id, user: tcp(58883, '192.0.2.42', 'dataPlusControl'), policy: { ...POLICIES.weightedRoundRobin, weight: 1 } }),
        poolElement({ peId: 0x11110003, home: PR.id, user: udp(58884, '192.0.2.43'), policy: { ...POLICIES.weightedRoundRobin, weight: 7 } }),
      ],
    }),
  );
  s.clock.advanceMillis(20);
  pu.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: ascii('NoSuchPool'), items: 0xffffffff }));
  s.clock.advanceMicros(110);
  pu.send(
    'server',
    asap({ protocol: 'asap', type: 'handleResolutionResponse', poolHandle: ascii('NoSuchPool'), poolElements: [], operationError: { causes: [cause(CAUSE.unknownPoolHandle)] } }),
  );
  s.clock.advanceMillis(3000);
  pu.send('client', asap({ protocol: 'asap', type: 'endpointUnreachable', poolHandle: CALC, peId: 0x11110002 }));
  s.clock.advanceMillis(5);
  // The PU then sends something the registrar cannot parse; it answers with an ASAP Error.
  pu.send(
    'server',
    asap({
      protocol: 'asap',
      type: 'error',
      operationError: {
        causes: [
          cause(CAUSE.unrecognizedParameter, tlv(0x4123, words(0xdeadbeef))),
          cause(RSPLIB_CAUSE.invalidMessage),
          cause(RSPLIB_CAUSE.invalidValue, tlv(0x0009, new Uint8Array(0))),
          cause(CAUSE.invalidValues, tlv(0x000e, words(0))),
        ],
      },
    }),
  );
  pu.shutdown('client');
  s.writer.close();
}
