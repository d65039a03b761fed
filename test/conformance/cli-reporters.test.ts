import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { InProcessTarget } from '../../src/conformance/in-process-target.js';
import { htmlReport, jsonReport, junitXml } from '../../src/conformance/reporters.js';
import { runCases, selectCases } from '../../src/conformance/runner.js';
import { VARIANTS } from '../../src/conformance/variants.js';
import { cli } from '../support/cli.js';

describe('reporters', () => {
  it('JUnit XML keeps failures and errors apart and counts them', async () => {
    const cases = selectCases(ALL_CASES, ['asap/handle-resolution/unknown-pool', 'asap/handle-resolution/answer', 'asap/registration/reject/pool-full']);
    const report = await runCases(new InProcessTarget({ factory: VARIANTS.emptySuccessForUnknownPool }), cases);
    const x = junitXml(report);
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(x).toMatch(/<testsuites [^>]*tests="3" failures="1" errors="0" skipped="1"/);
    expect((x.match(/<testcase /g) ?? []).length).toBe(3);
    expect((x.match(/<failure /g) ?? []).length).toBe(1);
    expect((x.match(/<skipped /g) ?? []).length).toBe(1);
    expect(x).toContain('HR-2');
    // Balanced suites.
    expect((x.match(/<testsuite /g) ?? []).length).toBe((x.match(/<\/testsuite>/g) ?? []).length);
    const j = JSON.parse(jsonReport(report)) as { results: { id: string; verdict: string; trace: unknown[] }[] };
    expect(j.results.find((r) => r.id === 'asap/handle-resolution/unknown-pool')?.verdict).toBe('FAIL');
    expect(j.results.find((r) => r.id === 'asap/handle-resolution/unknown-pool')?.trace.length).toBeGreaterThan(0);
    const h = htmlReport(report);
    expect(h).toContain('<!DOCTYPE html>');
    expect(h).not.toMatch(/<script|<link|src="http/);
  });
});

describe('rserpool-harness conformance', () => {
  it('runs everything in-process, writes the reports and exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-'));
    const r = cli('conformance', '--junit', join(dir, 'r.xml'), '--json', join(dir, 'r.json'), '--html', join(dir, 'r.html'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('result: OK');
    expect(r.stderr).toMatch(/\[\s*1\/\d+\] PASS/);
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toContain('<testsuites');
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).results.length).toBe(ALL_CASES.length);
  });

  it('--list / --only / --exclude select cases', () => {
    const r = cli('conformance', '--list', '--only', 'enrp/takeover', '--exclude', 'enrp/takeover/lone-survivor');
    const ids = r.stdout.trim().split('\n').map((l) => l.split('\t')[0]);
    expect(ids.every((i) => i.startsWith('enrp/takeover/'))).toBe(true);
    expect(ids).not.toContain('enrp/takeover/lone-survivor');
  });

  it('--expect-fail turns a passing case into XPASS and exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-'));
    writeFileSync(join(dir, 'xf'), '# known\nenrp/list/answer\n');
    const r = cli('conformance', '--only', 'enrp/list', '--expect-fail', join(dir, 'xf'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('XPASS   enrp/list/answer');
  });

  it('--target and --target-config are checked before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-target-'));
    const bad = cli('conformance', '--target', '192.0.2.1:9899');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('RSP_ERR_CONFORMANCE_BAD_TARGET');
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ keepAliveTimeoutInterval: 'soon' }));
    const badCfg = cli('conformance', '--target', 'udp:127.0.0.1:9899', '--target-config', join(dir, 'cfg.json'));
    expect(badCfg.status).toBe(2);
    expect(badCfg.stderr).toContain('keepAliveTimeoutInterval must be a non-negative number');
    writeFileSync(join(dir, 'cfg2.json'), JSON.stringify({ noSuchTunable: 1 }));
    expect(cli('conformance', '--target', 'udp:127.0.0.1:9899', '--target-config', join(dir, 'cfg2.json')).stderr).toContain('unknown key "noSuchTunable"');
    expect(cli('conformance', '--target-config', join(dir, 'cfg.json')).status).toBe(2);
  });
});
