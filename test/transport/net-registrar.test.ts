import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/registrar/index.js';
import { RegistrarNode } from '../../src/net/registrar-node.js';
import { PoolElementNode } from '../../src/net/pool-element.js';
import { resolvePool } from '../../src/net/pool-user.js';
import type { NetLogRecord } from '../../src/net/log.js';
import type { PoolElement } from '../../codecs/index.js';

describe('registrar, PE and PU over SCTP/UDP on loopback', () => {
  it('registers a PE, resolves it, and deregisters it on stop', async () => {
    const logs: NetLogRecord[] = [];
    const log = (r: NetLogRecord) => logs.push(r);
    const registrar = await RegistrarNode.start({
      config: defaultConfig(0x1234, { checkAddresses: true, minAddressScope: 'loopback', asapAnnounce: false, enrpAnnounce: false, mentorDiscoveryTimeout: 10 }),
      asap: { host: '127.0.0.1', port: 0 },
      log,
    });
    const regAddr = { host: '127.0.0.1', port: registrar.asap.local.port };
    let pe: PoolElementNode | undefined;
    try {
      pe = await PoolElementNode.start({ registrar: regAddr, pool: 'echo', peId: 0xabc, policy: { name: 'roundRobin' }, lifetime: 30_000, userAddress: '127.0.0.1', userPort: 7, log, timeoutMs: 3000 });
      const seen: PoolElement[][] = [];
      await resolvePool(regAddr, 'echo', { count: 2, interval: 10, each: (p) => seen.push([...p]), timeoutMs: 3000 });
      expect(seen).toHaveLength(2);
      expect(seen[0]!.map((p) => p.peId)).toEqual([0xabc]);
      await pe.stop();
      pe = undefined;
      expect(logs.some((l) => l.event === 'deregistered' && l.detail?.ok === true)).toBe(true);
      await expect(resolvePool(regAddr, 'echo', { count: 1, interval: 0, each: () => undefined, timeoutMs: 3000 })).rejects.toThrow('RSP_ERR_NET_REFUSED');
    } finally {
      await pe?.stop();
      await registrar.stop();
    }
  });

  it('reports an unreachable registrar clearly', async () => {
    const logs: NetLogRecord[] = [];
    await expect(
      PoolElementNode.start({ registrar: { host: '127.0.0.1', port: 9 }, pool: 'x', peId: 1, policy: { name: 'roundRobin' }, lifetime: 30_000, userAddress: '127.0.0.1', userPort: 7, log: (r) => logs.push(r), timeoutMs: 500 }),
    ).rejects.toThrow('RSP_ERR_NET_REGISTRAR_UNREACHABLE');
  });
});
