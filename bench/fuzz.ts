/**
 * `npm run bench:fuzz`: parser-fuzzing throughput (inputs checked per second on one core:
 * mutation, decode, and for what decodes re-encode and decode again), median of several runs.
 */
import { fileURLToPath } from 'node:url';
import { runCodecCampaign } from '../fuzz/codec-campaign.js';
import { loadCorpus } from '../fuzz/corpus.js';
import { machineLine, median } from './machine.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const TARGET = 100_000;

const shared = fileURLToPath(new URL('../../shared/captures/', import.meta.url));
const own = fileURLToPath(new URL('../captures/', import.meta.url));
const corpus = await loadCorpus([shared, own], () => undefined);
runCodecCampaign({ seed: 0, seconds: 1, corpus }); // warm-up
const rates: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = runCodecCampaign({ seed: i + 1, seconds: SECONDS, corpus });
  rates.push(r.execs / r.seconds);
}
const m = median(rates);
console.log(`fuzz benchmark — ${machineLine()}`);
console.log(`corpus: ${corpus.length} captured messages + 2000 generated; ${RUNS} runs of ${SECONDS} s, one core`);
console.log('| campaign | execs/s (median) | target | ratio |');
console.log('|----------|------------------|--------|-------|');
console.log(`| codec    | ${Math.round(m).toLocaleString('en-US').padStart(16)} | ${TARGET.toLocaleString('en-US')} | ${(m / TARGET).toFixed(2)} |`);
