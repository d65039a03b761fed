/**
 * `npm run bench:decode`: how fast `rserpool-harness decode FILE --format jsonl` turns a capture
 * into JSON lines, next to `tshark -T json` and `tshark -T fields` on the same file, and whether
 * its memory stays flat as the file doubles.
 *
 * A capture of ≥ 200,000 ASAP/ENRP messages (realistic registrar traffic, fixed seed; see
 * `decode-traffic.ts`) and one twice as large are written to a temporary directory. Each decoder
 * runs as its own process with stdout on /dev/null. Rates and ratios use CPU time (user + system,
 * from GNU time), which other work on a shared machine disturbs far less than wall time; wall
 * time is shown too. Both include process start-up (reported separately). Peak RSS also comes
 * from GNU time. Ours: median of BENCH_RUNS (default 3) runs; tshark: one run each (it is slow).
 * BENCH_MESSAGES changes the size.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRegistrarTraffic, type TrafficStats } from './decode-traffic.js';
import { machineLine, median } from './machine.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SEED = 0x0bec0de;
const TARGET = Object.freeze({ json: 30, fields: 10 });
const BIN = fileURLToPath(new URL('../bin/rserpool-harness.mjs', import.meta.url));
const GNU_TIME = '/usr/bin/time';

/** One measured process run. */
interface Run {
  /** CPU seconds (user + system) with GNU time, else wall seconds. */
  readonly seconds: number;
  readonly wallSeconds: number;
  /** Peak resident set in KiB; undefined without GNU time. */
  readonly maxRssKiB: number | undefined;
}

/** Runs a command with stdout into `stdoutPath` (default /dev/null); wall time and peak RSS. */
function measure(command: string, args: readonly string[], stdoutPath = '/dev/null'): Run {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-bench-time-'));
  const timeFile = join(dir, 'time');
  const out = openSync(stdoutPath, 'w');
  const haveTime = existsSync(GNU_TIME);
  const [cmd, argv] = haveTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args]] : [command, [...args]];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', out, 'pipe'], maxBuffer: 64 << 20 });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(out);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.toString().slice(0, 2000)}`);
  let run: Run = { seconds: wallSeconds, wallSeconds, maxRssKiB: undefined };
  if (haveTime) {
    const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    run = { seconds: user! + sys!, wallSeconds, maxRssKiB: rss };
  }
  rmSync(dir, { recursive: true, force: true });
  return run;
}

const ours = (file: string, out?: string): Run => measure(process.execPath, [BIN, 'decode', file, '--format', 'jsonl'], out);

/** Median time and the largest peak RSS of several runs. */
function summarise(runs: readonly Run[]): Run {
  const rss = runs.map((r) => r.maxRssKiB).filter((x): x is number => x !== undefined);
  return { seconds: median(runs.map((r) => r.seconds)), wallSeconds: median(runs.map((r) => r.wallSeconds)), maxRssKiB: rss.length ? Math.max(...rss) : undefined };
}

