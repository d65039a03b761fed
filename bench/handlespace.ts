/**
 * `npm run bench:handlespace` — the seed papers' handlespace measurements, side by side with
 * rsplib's C handlespace (Debian librsplib-dev, library librsphsmgt) in the same run.
 *
 * For RoundRobin, Random and LeastUsed pools of 1,000 / 10,000 / 20,000 PEs (the
 * synchronisation traversal also 30,000) it measures registration/deregistration,
 * re-registration, timer reschedule, handle resolution with MaxHResItems 1 and 3, and the full
 * synchronisation traversal in blocks of 128 (definitions: `handlespace-cases.ts`, mirrored in
 * `hsbench.c`). Every cell runs in a fresh process per implementation, both set up side by side;
 * then a warm-up run and `--runs` timed runs of at least `--min-ms` of process CPU time each,
 * alternating between the implementations run by run so a shared machine's drift hits both
 * alike. Reports the medians.
 * Prints ops/s, ops/PE/s and the TypeScript/C ratio, and writes an SVG plot and the raw numbers
 * to `bench/out/`.
 *
 * Options: --runs N (default 7, at least 5), --min-ms M (default 120), --quick (one size per
 * policy, for a smoke run), --only <measurement>, --sizes N,N,…, --seed S.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_POLICIES,
  type BenchPolicy,
  BenchCase,
  MEASUREMENTS,
  MEASUREMENT_TITLES,
  type Measurement,
} from './handlespace-cases.js';
import { type Panel, renderPanels } from './svg-plot.js';

const here = dirname(fileURLToPath(import.meta.url));
const BUILD = join(here, 'build');
const OUT = join(here, 'out');
const DRIVER = join(BUILD, 'hsbench');

const POLICY_LABEL: Readonly<Record<BenchPolicy, string>> = Object.freeze({
  roundRobin: 'RoundRobin',
  random: 'Random',
  leastUsed: 'LeastUsed',
});
const POLICY_COLOR: Readonly<Record<BenchPolicy, string>> = Object.freeze({
  roundRobin: '#1f77b4',
  random: '#ff7f0e',
  leastUsed: '#2ca02c',
});

interface CellResult {
  readonly impl: 'ts' | 'rsplib';
  readonly policy: BenchPolicy;
  readonly pes: number;
  readonly measurement: Measurement;
  readonly rates: readonly number[];
  readonly median: number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// ---------------------------------------------------------------------------------------------
// Child mode: one cell of the TypeScript handlespace, driven like `hsbench`: prints "ready",
// then one ops/s line per input line "run"; ends on "quit" or end of input.

function runCell(args: string[]): void {
  const [policy, pes, measurement, , minMs, seed] = args;
  const c = new BenchCase(policy as BenchPolicy, Number(pes), Number(seed));
  process.stdout.write('ready\n');
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() !== 'run') {
      input.close();
      return;
    }
    process.stdout.write(`${c.run(measurement as Measurement, Number(minMs))}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// Parent mode.

/** Compiles the C driver; returns why it could not, or null. */
function buildDriver(): string | null {
  mkdirSync(BUILD, { recursive: true });
  const cc = spawnSync('cc', ['-O2', '-o', DRIVER, join(here, 'hsbench.c'), '-lrsphsmgt'], { encoding: 'utf8' });
  if (cc.error !== undefined) return `no C compiler (${cc.error.message})`;
  if (cc.status !== 0) return cc.stderr.trim().split('\n').slice(-3).join(' / ');
  return null;
}

function rsplibVersion(): string {
  const q = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'librsplib-dev'], { encoding: 'utf8' });
  return q.status === 0 ? q.stdout.trim() : 'unknown version';
}

/** A driven cell process (`hsbench` or this script in child mode). */
class Driven {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private stderr = '';

  constructor(readonly impl: 'ts' | 'rsplib', args: string[]) {
    this.child =
      impl === 'rsplib'
        ? spawn(DRIVER, args, { stdio: ['pipe', 'pipe', 'pipe'] })
        : spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--cell', ...args], {
            stdio: ['pipe', 'pipe', 'pipe'],
          });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (this.waiting !== null) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.on('exit', (code) => {
      if (code !== 0 && this.waiting !== null) throw new Error(`${impl} cell ${args.join(' ')} failed: ${this.stderr}`);
    });
  }

  private next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async ready(): Promise<void> {
    const line = await this.next();
    if (line !== 'ready') throw new Error(`${this.impl}: expected ready, got ${line} ${this.stderr}`);
  }

  async run(): Promise<number> {
    this.child.stdin?.write('run\n');
    return Number(await this.next());
  }

  quit(): void {
    this.child.stdin?.end('quit\n');
  }
}

/** Measures one cell with both implementations, alternating run by run. */
async function measureCell(impls: ('ts' | 'rsplib')[], args: string[], runs: number): Promise<Map<string, number[]>> {
  const procs = impls.map((impl) => new Driven(impl, args));
  try {
    await Promise.all(procs.map((p) => p.ready()));
    for (const p of procs) await p.run(); // warm-up
    const rates = new Map<string, number[]>(impls.map((i) => [i, []]));
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? procs : [...procs].reverse();
      for (const p of order) rates.get(p.impl)?.push(await p.run());
    }
    return rates;
  } finally {
    for (const p of procs) p.quit();
  }
}

