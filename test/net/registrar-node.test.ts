/**
 * The networked registrar with ASAP and ENRP on ONE UDP socket (as the lab's slirp NAT needs,
 * interop/rsplib-clients.test.ts), peers reached on the associations they opened (T-6), and the
 * pcapng tap.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureMessages, type CapturedMessage } from '../../src/capture/index.js';
import { PoolElementNode } from '../../src/net/pool-element.js';
import { resolvePool } from '../../src/net/pool-user.js';
import { PcapTap } from '../../src/net/pcap-tap.js';
import { protocolOf, RegistrarNode, sameUdpEndpoint } from '../../src/net/registrar-node.js';
import type { NetLogRecord } from '../../src/net/log.js';
import { defaultConfig } from '../../src/registrar/index.js';

/** A UDP port that was free a moment ago (a shared socket needs a fixed, non-zero port). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const fast = { asapAnnounce: false, enrpAnnounce: false, mentorDiscoveryTimeout: 300, peerHeartbeatCycle: 200, checkAddresses: true, minAddressScope: 'loopback' } as const;

describe('protocolOf / sameUdpEndpoint', () => {
  it('tells ASAP and ENRP associations of a shared socket apart by SCTP port', () => {
    expect(protocolOf(3863, 40000)).toBe('asap'); // a PE or PU came in on 3863
    expect(protocolOf(9901, 9901)).toBe('enrp'); // a peer came in on 9901
    expect(protocolOf(50123, 9901)).toBe('enrp'); // we opened it towards a peer's 9901
    expect(protocolOf(50123, 3863)).toBe('asap');
  });
  it('treats only the same fixed host and port as one socket', () => {
    expect(sameUdpEndpoint({ host: '127.0.0.1', port: 9899 }, { host: '127.0.0.1', port: 9899 })).toBe(true);
    expect(sameUdpEndpoint({ host: '127.0.0.1', port: 9899 }, { host: '127.0.0.1', port: 9898 })).toBe(false);
    expect(sameUdpEndpoint({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 })).toBe(false);
  });
});

describe('registrar with ASAP and ENRP on one UDP socket', () => {
  it('serves a PE and a PU on it, and a peer that finds it there gets answers on its own association', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsh-regnode-'));
    const pcap = new PcapTap(join(dir, 'a.pcapng'));
    const logA: NetLogRecord[] = [];
    const port = await freePort();
    const shared = { host: '127.0.0.1', port };
    const a = await RegistrarNode.start({ config: defaultConfig(0xa, fast), asap: shared, enrp: shared, log: (r) => logA.push(r), tap: pcap.tap });
    // B knows A's address (static peer); A knows nothing about B and must answer on B's association.
    const b = await RegistrarNode.start({
      config: defaultConfig(0xb, { ...fast, staticPeers: [0xa] }),
      asap: { host: '127.0.0.1', port: 0 },
      enrp: { host: '127.0.0.1', port: 0 },
      peers: new Map([[0xa, shared]]),
      log: () => undefined,
    });
    let pe: PoolElementNode | undefined;
    try {
      expect(a.enrp).toBe(a.asap);
      pe = await PoolElementNode.start({ registrar: shared, pool: 'shared', peId: 0x77, policy: { name: 'roundRobin' }, lifetime: 30_000, userAddress: '127.0.0.1', userPort: 7, log: () => undefined, timeoutMs: 3000 });
      const seen: number[] = [];
      await resolvePool(shared, 'shared', { count: 1, interval: 0, each: (p) => seen.push(...p.map((x) => x.peId)), timeoutMs: 3000 });
      expect(seen).toEqual([0x77]);
      // PP-2 / HT-1: B's Presence reaches A over the shared socket, A adds B and answers B's
      // Handle Table Request on B's association; B ends up with A's PE, homed at A.
      await until(() => a.registrar.peerIds().includes(0xb), 5000);
      await until(() => b.registrar.handlespace.find(new TextEncoder().encode('shared'), 0x77) !== undefined, 5000);
      expect(b.registrar.handlespace.find(new TextEncoder().encode('shared'), 0x77)?.homeRegistrarId).toBe(0xa);
      expect(logA.some((r) => r.event === 'peerAssociationLearned' && r.detail?.['peerId'] === 0xb)).toBe(true);
      expect(logA.some((r) => r.event === 'peerUnknown')).toBe(false);
    } finally {
      await pe?.stop();
      await b.stop();
      await a.stop();
      pcap.close();
    }
    // The tap saw both protocols on the one socket, and the file reads back with the project's reader.
    expect(pcap.count).toBeGreaterThan(10);
    const messages: CapturedMessage[] = [];
    for await (const item of readCaptureMessages(pcap.path, { sctpOverUdpPorts: [port] })) if (item.kind === 'message') messages.push(item);
    expect(new Set(messages.map((m) => m.protocol))).toEqual(new Set(['asap', 'enrp']));
    expect(messages.every((m) => m.transport === 'sctp-over-udp' && m.checksumOk === true)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('still opens two sockets when ASAP and ENRP are given apart', async () => {
    const a = await RegistrarNode.start({ config: defaultConfig(0xc, fast), asap: { host: '127.0.0.1', port: 0 }, enrp: { host: '127.0.0.1', port: 0 }, log: () => undefined });
    try {
      expect(a.enrp).not.toBe(a.asap);
      expect(a.enrp!.local.port).not.toBe(a.asap.local.port);
    } finally {
      await a.stop();
    }
  });
});

describe('registrar --enrp-address (PP-5)', () => {
  it('names the advertised addresses instead of the socket address in the Server Information', async () => {
    const { enrpTransportFor } = await import('../../src/cli/registrar.js');
    // Behind slirp the guest sees us as 10.0.2.2, never as the namespace's 127.0.0.1.
    expect(enrpTransportFor({ host: '127.0.0.1', port: 9899 }, ['10.0.2.2']).addresses).toEqual([{ family: 'ipv4', address: '10.0.2.2' }]);
    expect(enrpTransportFor({ host: '127.0.0.1', port: 9899 }).addresses).toEqual([{ family: 'ipv4', address: '127.0.0.1' }]);
  });
});

describe('registrar timers on the network', () => {
  it('never hands the registrar a time event before the deadline it asked for (a timer firing early would stall it)', async () => {
    // A clock at half speed: every setTimeout fires "early" against it, as libuv timers do
    // against performance.now under load (they count from a cached loop time). The registrar
    // asks for a timer only when its deadline changes, so an early `time` event that finds
    // nothing due would leave it without a timer: here, start-up (ST-2) would never end.
    const log: NetLogRecord[] = [];
    const t0 = performance.now();
    const slow = (): number => (performance.now() - t0) / 2;
    const node = await RegistrarNode.start({
      config: defaultConfig(0xd, { asapAnnounce: false, enrpAnnounce: false, mentorDiscoveryTimeout: 200 }),
      asap: { host: '127.0.0.1', port: 0 },
      log: (r) => log.push(r),
      clock: slow,
    });
    try {
      await until(() => log.some((r) => r.event === 'startup.ended'), 3000);
      expect(slow()).toBeGreaterThanOrEqual(200);
    } finally {
      await node.stop();
    }
  });
});
