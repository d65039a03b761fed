/**
 * The whole conformance suite over the network target against our own networked reference
 * registrar on loopback (`rserpool-harness conformance --embedded network`), in real time and
 * without an expectations file: the reference registrar is the suite's reference, so every case
 * must PASS, except those needing multicast, which the network target does not carry (they SKIP).
 * A FAIL / TIMEOUT here is a bug of the network target or of the networked registrar
 * (src/net/registrar-node.ts), never an expected deviation.
 *
 * Bounded to about two minutes by the short timers of `embeddedNetworkConfig` (1 s cycles); the
 * test allows 180 s for the run, more than that is a regression of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { startEmbeddedNetwork, type EmbeddedNetwork } from '../../src/conformance/embedded-network.js';
import { runCases, type CaseResult, type RunReport } from '../../src/conformance/runner.js';
import { cli } from '../support/cli.js';

/** Longest acceptable run of the whole suite, ms. */
const RUN_BUDGET_MS = 180_000;

/** SKIPs that are not a defect: the network target carries no multicast in either direction. */
const MULTICAST_SKIP = /needs multicast(Listen|Send)\b/;

/** The failing check and the exchange, so a red test says why. */
function explain(r: CaseResult): string {
  const head = `${r.verdict} ${r.requirement ?? ''} expected ${r.expected ?? ''}; actual ${r.actual ?? ''} ${r.reason ?? ''}`;
  return `${head}\n${r.trace.map((t) => `${t.at} ${t.direction} ${t.endpoint} ${t.text}`).join('\n')}`;
}

describe('conformance suite over SCTP/UDP against the networked reference registrar on loopback (--embedded network)', () => {
  let embedded: EmbeddedNetwork | undefined;
  let report: RunReport | undefined;
  let wallMs = 0;
  const results = new Map<string, CaseResult>();

  beforeAll(async () => {
    embedded = await startEmbeddedNetwork();
    const t0 = performance.now();
    report = await runCases(embedded.target, ALL_CASES);
    wallMs = Math.round(performance.now() - t0);
    for (const r of report.results) results.set(r.id, r);
    if (process.env['NETWORK_CONFORMANCE_VERBOSE'] !== undefined) {
      for (const r of report.results) console.log(`${r.verdict} ${r.id} ${r.durationMs}ms ${r.reason ?? ''}`);
      console.log(`loopback network run: ${wallMs} ms`, JSON.stringify(report.counts));
    }
  }, RUN_BUDGET_MS + 60_000);

  afterAll(async () => {
    await embedded?.dispose();
  }, 30_000);

  it('the run stays within its time budget, with the registrar answering before and after', () => {
    expect(report).toBeDefined();
    expect(wallMs).toBeLessThan(RUN_BUDGET_MS);
    expect(report!.sanity.before && report!.sanity.after).toBe(true);
  });

  for (const c of ALL_CASES) {
    it(c.id, () => {
      const r = results.get(c.id);
      expect(r, `no verdict for ${c.id}`).toBeDefined();
      if (r!.verdict === 'SKIP') expect(r!.reason ?? '', 'only multicast cases may SKIP').toMatch(MULTICAST_SKIP);
      else expect(r!.verdict, explain(r!)).toBe('PASS');
    });
  }
});

describe('rserpool-harness conformance --embedded', () => {
  it('refuses an unknown mode and --embedded network with --target (exit 2)', () => {
    const bad = cli('conformance', '--embedded', 'qemu', '--list');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('expected virtual or network');
    const both = cli('conformance', '--embedded', 'network', '--target', 'udp:127.0.0.1:9');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('does not go with --target');
  });

  it('lists the cases without starting a registrar, and documents the modes in --help', () => {
    const list = cli('conformance', '--embedded', 'network', '--list', '--only', 'enrp/presence/heartbeat');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^enrp\/presence\/heartbeat\t/);
    const help = cli('conformance', '--help');
    expect(help.stdout).toContain('--embedded <mode>');
    expect(help.stdout).toContain('--embedded network');
  });
});
