/**
 * `npm run bench:fuzz`: parser-fuzzing throughput (inputs checked per second on one core:
 * mutation, decode, and for what decodes re-encode and decode again), median of several runs.
 *
 * Two figures per run: inputs per wall-clock second, and inputs per CPU second of this process
 * (`process.cpuUsage()`, user + system). On a shared, loaded machine the wall-clock figure mostly
 * measures how much of a core the scheduler granted; the CPU-time one is what to compare across
 * changes. Both include GC helper threads, which is part of the real cost of an input.
 */
import { fileURLToPath } from 'node:url';
import { runCodecCampaign, withGenerated } from '../fuzz/codec-campaign.js';
import { loadCorpus } from '../fuzz/corpus.js';
import { machineLine, median } from './machine.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const TARGET = 100_000;
const GENERATED = 2000;

const shared = fileURLToPath(new URL('../../shared/captures/', import.meta.url));
const own = fileURLToPath(new URL('../captures/', import.meta.url));
const corpus = await loadCorpus([shared, own], () => undefined);
runCodecCampaign({ seed: 0, seconds: 1, corpus: withGenerated(corpus, 0, GENERATED), generated: 0 }); // warm-up

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const wallRates: number[] = [];
const cpuRates: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // The generated inputs are built outside the measured span: they are set-up, not fuzzing.
  const seeds = withGenerated(corpus, i + 1, GENERATED);
  const c0 = cpuSeconds();
  const r = runCodecCampaign({ seed: i + 1, seconds: SECONDS, corpus: seeds, generated: 0 });
  const cpu = cpuSeconds() - c0;
  wallRates.push(r.execs / r.seconds);
  cpuRates.push(r.execs / cpu);
  if (process.env.BENCH_VERBOSE) {
    console.error(`run ${i + 1}: ${r.execs} execs, ${r.seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU → ${Math.round(r.execs / r.seconds)}/s wall, ${Math.round(r.execs / cpu)}/CPU-s`);
  }
}
const fmt = (x: number, w: number): string => Math.round(x).toLocaleString('en-US').padStart(w);
const wall = median(wallRates);
const cpu = median(cpuRates);
console.log(`fuzz benchmark — ${machineLine()}`);
console.log(`corpus: ${corpus.length} captured messages + ${GENERATED} generated; ${RUNS} runs of ${SECONDS} s, one core`);
console.log('| campaign | execs/s wall (median) | execs/CPU-s (median) | target | ratio (CPU) |');
console.log('|----------|-----------------------|----------------------|--------|-------------|');
console.log(`| codec    | ${fmt(wall, 21)} | ${fmt(cpu, 20)} | ${TARGET.toLocaleString('en-US')} | ${(cpu / TARGET).toFixed(2).padStart(11)} |`);
