import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { RSERPOOL_PPID, readCaptureMessages } from '../../src/capture/index.js';
import { InProcessTarget, type RegistrarFactory } from '../../src/conformance/in-process-target.js';
import { pcapFileName, tracePcapng, writeCasePcaps } from '../../src/conformance/pcap.js';
import { runCases, selectCases, type RunReport } from '../../src/conformance/runner.js';
import type { TraceEntry } from '../../src/conformance/target.js';
import { VARIANTS } from '../../src/conformance/variants.js';
import { cli } from '../support/cli.js';

const TSHARK = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * The trace entries that reach the wire as ASAP / ENRP messages, in order. Messages a case sends
 * with a foreign PPID are on the wire too, but neither reader counts them as ASAP / ENRP.
 */
function wireMessages(trace: readonly TraceEntry[]): TraceEntry[] {
  return trace.filter((e) => e.direction !== 'event' && e.bytes.length > 0 && (e.channel === 'udp' || e.channel === 'multicast' || RSERPOOL_PPID.has(e.ppid)));
}

async function captured(file: string): Promise<{ bytes: Uint8Array; ppid: number | undefined; src: string; checksumOk: boolean | undefined }[]> {
  const out = [];
  for await (const item of readCaptureMessages(file)) {
    if (item.kind === 'message') out.push({ bytes: item.bytes, ppid: item.ppid, src: item.src, checksumOk: item.checksumOk });
  }
  return out;
}

/** One tshark pass over a file: the frames it decodes as ASAP / ENRP, and those it calls malformed. */
function tsharkView(file: string): { rserpool: number; malformed: string[] } {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Info'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const rows = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('|'));
  return {
    rserpool: rows.filter((f) => /:(asap|enrp)(:|$)/.test(f[1] ?? '')).length,
    malformed: rows.filter((f) => /:_ws\.malformed|Malformed/.test(`${f[1]}|${f[2]}`)).map((f) => `${f[0]} ${f[2]}`),
  };
}

async function run(factory: RegistrarFactory | undefined, prefixes: string[], expectFail: Iterable<string> = []): Promise<RunReport> {
  const target = new InProcessTarget(factory !== undefined ? { factory } : {});
  const report = await runCases(target, selectCases(ALL_CASES, prefixes), { expectFail: new Set(expectFail) });
  await target.dispose();
  return report;
}

/** Checks a written file against its trace with the project's reader: same messages, same order, good CRC32c. */
async function expectRoundTrip(file: string, trace: readonly TraceEntry[]): Promise<void> {
  const want = wireMessages(trace);
  const got = await captured(file);
  expect(got.map((m) => Buffer.from(m.bytes).toString('hex')), file).toEqual(want.map((e) => Buffer.from(e.bytes).toString('hex')));
  got.forEach((m, i) => {
    const e = want[i]!;
    if (e.channel === 'association' || e.channel === 'incoming') {
      expect(m.ppid).toBe(e.ppid);
      expect(m.checksumOk).toBe(true);
      // Direction survives: the target's messages come from its address.
      expect(m.src === e.remote?.address.address, `${file} #${i}`).toBe(e.direction === 'fromTarget');
    }
  });
}

