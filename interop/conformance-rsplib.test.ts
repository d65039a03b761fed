/**
 * The whole conformance suite against rsplib 3.4.4's registrar (Debian `rsplib-registrar`, qemu
 * guest of scripts/lab/), one vitest test per case: each verdict must be the one
 * `conformance/expectations/rsplib-3.4.4.txt` predicts (PASS when the case is not listed, XFAIL for
 * a listed FAIL / TIMEOUT / CRASH, SKIP for a listed SKIP). A verdict that differs (a new FAIL, an
 * XPASS, an ERROR) fails that case's test.
 *
 * The guest is our own instance (LAB_NAME / LAB_NETNS / LAB_HOSTPORT below, so it does not collide
 * with rsplib-registrar.test.ts or a developer's guest), booted with the registrar options of
 * `conformance/targets/rsplib-3.4.4.json` (`registrarArgs`: shortened timers), and stopped in
 * afterAll whatever happened. Everything runs inside its network namespace (loopback only): the
 * driver talks to 127.0.0.1:HOSTPORT (slirp forward to the guest's UDP 9899) and accepts the
 * associations the guest opens on 127.0.0.1:9899.
 *
 * A case listed as CRASH kills the registrar; the runner runs such cases last. Only the first can
 * run in one go, so every further one is run alone on a freshly booted guest.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CASES } from '../conformance/index.js';
import { parseExpectations, type Expectation, type Verdict } from '../src/conformance/runner.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAB = join(ROOT, 'scripts', 'lab');
const BUILD = process.env['LAB_BUILD'] ?? join(LAB, '.build');
const NAME = process.env['CONF_LAB_NAME'] ?? 'rshconfit';
const NETNS = process.env['CONF_LAB_NETNS'] ?? 'rshconfit';
const HOSTPORT = process.env['CONF_LAB_HOSTPORT'] ?? '9912';
const SCALE = process.env['CONF_TIMEOUT_SCALE'] ?? '1.5';
// rsplib's sends to a live peer sometimes fail with ENOENT while it is flooding fake peers that have
// left (registrar log: "sendtoplus() error: No such file or directory"); such a case passes when run again.
const RETRIES = process.env['CONF_RETRIES'] ?? '2';
const TARGET_FILE = join(ROOT, 'conformance', 'targets', 'rsplib-3.4.4.json');
const EXPECT_FILE = join(ROOT, 'conformance', 'expectations', 'rsplib-3.4.4.txt');
const OUT = process.env['CONF_OUT'] ?? join(BUILD, 'conformance-rsplib');
const CLI = join(ROOT, 'bin', 'rserpool-harness.mjs');
const LAB_ENV = { ...process.env, LAB_BUILD: BUILD, LAB_NAME: NAME, LAB_NETNS: NETNS, LAB_HOSTPORT: HOSTPORT };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const run = (file: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });

/** What the JSON report holds per case (the part this test reads). */
interface JsonResult {
  readonly id: string;
  readonly verdict: Verdict;
  readonly reason?: string;
  readonly requirement?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly durationMs: number;
}
interface JsonReport {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly counts: Record<Verdict, number>;
  readonly results: readonly JsonResult[];
  readonly expectedCrash?: string;
}

const expectations: ReadonlyMap<string, Expectation> = parseExpectations(readFileSync(EXPECT_FILE, 'utf8'), EXPECT_FILE);
const registrarArgs = (JSON.parse(readFileSync(TARGET_FILE, 'utf8')) as { registrarArgs?: string[] }).registrarArgs ?? [];

/** The verdict a case must get: PASS unless listed; listed failures and crashes are XFAIL, listed SKIPs SKIP. */
function expectedVerdict(id: string): Verdict {
  const e = expectations.get(id);
  if (e === undefined) return 'PASS';
  return e.verdicts.has('SKIP') && e.verdicts.size === 1 ? 'SKIP' : 'XFAIL';
}

const results = new Map<string, JsonResult>();
const runs: { what: string; ms: number; code: number | null; ok: boolean | undefined }[] = [];
const timings: Record<string, number> = {};
let setupError: string | undefined;

