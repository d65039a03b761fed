import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { InProcessTarget, type RegistrarFactory } from '../../src/conformance/in-process-target.js';
import { runCases, selectCases } from '../../src/conformance/runner.js';
import { VARIANTS, diesAfter } from '../../src/conformance/variants.js';

async function failing(factory: RegistrarFactory, prefixes: string[]): Promise<Map<string, string>> {
  const target = new InProcessTarget({ factory });
  const report = await runCases(target, selectCases(ALL_CASES, prefixes));
  return new Map(report.results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP').map((r) => [r.id, r.verdict]));
}

describe('broken registrar variants make the right cases fail', () => {
  it('ignoring Endpoint Unreachable: the threshold cases fail', async () => {
    const bad = await failing(VARIANTS.ignoresFailureReports, ['asap/unreachable', 'asap/registration']);
    expect(bad.get('asap/unreachable/threshold-removes')).toBe('FAIL');
    expect(bad.get('asap/unreachable/threshold-announced')).toBe('TIMEOUT');
    expect(bad.get('asap/unreachable/counts-across-pus')).toBe('FAIL');
    expect(bad.has('asap/unreachable/below-threshold-keeps')).toBe(false);
    expect([...bad.keys()].some((id) => id.startsWith('asap/registration'))).toBe(false);
  });

  it('empty success for an unknown pool: the unknown-pool cases fail', async () => {
    const bad = await failing(VARIANTS.emptySuccessForUnknownPool, ['asap/handle-resolution', 'asap/deregistration']);
    expect(bad.get('asap/handle-resolution/unknown-pool')).toBe('FAIL');
    expect(bad.get('asap/deregistration/last-pe-removes-pool')).toBe('FAIL');
    expect(bad.has('asap/handle-resolution/answer')).toBe(false);
  });

  it('no Handle Updates: propagation cases fail', async () => {
    const bad = await failing(VARIANTS.noHandleUpdates, ['enrp/handle-update', 'asap/registration/announced-to-peers', 'asap/deregistration/announced']);
    expect(bad.get('enrp/handle-update/to-every-peer')).toBe('TIMEOUT');
    expect(bad.get('asap/registration/announced-to-peers')).toBe('TIMEOUT');
    expect(bad.get('asap/deregistration/announced')).toBe('TIMEOUT');
  });

  it('no Keep-Alives: keep-alive cases fail', async () => {
    const bad = await failing(VARIANTS.noKeepAlives, ['asap/keep-alive']);
    expect(bad.get('asap/keep-alive/sent')).toBe('TIMEOUT');
    expect(bad.get('asap/keep-alive/timeout-removes')).toBe('FAIL');
  });

  it('no takeover: takeover cases fail', async () => {
    const bad = await failing(VARIANTS.noTakeover, ['enrp/takeover']);
    expect(bad.get('enrp/takeover/silent-peer-init')).toBe('TIMEOUT');
    expect(bad.get('enrp/takeover/completes-after-acks')).toBe('TIMEOUT');
  });

  it('no Error messages: reporting cases fail', async () => {
    const bad = await failing(VARIANTS.silentOnErrors, ['errors']);
    expect(bad.get('errors/unknown-parameter/asap/stop-report')).toBe('FAIL');
    expect(bad.get('errors/unknown-type/asap')).toBe('TIMEOUT');
    expect(bad.has('errors/unknown-parameter/asap/skip')).toBe(false);
  });

  it('a target that dies: the rest turn into ERROR and the run fails', async () => {
    const target = new InProcessTarget({ factory: diesAfter(40), isolate: false });
    const report = await runCases(target, selectCases(ALL_CASES, ['asap/registration']));
    expect(report.ok).toBe(false);
    expect(report.counts.ERROR).toBeGreaterThan(0);
    expect(report.sanity.afterTimeouts.some((s) => !s.ok)).toBe(true);
  });

  it('expected failures: FAIL becomes XFAIL, PASS becomes XPASS (which fails the run)', async () => {
    const target = new InProcessTarget({ factory: VARIANTS.emptySuccessForUnknownPool });
    const cases = selectCases(ALL_CASES, ['asap/handle-resolution/unknown-pool', 'asap/handle-resolution/answer']);
    const report = await runCases(target, cases, { expectFail: new Set(['asap/handle-resolution/unknown-pool']) });
    expect(Object.fromEntries(report.results.map((r) => [r.id, r.verdict]))).toEqual({ 'asap/handle-resolution/unknown-pool': 'XFAIL', 'asap/handle-resolution/answer': 'PASS' });
    expect(report.ok).toBe(true);
    const again = await runCases(new InProcessTarget(), cases, { expectFail: new Set(['asap/handle-resolution/unknown-pool']) });
    expect(again.results.find((r) => r.id === 'asap/handle-resolution/unknown-pool')?.verdict).toBe('XPASS');
    expect(again.ok).toBe(false);
  });
});
