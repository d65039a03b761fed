/**
 * `sctp-fragmentation.pcap`: messages larger than one packet, over IPv4 and IPv6 / Ethernet.
 * SCTP fragments a Handle Table Response and a List Response into several DATA chunks (B / E,
 * consecutive TSNs) across packets; an association whose path MTU estimate is too large sends
 * 3-KB packets that the IP layer splits into IPv4 fragments, and the same again over IPv6 with
 * Fragment extension headers.
 */
import { PORT } from '../../codecs/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { POLICIES, ascii, asap, at, enrp, fraction, poolElement, sctp, serverInfo } from './fixtures.js';
import { openScene } from './scene.js';
import type { Policy, PoolElement } from '../../codecs/index.js';
import type { ByteSink } from '../../src/capture/write/index.js';
import { Random } from '../../src/util/random.js';

const PR1 = { id: 0x1a2b3c01, v4: '203.0.113.1', v6: '2001:db8:5::1' };
const PR2 = { id: 0x1a2b3c02, v4: '203.0.113.2', v6: '2001:db8:5::2' };
const PU = { v4: '203.0.113.77', v6: '2001:db8:5::77' };

/** `n` PEs of a pool, multi-homed on IPv4 and IPv6, with varied loads (seeded). */
function pes(rng: Random, n: number, home: number, withAsap: boolean, policy: (i: number) => Policy): PoolElement[] {
  return Array.from({ length: n }, (_, i) => {
    const host = 100 + i;
    const addresses = [`198.51.100.${host}`, `2001:db8:7::${host.toString(16)}`, `2001:db8:8::${host.toString(16)}`];
    return poolElement({
      peId: rng.nonZeroUint32(),
      home,
      life: 30_000,
      user: sctp(20000 + i, addresses, 'dataPlusControl'),
      policy: policy(i),
      ...(withAsap ? { asap: sctp(30000 + i, addresses.slice(0, 2)) } : {}),
    });
  });
}

export function build(sink: ByteSink): void {
  const s = openScene(sink, { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }], start: at('2024-03-07T11:45:00Z'), seed: 4 });
  const rng = new Random(0x5eed0004);
  const enrpPort = PORT.enrp;

  // Handle Table Response of ~4.4 KB over IPv4: four DATA chunks in four packets.
  const a = s.association({ client: { addresses: [PR2.v4], port: enrpPort }, server: { addresses: [PR1.v4], port: enrpPort } });
  a.send('client', enrp({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: PR2.id, receiverId: PR1.id }));
  s.clock.advanceMicros(600);
  const lu = (i: number): Policy => ({ ...POLICIES.leastUsed, load: fraction((5 * i) % 100) });
  a.send(
    'server',
    enrp({
      protocol: 'enrp',
      type: 'handleTableResponse',
      flags: { R: false, M: false },
      senderId: PR1.id,
      receiverId: PR2.id,
      pools: [
        { poolHandle: ascii('ComputePool'), poolElements: pes(rng, 16, PR1.id, true, lu) },
        { poolHandle: ascii('StoragePool'), poolElements: pes(rng, 12, PR1.id, true, () => POLICIES.random) },
      ],
    }),
  );
  s.clock.advanceMillis(2);
  // A List Response naming many peers: two chunks.
  a.send('client', enrp({ protocol: 'enrp', type: 'listRequest', senderId: PR2.id, receiverId: PR1.id }));
  s.clock.advanceMicros(400);
  const peers = Array.from({ length: 40 }, (_, i) => serverInfo(0x1a2b3d00 + i, enrpPort, [`203.0.113.${10 + i}`, `2001:db8:5::${(0x10 + i).toString(16)}`]));
  a.send('server', enrp({ protocol: 'enrp', type: 'listResponse', flags: { R: false }, senderId: PR1.id, receiverId: PR2.id, servers: peers }), { sackNow: true });
  a.shutdown('client');

  // IPv4 fragmentation: SCTP believes in a 9000-octet path, the link takes 1500.
  s.clock.advanceMillis(30);
  const b = s.association({ client: { addresses: [PU.v4], port: 53000 }, server: { addresses: [PR1.v4], port: PORT.asap }, pathMtu: 9000 });
  b.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: ascii('ComputePool'), items: 24 }));
  s.clock.advanceMicros(500);
  const hrr = (pool: string, n: number, policy: (i: number) => Policy) =>
    asap({
      protocol: 'asap',
      type: 'handleResolutionResponse',
      poolHandle: ascii(pool),
      policy: policy(0),
      poolElements: pes(rng, n, PR1.id, false, policy),
    });
  b.send('server', hrr('ComputePool', 24, lu), { sackNow: true });
  b.shutdown('client');

  // IPv6: chunk fragmentation at a 1280-octet path MTU, then IP fragmentation with a 4000-octet path estimate.
  s.clock.advanceMillis(30);
  const c = s.association({ client: { addresses: [PU.v6], port: 53001 }, server: { addresses: [PR1.v6], port: PORT.asap }, pathMtu: 1280 });
  c.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: ascii('ComputePool'), items: 20 }));
  s.clock.advanceMicros(700);
  c.send('server', hrr('ComputePool', 20, lu), { sackNow: true });
  c.shutdown('client');
  s.clock.advanceMillis(30);
  const d = s.association({ client: { addresses: [PU.v6], port: 53002 }, server: { addresses: [PR2.v6], port: PORT.asap }, pathMtu: 4000 });
  d.send('client', asap({ protocol: 'asap', type: 'handleResolution', poolHandle: ascii('StoragePool'), items: 30 }));
  s.clock.advanceMicros(650);
  d.send('server', hrr('StoragePool', 30, () => POLICIES.random), { sackNow: true });
  d.shutdown('client');
  s.writer.close();
}
