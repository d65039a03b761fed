import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { InProcessTarget, type RegistrarFactory } from '../../src/conformance/in-process-target.js';
import { junitXml } from '../../src/conformance/reporters.js';
import { runCases, selectCases, type RunReport, type Verdict } from '../../src/conformance/runner.js';
import { VARIANTS, diesAfter } from '../../src/conformance/variants.js';

const SCHEMA = fileURLToPath(new URL('../../conformance/schemas/junit.xsd', import.meta.url));
/** xmllint comes from the Debian package libxml2-utils. */
const XMLLINT = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!XMLLINT) console.warn('junit-schema.test: xmllint not found (Debian package libxml2-utils): the JUnit XML schema checks are skipped');

function validate(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junit-xsd-'));
  const file = join(dir, 'report.xml');
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

async function run(factory: RegistrarFactory, prefixes: string[], expectFail: string[] = [], isolate = true): Promise<RunReport> {
  const target = new InProcessTarget({ factory, isolate });
  const report = await runCases(target, selectCases(ALL_CASES, prefixes), { expectFail: new Set(expectFail) });
  await target.dispose();
  return report;
}

/** Two runs' results as one report (no single registrar gives every verdict at once). */
function merge(a: RunReport, b: RunReport): RunReport {
  const results = [...a.results, ...b.results];
  const counts = { PASS: 0, FAIL: 0, TIMEOUT: 0, ERROR: 0, CRASH: 0, SKIP: 0, XFAIL: 0, XPASS: 0 } satisfies Record<Verdict, number>;
  for (const r of results) counts[r.verdict]++;
  return { ...a, results, counts, ok: a.ok && b.ok };
}

describe.skipIf(!XMLLINT)('JUnit XML against conformance/schemas/junit.xsd (xmllint)', () => {
  it('a report with PASS, FAIL, TIMEOUT, ERROR, SKIP, XFAIL and XPASS verdicts is valid', async () => {
    const broken = await run(
      VARIANTS.emptySuccessForUnknownPool,
      ['asap/handle-resolution/unknown-pool', 'asap/deregistration/last-pe-removes-pool', 'asap/handle-resolution/answer', 'asap/handle-resolution/default-items', 'asap/registration/reject/pool-full'],
      ['asap/deregistration/last-pe-removes-pool', 'asap/handle-resolution/default-items'],
    );
    const silent = await run(VARIANTS.noKeepAlives, ['asap/keep-alive/sent']);
    // A registrar that stops answering mid-run: the remaining cases are ERRORs.
    const dying = await run(diesAfter(40), ['asap/registration'], [], false);
    const report = merge(merge(broken, silent), dying);
    const seen = new Set(report.results.map((r) => r.verdict));
    for (const v of ['PASS', 'FAIL', 'TIMEOUT', 'ERROR', 'SKIP', 'XFAIL', 'XPASS'] as const) expect(seen, v).toContain(v);
    const xml = junitXml(report);
    const r = validate(xml);
    expect(r.ok, r.output).toBe(true);
    // The schema cannot check the counts; check them against the test cases here.
    const failures = (xml.match(/<failure /g) ?? []).length;
    const errors = (xml.match(/<error /g) ?? []).length;
    const skipped = (xml.match(/<skipped /g) ?? []).length;
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${report.results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`));
  });

  it('the whole suite against the reference registrar is valid', async () => {
    const target = new InProcessTarget();
    const report = await runCases(target, ALL_CASES);
    const r = validate(junitXml(report));
    expect(r.ok, r.output).toBe(true);
  });

  it('the schema is not vacuous: it rejects malformed reports', () => {
    const bad = [
      '<testsuites name="x" tests="one"><testsuite name="a" tests="1"/></testsuites>',
      '<testsuites name="x" tests="1"><testsuite name="a" tests="1"><testcase classname="c"/></testsuite></testsuites>',
      '<testsuites name="x" tests="1"><testsuite name="a" tests="1"><testcase name="t"><failure><b/></failure></testcase></testsuite></testsuites>',
      '<testsuites name="x" tests="1"><testsuite name="a" tests="1" time="-1"/></testsuites>',
      '<testsuites name="x" tests="1"><testcase name="t"/></testsuites>',
    ];
    for (const doc of bad) expect(validate(doc).ok, doc).toBe(false);
    expect(validate('<testsuites name="x" tests="0"/>').ok).toBe(true);
  });
});