async function boot(): Promise<void> {
  const t0 = performance.now();
  const r = await run(join(LAB, 'boot.sh'), [], 180_000, { ...LAB_ENV, LAB_APPEND: registrarArgs.map((a) => `rsh.regargs=${a}`).join(' ') });
  timings[`boot${Object.keys(timings).filter((k) => k.startsWith('boot')).length + 1}Ms`] = Math.round(performance.now() - t0);
  if (r.code !== 0) throw new Error(`boot.sh failed:\n${r.stdout}${r.stderr}`);
}

async function stop(): Promise<void> {
  await run(join(LAB, 'stop.sh'), [], 30_000, LAB_ENV);
}

/** Runs the suite (or `only`) in the namespace; returns the parsed JSON report. */
async function suite(what: string, only: readonly string[] = []): Promise<JsonReport> {
  const json = join(OUT, `${what.replace(/[^a-z0-9-]+/gi, '_')}.json`);
  const args = [
    'netns', 'exec', NETNS, process.execPath, CLI, 'conformance',
    '--target', `udp:127.0.0.1:${HOSTPORT},enrp=${HOSTPORT}`,
    '--target-config', TARGET_FILE,
    '--expect-fail', EXPECT_FILE,
    '--timeout-scale', SCALE,
    '--retries', RETRIES,
    '--json', json,
    '--junit', json.replace(/\.json$/, '.xml'),
    ...(only.length > 0 ? ['--only', ...only] : []),
  ];
  const t0 = performance.now();
  const r = await run('ip', args, 900_000);
  const ms = Math.round(performance.now() - t0);
  writeFileSync(json.replace(/\.json$/, '.log'), `${r.stderr}\n${r.stdout}`);
  if (!existsSync(json)) throw new Error(`conformance run ${what} wrote no report (exit ${r.code}):\n${r.stderr.slice(-4000)}`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  runs.push({ what, ms, code: r.code, ok: report.ok });
  return report;
}

describe('conformance suite against rsplib 3.4.4 (qemu guest)', () => {
  beforeAll(async () => {
    const t0 = performance.now();
    try {
      mkdirSync(OUT, { recursive: true });
      if (!existsSync(join(BUILD, 'vmlinux')) || !existsSync(join(BUILD, 'initrd.img'))) {
        const b = await run(join(LAB, 'build-image.sh'), [], 900_000, { ...process.env, LAB_BUILD: BUILD });
        if (b.code !== 0) throw new Error(`build-image.sh failed:\n${b.stdout}${b.stderr}`);
      }
      await stop(); // a stale instance of this test's own name
      await boot();
      const main = await suite('all');
      for (const r of main.results) results.set(r.id, r);
      // Further CRASH cases could not run after the first killed the registrar: each on a fresh guest.
      const notRun = main.results.filter((r) => r.verdict === 'SKIP' && expectations.get(r.id)?.verdicts.has('CRASH') === true);
      for (const r of notRun) {
        await stop();
        await boot();
        const alone = await suite(r.id, [r.id]);
        for (const x of alone.results) results.set(x.id, x);
      }
    } catch (e) {
      setupError = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      timings['setupMs'] = Math.round(performance.now() - t0);
    }
  }, 1_500_000);

  afterAll(async () => {
    if (process.env['LAB_KEEP'] !== '1') {
      const t0 = performance.now();
      await stop();
      timings['stopMs'] = Math.round(performance.now() - t0);
    }
    mkdirSync(OUT, { recursive: true });
    const counts: Record<string, number> = {};
    for (const r of results.values()) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    writeFileSync(join(OUT, 'summary.json'), JSON.stringify({ at: new Date().toISOString(), timings, runs, counts, setupError }, null, 2) + '\n');
    console.log('conformance vs rsplib:', JSON.stringify({ timings, runs, counts }));
  }, 60_000);

  it('every run ended OK (no unexpected verdict; the registrar only died where a CRASH was expected)', () => {
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.ok !== true)).toEqual([]);
  });

  for (const c of ALL_CASES) {
    const want = expectedVerdict(c.id);
    it(`${c.id} → ${want}`, () => {
      const r = results.get(c.id);
      expect(r, `no verdict for ${c.id}${setupError !== undefined ? ` (setup failed: ${setupError.split('\n')[0]})` : ''}`).toBeDefined();
      const why = `${r!.verdict} ${r!.requirement ?? ''} expected ${r!.expected ?? ''}; got ${r!.actual ?? ''} ${r!.reason ?? ''}`;
      expect(r!.verdict, why).toBe(want);
    });
  }
});
