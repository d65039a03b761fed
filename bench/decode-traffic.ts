/**
 * Realistic registrar traffic for `npm run bench:decode`, written as a pcap file: one registrar
 * serving a few hundred PEs and dozens of PUs and peering with three other registrars. The mix
 * (per event, seeded) is keep-alive rounds, re-registrations with the Handle Updates they cause,
 * handle resolutions returning three PEs, ENRP Presences, multicast announces over UDP,
 * unreachability reports, deregistrations, and occasional multi-packet Handle Table Responses.
 */
import { PPID, encode, type Message, type Policy, type PoolElement, type TransportParameter } from '../codecs/index.js';
import { LINKTYPE } from '../src/capture/index.js';
import { Random } from '../src/util/random.js';
import { CaptureClock, CaptureInterface, FileSink, SctpAssociation, openCaptureWriter, type SctpSide } from '../src/capture/write/index.js';

/** What was written. */
export interface TrafficStats {
  readonly messages: number;
  readonly asap: number;
  readonly enrp: number;
  readonly frames: number;
}

const PR_ID = 0x10000001;
const PEER_IDS = [0x10000002, 0x10000003, 0x10000004];
const POOLS = Array.from({ length: 16 }, (_, i) => new TextEncoder().encode(`pool-${String(i).padStart(2, '0')}`));

interface Pe {
  readonly element: PoolElement;
  readonly pool: number;
  /** The PE's ASAP endpoint (its SCTP port towards the registrar). */
  readonly asapPort: number;
  readonly assoc: SctpAssociation;
}