function fmtRate(v: number | undefined): string {
  if (v === undefined) return '—';
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

async function main(): Promise<void> {
  const runs = Math.max(5, option('--runs', 7));
  const minMs = option('--min-ms', 120);
  const seed = option('--seed', 20080705);
  const quick = process.argv.includes('--quick');

  const cpus = os.cpus();
  console.log('Handlespace benchmark: TypeScript (src/handlespace) vs rsplib C (librsphsmgt)');
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`runtime: Node ${process.version} (V8 ${process.versions.v8}); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(
    `method: per cell a fresh process per implementation; 1 warm-up + ${runs} runs each of ≥ ${minMs} ms process CPU time (all threads), the two implementations alternating run by run; medians; seed ${seed}`,
  );

  const why = buildDriver();
  const haveC = why === null;
  if (haveC) console.log(`rsplib: librsplib-dev ${rsplibVersion()}, driver bench/hsbench.c built into bench/build/`);
  else {
    console.log(`rsplib: not available (${why}).`);
    console.log('        Install it with `sudo apt-get install -y librsplib-dev` (Debian/Ubuntu) to get the side-by-side figures.');
  }
  console.log('');
  for (const m of MEASUREMENTS) console.log(`  ${m.padEnd(8)} ${MEASUREMENT_TITLES[m]}`);
  console.log('  ops/PE/s = ops/s ÷ PEs (for sync: full synchronisations per second)');
  console.log('');

  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const sizeList = process.argv.includes('--sizes')
    ? process.argv[process.argv.indexOf('--sizes') + 1].split(',').map(Number)
    : undefined;
  const sizes = (m: Measurement): number[] =>
    sizeList ?? (quick ? [1000] : m === 'sync' ? [1000, 10000, 20000, 30000] : [1000, 10000, 20000]);
  const cells: { policy: BenchPolicy; pes: number; measurement: Measurement }[] = [];
  for (const measurement of MEASUREMENTS) {
    if (only !== undefined && measurement !== only) continue;
    for (const policy of BENCH_POLICIES) for (const pes of sizes(measurement)) cells.push({ policy, pes, measurement });
  }

  const results: CellResult[] = [];
  const header = ['measurement', 'policy', 'PEs', 'TS ops/s', 'TS ops/PE/s', 'rsplib ops/s', 'rsplib ops/PE/s', 'TS/C'];
  const widths = [11, 10, 6, 13, 11, 13, 15, 6];
  const row = (cols: string[]): string => cols.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(row(header));
  console.log(row(widths.map((w) => '-'.repeat(w))));
  const started = Date.now();
  for (const [i, cell] of cells.entries()) {
    const args = [cell.policy, String(cell.pes), cell.measurement, '0', String(minMs), String(seed)];
    const impls: ('ts' | 'rsplib')[] = !haveC ? ['ts'] : i % 2 === 0 ? ['rsplib', 'ts'] : ['ts', 'rsplib'];
    const rates = await measureCell(impls, args, runs);
    const result = (impl: 'ts' | 'rsplib'): CellResult | undefined => {
      const r = rates.get(impl);
      return r === undefined ? undefined : { impl, ...cell, rates: r, median: median(r) };
    };
    const ts = result('ts') as CellResult;
    const c = result('rsplib');
    results.push(ts);
    if (c) results.push(c);
    console.log(
      row([
        cell.measurement,
        POLICY_LABEL[cell.policy],
        String(cell.pes),
        fmtRate(ts.median),
        fmtRate(ts.median / cell.pes),
        fmtRate(c?.median),
        fmtRate(c === undefined ? undefined : c.median / cell.pes),
        c === undefined ? '—' : (ts.median / c.median).toFixed(2),
      ]),
    );
  }
  console.log('');
  console.log(`elapsed ${((Date.now() - started) / 1000).toFixed(0)} s`);

  if (haveC) {
    const ratios = cells.map((cell) => {
      const pick = (impl: string): number =>
        (results.find((r) => r.impl === impl && r.policy === cell.policy && r.pes === cell.pes && r.measurement === cell.measurement) as CellResult)
          .median;
      return { cell, ratio: pick('ts') / pick('rsplib') };
    });
    const reached = ratios.filter((r) => r.ratio >= 1).length;
    console.log(`target TS/C ≥ 1.0: reached in ${reached} of ${ratios.length} cells`);
    const worst = [...ratios].sort((a, b) => a.ratio - b.ratio).slice(0, 5);
    console.log(
      `worst cells: ${worst.map((w) => `${w.cell.measurement}/${POLICY_LABEL[w.cell.policy]}/${w.cell.pes} ${w.ratio.toFixed(2)}`).join(', ')}`,
    );
  }

  mkdirSync(OUT, { recursive: true });
  const panels: Panel[] = MEASUREMENTS.map((m) => ({
    title: MEASUREMENT_TITLES[m].split(' (')[0],
    series: BENCH_POLICIES.flatMap((policy) =>
      (['ts', 'rsplib'] as const).map((impl) => ({
        label: `${POLICY_LABEL[policy]} — ${impl === 'ts' ? 'TypeScript' : 'rsplib C'}`,
        color: POLICY_COLOR[policy],
        dashed: impl === 'rsplib',
        points: results
          .filter((r) => r.impl === impl && r.policy === policy && r.measurement === m)
          .map((r) => ({ x: r.pes, y: r.median / r.pes })),
      })),
    ),
  }));
  const caption = `${cpus[0]?.model ?? ''}, ${cpus.length} cores, Node ${process.version}; medians of ${runs} runs; solid: TypeScript, dashed: rsplib ${haveC ? rsplibVersion() : '(not available)'}`;
  writeFileSync(join(OUT, 'handlespace.svg'), renderPanels(panels, 3, caption));
  writeFileSync(join(OUT, 'handlespace.json'), `${JSON.stringify({ runs, minMs, seed, results }, null, 1)}\n`);
  console.log('wrote bench/out/handlespace.svg and bench/out/handlespace.json');
}

if (process.argv[2] === '--cell') runCell(process.argv.slice(3));
else await main();