/** Checks that both decoders see every generated message once. */
function crossCheck(dir: string, file: string, stats: TrafficStats): void {
  const ourOut = join(dir, 'ours.jsonl');
  ours(file, ourOut);
  const text = readFileSync(ourOut, 'utf8');
  const summary = JSON.parse(text.slice(text.lastIndexOf('\n', text.length - 2) + 1)) as { messages: number; failed: number };
  rmSync(ourOut);
  if (summary.messages !== stats.messages || summary.failed !== 0) throw new Error(`ours decoded ${summary.messages} messages (${summary.failed} failed), expected ${stats.messages}`);
  const theirOut = join(dir, 'tshark.tsv');
  measure('tshark', ['-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'asap.message_type', '-e', 'enrp.message_type'], theirOut);
  let seen = 0;
  for (const line of readFileSync(theirOut, 'utf8').split('\n')) for (const col of line.split('\t')) if (col) seen += col.split(',').length;
  rmSync(theirOut);
  if (seen !== stats.messages) throw new Error(`tshark shows ${seen} ASAP/ENRP messages, expected ${stats.messages}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${fmt(kib / 1024)} MiB`);

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-bench-decode-'));
  try {
    const t0 = Date.now();
    const one = join(dir, 'traffic-1x.pcap');
    const two = join(dir, 'traffic-2x.pcap');
    const tiny = join(dir, 'tiny.pcap');
    const s1 = writeRegistrarTraffic(one, MESSAGES, SEED);
    const s2 = writeRegistrarTraffic(two, 2 * MESSAGES, SEED);
    writeRegistrarTraffic(tiny, 1, SEED);
    const genSeconds = (Date.now() - t0) / 1000;
    const haveTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

    console.log(`decode benchmark — ${machineLine()}`);
    const describe = (s: TrafficStats, f: string) => `${fmt(s.messages)} messages (${fmt(s.asap)} ASAP, ${fmt(s.enrp)} ENRP) in ${fmt(s.frames)} packets, ${(statSync(f).size / 2 ** 20).toFixed(1)} MiB`;
    console.log(`capture 1×: ${describe(s1, one)}; 2×: ${describe(s2, two)} (generated in ${genSeconds.toFixed(1)} s, seed 0x${SEED.toString(16)})`);
    if (haveTshark) crossCheck(dir, one, s1);
    console.log(haveTshark ? 'cross-check: ours and tshark both find every generated message in the 1× capture' : 'tshark not installed: only our decoder is measured');

    ours(tiny); // warm the file cache and tsx's compile cache
    const startup = summarise(Array.from({ length: RUNS }, () => ours(tiny)));
    const ours1 = summarise(Array.from({ length: RUNS }, () => ours(one)));
    const ours2 = summarise(Array.from({ length: RUNS }, () => ours(two)));
    const json = haveTshark ? measure('tshark', ['-r', one, '-T', 'json']) : undefined;
    const fields = haveTshark ? measure('tshark', ['-r', one, '-T', 'fields', '-e', 'asap.message_type', '-e', 'enrp.message_type']) : undefined;

    const rows: [string, string, Run, TrafficStats][] = [
      ['ours: decode --format jsonl (1×)', `median of ${RUNS}`, ours1, s1],
      ['ours: decode --format jsonl (2×)', `median of ${RUNS}`, ours2, s2],
      ...(json ? [['tshark -T json (1×)', '1 run', json, s1] as [string, string, Run, TrafficStats]] : []),
      ...(fields ? [['tshark -T fields -e asap.message_type -e enrp.message_type (1×)', '1 run', fields, s1] as [string, string, Run, TrafficStats]] : []),
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    const unit = existsSync(GNU_TIME) ? 'CPU s' : 'wall s';
    console.log(`| ${'decoder'.padEnd(w)} | runs        | ${unit.padStart(6)} | wall s | packets/s | messages/s | peak RSS  |`);
    console.log(`|${'-'.repeat(w + 2)}|-------------|--------|--------|-----------|------------|-----------|`);
    for (const [name, runs, r, s] of rows) {
      console.log(
        `| ${name.padEnd(w)} | ${runs.padEnd(11)} | ${r.seconds.toFixed(2).padStart(6)} | ${r.wallSeconds.toFixed(2).padStart(6)} | ${fmt(s.frames / r.seconds).padStart(9)} | ${fmt(s.messages / r.seconds).padStart(10)} | ${mib(r.maxRssKiB).padStart(9)} |`,
      );
    }
    console.log(`packets/s and messages/s per ${unit === 'CPU s' ? 'CPU second (user + system)' : 'wall-clock second'}`);
    console.log(`CLI start-up (1-message capture, median of ${RUNS}): ${startup.seconds.toFixed(2)} ${unit}, included in every "ours" time above`);
    const verdict = (ratio: number, target: number) => (ratio >= target ? `meets the ≥ ${target}× target` : `below the ≥ ${target}× target by a factor of ${(target / ratio).toFixed(1)}`);
    if (json) console.log(`ours vs tshark -T json:   ${(json.seconds / ours1.seconds).toFixed(2)}× (${verdict(json.seconds / ours1.seconds, TARGET.json)})`);
    if (fields) console.log(`ours vs tshark -T fields: ${(fields.seconds / ours1.seconds).toFixed(2)}× (${verdict(fields.seconds / ours1.seconds, TARGET.fields)})`);
    if (ours1.maxRssKiB !== undefined && ours2.maxRssKiB !== undefined) {
      console.log(`memory: our peak RSS ${mib(ours1.maxRssKiB)} for 1×, ${mib(ours2.maxRssKiB)} for 2× (ratio ${(ours2.maxRssKiB / ours1.maxRssKiB).toFixed(2)}; flat means ≈ 1)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