/** Writes a capture of at least `messageTarget` ASAP/ENRP messages to `path`. */
export function writeRegistrarTraffic(path: string, messageTarget: number, seed: number): TrafficStats {
  const rng = new Random(seed);
  const writer = openCaptureWriter(new FileSink(path), { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }] });
  const clock = new CaptureClock({ seconds: 1_717_200_000, nanos: 0 });
  const eth = new CaptureInterface(writer, clock, { seed: rng.nextUint32() });
  const pr = { v4: '10.1.0.1', v6: 'fd00:1::1' };
  let asap = 0;
  let enrp = 0;
  const assoc = (client: string, clientPort: number, server: string, serverPort: number) =>
    new SctpAssociation(eth, { client: { addresses: [client], port: clientPort }, server: { addresses: [server], port: serverPort }, seed: rng.nextUint32() });
  const send = (a: SctpAssociation, from: SctpSide, ms: readonly Message[], sackNow = false) => {
    for (const m of ms) if (m.protocol === 'asap') asap++;
    else enrp++;
    a.send(
      from,
      ms.map((m) => ({ ppid: m.protocol === 'asap' ? PPID.asap : PPID.enrp, bytes: encode(m) })),
      { sackNow },
    );
  };

  const policyFor = (i: number): Policy => {
    switch (i % 5) {
      case 0:
        return { name: 'leastUsed', load: rng.nextUint32() };
      case 1:
        return { name: 'roundRobin' };
      case 2:
        return { name: 'weightedRoundRobin', weight: 1 + (i % 7) };
      case 3:
        return { name: 'priority', priority: i % 3 };
      default:
        return { name: 'leastUsedDegradation', load: rng.nextUint32(), loadDegradation: 0x01000000 };
    }
  };
  const pes: Pe[] = Array.from({ length: 320 }, (_, i) => {
    const v6 = i % 4 === 3;
    const address = v6 ? `fd00:2::${(i + 1).toString(16)}` : `10.2.${i >> 8}.${(i & 0xff) + 1}`;
    const user: TransportParameter = { transport: 'sctp', port: 20000 + i, transportUse: 'dataPlusControl', addresses: [{ family: v6 ? 'ipv6' : 'ipv4', address }] };
    return {
      element: { peId: rng.nonZeroUint32(), homeRegistrarId: 0, registrationLife: 30_000, userTransport: user, policy: policyFor(i) },
      pool: i % POOLS.length,
      asapPort: 30000 + i,
      assoc: assoc(address, 30000 + i, v6 ? pr.v6 : pr.v4, 3863),
    };
  });
  const pus = Array.from({ length: 64 }, (_, i) => assoc(`10.3.0.${i + 1}`, 40000 + i, pr.v4, 3863));
  const peers = PEER_IDS.map((_, i) => assoc(pr.v4, 9901, `10.1.0.${i + 2}`, 9901));
  const owned = (pe: Pe): PoolElement => ({
    ...pe.element,
    homeRegistrarId: PR_ID,
    asapTransport: { transport: 'sctp', port: pe.asapPort, transportUse: 'dataOnly', addresses: pe.element.userTransport.addresses },
  });
  const inPool = (pool: number) => pes.filter((p) => p.pool === pool);

  while (asap + enrp < messageTarget) {
    clock.advanceMicros(rng.intBetween(50, 3000));
    const r = rng.nextFloat();
    const pe = rng.pick(pes);
    const poolHandle = POOLS[pe.pool]!;
    if (r < 0.3) {
      // Keep-alive round trip.
      send(pe.assoc, 'server', [{ protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: PR_ID, poolHandle, peId: pe.element.peId }]);
      clock.advanceMicros(rng.intBetween(40, 400));
      send(pe.assoc, 'client', [{ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle, peId: pe.element.peId }], rng.nextFloat() < 0.5);
    } else if (r < 0.5) {
      // Re-registration with a fresh load, and the Handle Updates it causes.
      const element = { ...pe.element, policy: policyFor(pes.indexOf(pe)) };
      send(pe.assoc, 'client', [{ protocol: 'asap', type: 'registration', poolHandle, poolElement: element }]);
      clock.advanceMicros(rng.intBetween(60, 300));
      send(pe.assoc, 'server', [{ protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle, peId: pe.element.peId }]);
      peers.forEach((p, i) =>
        send(p, 'client', [{ protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: PR_ID, receiverId: PEER_IDS[i]!, updateAction: 0, poolHandle, poolElement: owned(pe) }], rng.nextFloat() < 0.3),
      );
    } else if (r < 0.75) {
      // Handle resolution: three PEs of the pool, the policy of the first.
      const pu = rng.pick(pus);
      const members = inPool(pe.pool);
      const start = rng.intBetween(0, members.length - 1);
      const chosen = [0, 1, 2].map((k) => members[(start + k) % members.length]!.element);
      send(pu, 'client', [{ protocol: 'asap', type: 'handleResolution', poolHandle, ...(rng.nextFloat() < 0.5 ? { items: 3 } : {}) }]);
      clock.advanceMicros(rng.intBetween(60, 300));
      send(pu, 'server', [{ protocol: 'asap', type: 'handleResolutionResponse', poolHandle, policy: chosen[0]!.policy, poolElements: chosen.map((e) => ({ ...e, homeRegistrarId: PR_ID })) }], rng.nextFloat() < 0.5);
    } else if (r < 0.87) {
      // Presence exchange with one peer.
      const i = rng.intBetween(0, peers.length - 1);
      const info = (id: number, address: string) => ({ serverId: id, transport: { transport: 'sctp' as const, port: 9901, transportUse: 'dataOnly' as const, addresses: [{ family: 'ipv4' as const, address }] } });
      send(peers[i]!, 'client', [{ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PR_ID, receiverId: PEER_IDS[i]!, peChecksum: rng.intBetween(0, 0xffff), serverInformation: info(PR_ID, pr.v4) }]);
      clock.advanceMicros(rng.intBetween(100, 900));
      send(peers[i]!, 'server', [{ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PEER_IDS[i]!, receiverId: PR_ID, peChecksum: rng.intBetween(0, 0xffff), serverInformation: info(PEER_IDS[i]!, `10.1.0.${i + 2}`) }], true);
    } else if (r < 0.94) {
      // Multicast announcements over UDP.
      eth.sendUdp({ src: pr.v4, dst: '239.0.0.50', srcPort: 3863, dstPort: 3863, payload: encode({ protocol: 'asap', type: 'serverAnnounce', serverId: PR_ID, transports: [] }), ttl: 30 });
      eth.sendUdp({
        src: pr.v4,
        dst: '239.0.0.51',
        srcPort: 9901,
        dstPort: 9901,
        payload: encode({ protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: PR_ID, receiverId: 0, peChecksum: 0x1234, serverInformation: { serverId: PR_ID, transport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: pr.v4 }] } } }),
        ttl: 30,
      });
      asap++;
      enrp++;
    } else if (r < 0.97) {
      // A PU reports an unreachable PE; the PE later deregisters and registers again.
      send(rng.pick(pus), 'client', [{ protocol: 'asap', type: 'endpointUnreachable', poolHandle, peId: pe.element.peId }], true);
      send(pe.assoc, 'client', [{ protocol: 'asap', type: 'deregistration', poolHandle, peId: pe.element.peId }]);
      send(pe.assoc, 'server', [{ protocol: 'asap', type: 'deregistrationResponse', poolHandle, peId: pe.element.peId }], true);
    } else {
      // A peer downloads a pool: a Handle Table Response of 20 PEs, several packets long.
      const i = rng.intBetween(0, peers.length - 1);
      send(peers[i]!, 'server', [{ protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: PEER_IDS[i]!, receiverId: PR_ID }]);
      clock.advanceMicros(rng.intBetween(100, 500));
      send(peers[i]!, 'client', [{ protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: PR_ID, receiverId: PEER_IDS[i]!, pools: [{ poolHandle, poolElements: inPool(pe.pool).map(owned) }] }], true);
    }
  }
  const frames = writer.frameCount;
  writer.close();
  return { messages: asap + enrp, asap, enrp, frames };
}
