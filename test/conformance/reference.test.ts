import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { InProcessTarget } from '../../src/conformance/in-process-target.js';
import { runCases, type CaseResult } from '../../src/conformance/runner.js';

/** The failing check and the exchange, so a red test says why. */
export function explain(r: CaseResult): string {
  if (r.verdict === 'PASS') return '';
  const head = `${r.verdict} ${r.requirement ?? ''} expected ${r.expected ?? ''}; actual ${r.actual ?? ''} ${r.reason ?? ''}`;
  return `${head}\n${r.trace.map((t) => `${t.at} ${t.direction} ${t.endpoint} ${t.text}`).join('\n')}`;
}

describe('conformance cases against the in-process reference registrar (RFC profile)', () => {
  const target = new InProcessTarget();
  // Cases needing a pool size limit run against a registrar configured with one.
  const limited = new InProcessTarget({ config: { maxPoolElementsPerPool: 4 }, name: 'in-process (pool limit 4)' });
  for (const c of ALL_CASES) {
    it(c.id, async () => {
      const report = await runCases(c.needs?.includes('poolLimit') ? limited : target, [c]);
      const r = report.results[0];
      expect(r.verdict, explain(r)).toBe('PASS');
      expect(report.ok).toBe(true);
    });
  }
});
