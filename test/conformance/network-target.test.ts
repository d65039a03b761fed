import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { NetworkTarget, parseTargetSpec } from '../../src/conformance/network-target.js';
import { runCases, selectCases } from '../../src/conformance/runner.js';
import { RegistrarNode } from '../../src/net/registrar-node.js';
import { defaultConfig } from '../../src/registrar/index.js';
import type { CaseResult } from '../../src/conformance/runner.js';

/** The failing check and the exchange, so a red test says why. */
function explain(r: CaseResult): string {
  const head = `${r.verdict} ${r.requirement ?? ''} expected ${r.expected ?? ''}; actual ${r.actual ?? ''} ${r.reason ?? ''}`;
  return `${head}\n${r.trace.map((t) => `${t.at} ${t.direction} ${t.endpoint} ${t.text}`).join('\n')}`;
}

describe('parseTargetSpec', () => {
  it('parses udp:HOST:PORT[,enrp=PORT]', () => {
    expect(parseTargetSpec('udp:127.0.0.1:9899')).toEqual({ host: '127.0.0.1', asapPort: 9899 });
    expect(parseTargetSpec('udp:10.0.0.1:9899,enrp=9901')).toEqual({ host: '10.0.0.1', asapPort: 9899, enrpPort: 9901 });
    expect(parseTargetSpec('udp:[::1]:9899')).toEqual({ host: '::1', asapPort: 9899 });
    for (const bad of ['127.0.0.1:9899', 'udp:127.0.0.1', 'udp:h:0', 'udp:h:1,foo=2', 'udp:h:1,enrp=x']) expect(() => parseTargetSpec(bad)).toThrow('RSP_ERR_CONFORMANCE_BAD_TARGET');
  });
});

describe('conformance cases over SCTP/UDP against the networked reference registrar on loopback', () => {
  let node: RegistrarNode;
  let target: NetworkTarget;
  beforeAll(async () => {
    // As `rserpool-harness registrar` on loopback: REG-8 address checks on, loopback addresses accepted.
    const config = defaultConfig(0x5e5e0002, { checkAddresses: true, minAddressScope: 'loopback', mentorDiscoveryTimeout: 10 });
    node = await RegistrarNode.start({ config, asap: { host: '127.0.0.1', port: 0 }, log: () => undefined });
    await new Promise((r) => setTimeout(r, 50)); // past the mentor hunt
    target = new NetworkTarget({ host: '127.0.0.1', asapPort: node.asap.local.port, config: { serverId: config.serverId } });
  });
  afterAll(async () => {
    await target?.dispose();
    await node?.stop();
  });

  const cases = selectCases(ALL_CASES, ['asap/registration', 'asap/deregistration', 'asap/handle-resolution']);
  it(`runs ${cases.length} cases with PASS or SKIP only`, async () => {
    const report = await runCases(target, cases);
    if (process.env['NETWORK_CONFORMANCE_VERBOSE'] !== undefined) for (const r of report.results) console.log(`${r.verdict} ${r.id} ${r.durationMs}ms ${r.reason ?? ''}`);
    const bad = report.results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP');
    expect(bad.map((r) => `${r.id}: ${explain(r)}`).join('\n\n')).toBe('');
    expect(report.sanity.before && report.sanity.after).toBe(true);
    expect(report.counts.PASS).toBeGreaterThan(0);
  }, 60_000);
});