describe('--pcap-dir captures', () => {
  it('pcapFileName replaces every / by __', () => {
    expect(pcapFileName('asap/handle-resolution/unknown-pool')).toBe('asap__handle-resolution__unknown-pool.pcapng');
  });

  it('a failing case of a broken registrar is written, read back and decoded by tshark', async () => {
    const report = await run(VARIANTS.emptySuccessForUnknownPool, ['asap/handle-resolution', 'asap/deregistration/last-pe-removes-pool']);
    const failing = report.results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP');
    expect(failing.map((r) => r.id)).toContain('asap/handle-resolution/unknown-pool');
    const dir = mkdtempSync(join(tmpdir(), 'conf-pcap-'));
    const files = writeCasePcaps(report, dir);
    // Exactly the non-PASS, non-SKIP cases get a file.
    expect(readdirSync(dir).sort()).toEqual(failing.map((r) => pcapFileName(r.id)).sort());
    for (const r of failing) {
      const file = join(dir, pcapFileName(r.id));
      expect(files).toContain(file);
      expect(wireMessages(r.trace).length).toBeGreaterThan(0);
      await expectRoundTrip(file, r.trace);
      if (TSHARK) {
        // Every message is an ASAP / ENRP frame to tshark (none bundled: each send is its own packet).
        const view = tsharkView(file);
        expect(view.rserpool, file).toBe(wireMessages(r.trace).length);
        expect(view.malformed, file).toEqual([]);
      }
    }
  });

  it('ENRP peers, incoming associations and multicast decode cleanly in tshark', async () => {
    // A registrar without Handle Updates times out the propagation cases, whose traces hold peers;
    // listing every case as expected to fail keeps the passing ones' traces (as XPASS) too.
    const prefixes = ['enrp/handle-update', 'enrp/presence', 'asap/server-announce'];
    const all = await run(VARIANTS.noHandleUpdates, prefixes, selectCases(ALL_CASES, prefixes).map((c) => c.id));
    const dir = mkdtempSync(join(tmpdir(), 'conf-pcap-enrp-'));
    writeCasePcaps(all, dir);
    const traced = all.results.filter((r) => r.verdict !== 'SKIP' && wireMessages(r.trace).length > 0);
    const entries = traced.flatMap((r) => r.trace);
    expect(entries.some((e) => e.ppid === 12 && e.channel === 'association')).toBe(true);
    expect(entries.some((e) => e.channel === 'incoming' && e.direction === 'fromTarget')).toBe(true);
    expect(entries.some((e) => e.channel === 'multicast')).toBe(true);
    expect(entries.some((e) => e.channel === 'udp')).toBe(true);
    for (const r of traced) {
      const file = join(dir, pcapFileName(r.id));
      await expectRoundTrip(file, r.trace);
      if (TSHARK) {
        const view = tsharkView(file);
        expect(view.rserpool, file).toBe(wireMessages(r.trace).length);
        expect(view.malformed, file).toEqual([]);
      }
    }
  });

  it.skipIf(!TSHARK)('tshark is installed (otherwise the checks above only use the project reader)', () => {
    expect(TSHARK).toBe(true);
  });

  it('every case of the suite replays into a capture the project reader recovers exactly', async () => {
    const ids = ALL_CASES.map((c) => c.id);
    const report = await run(undefined, [], ids);
    const dir = mkdtempSync(join(tmpdir(), 'conf-pcap-all-'));
    for (const r of report.results) {
      if (r.verdict === 'SKIP') continue;
      const file = join(dir, pcapFileName(r.id));
      writeFileSync(file, tracePcapng(r.trace, { seed: 3 }));
      await expectRoundTrip(file, r.trace);
    }
  });

  it('the same trace and seed give the same file', async () => {
    const report = await run(VARIANTS.emptySuccessForUnknownPool, ['asap/handle-resolution/unknown-pool']);
    const trace = report.results[0]!.trace;
    expect(Buffer.from(tracePcapng(trace, { seed: 5 })).equals(Buffer.from(tracePcapng(trace, { seed: 5 })))).toBe(true);
  });

  it('the CLI writes a capture per unexpected case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-pcap-cli-'));
    const list = join(dir, 'expect-fail.txt');
    writeFileSync(list, 'asap/handle-resolution/answer\n');
    const out = join(dir, 'pcaps');
    const r = cli('conformance', '--only', 'asap/handle-resolution', '--expect-fail', list, '--pcap-dir', out);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`wrote 1 pcapng file(s) to ${out}`);
    expect(existsSync(join(out, 'asap__handle-resolution__answer.pcapng'))).toBe(true);
    expect(readdirSync(out)).toEqual(['asap__handle-resolution__answer.pcapng']);
  });
});
