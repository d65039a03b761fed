/**
 * Parser fuzzing: a short seeded campaign finds nothing in our decoder; the pipeline from a failing
 * oracle to a minimised, saved, replayable finding works (shown with a deliberately impossible limit).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode } from '../../codecs/index.js';
import { inputOf, minimise, mutate, replayCodecFinding, runCodecCampaign, type CodecFinding, type CorpusEntry } from '../../fuzz/codec-campaign.js';
import { checkInput } from '../../fuzz/codec-oracle.js';
import { cli } from '../support/cli.js';
import { fromHex, text } from '../support/hex.js';

const CORPUS: CorpusEntry[] = [
  { protocol: 'asap', origin: 'digest', bytes: fromHex('0100003c 0009000f 43616c63 41707050 6f6f6c00 000a0028 5562e917 00000000 000dbba0 00040010 e6010001 00010008 0affff01 00080008 00000001') },
  { protocol: 'enrp', origin: 'digest', bytes: fromHex('0100002c 00000001 00000002 000f0006 84900000 000b0018 00000001 00040010 27110000 00010008 0affff01') },
  { protocol: 'asap', origin: 'built', bytes: encode({ protocol: 'asap', type: 'handleResolution', poolHandle: text('P'), items: 3 }) },
];

describe('codec fuzzing', () => {
  it('a seeded smoke campaign (20,000 inputs) finds nothing and covers many message types and error codes', () => {
    const r = runCodecCampaign({ seed: 7, runs: 20_000, corpus: CORPUS, generated: 500 });
    expect(r.findings).toEqual([]);
    expect(r.execs).toBe(20_000);
    expect(r.typesCovered.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(r.errorCodes).length).toBeGreaterThanOrEqual(12);
  });

  it('the same seed rebuilds the same inputs', () => {
    for (const i of [0, 1, 999]) {
      const a = inputOf(42, i, CORPUS);
      const b = inputOf(42, i, CORPUS);
      expect(mutate(b.entry, b.mutations)).toEqual(mutate(a.entry, a.mutations));
    }
  });

  it('a failing oracle yields a minimised finding file that `fuzz replay` reproduces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-findings-'));
    // slack −1000: every input that decodes "re-encodes too large" — an oracle bound to fail.
    const limits = { budgetMs: 100, slack: -1000 };
    const r = runCodecCampaign({ seed: 3, runs: 5000, corpus: CORPUS, generated: 0, findingsDir: dir, limits, stopOnFinding: true });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.oracle).toBe('oversized-value');
    expect(f.hex.length).toBeLessThanOrEqual(f.originalHex.length + 100);
    const saved = JSON.parse(readFileSync(f.file!, 'utf8')) as CodecFinding;
    expect(saved).toMatchObject({ kind: 'codec', seed: 3, iteration: f.iteration, oracle: 'oversized-value' });
    expect(replayCodecFinding(saved, limits).reproduced).toBe(true);
    // With the real limits the same input passes: the CLI replay says "not reproduced" and exits 0.
    expect(readdirSync(dir)).toHaveLength(1);
    const run = cli('fuzz', 'replay', f.file!);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/NOT REPRODUCED/);
  });

  it('minimise keeps the failure and shrinks the input', () => {
    const input = new Uint8Array(64).map((_, i) => i);
    const out = minimise(input, (b) => b.includes(37));
    expect(Array.from(out)).toEqual([37]);
  });

  it('the oracle accepts real messages and reports what decoded', () => {
    expect(checkInput(CORPUS[0]!.bytes, { protocol: 'asap', mode: 'strict', profile: 'rfc' })).toEqual({ ok: true, decoded: true, type: 'asap.registration' });
    expect(checkInput(fromHex('ff'), { protocol: 'asap', mode: 'strict', profile: 'rfc' })).toMatchObject({ ok: true, decoded: false, errorCode: 'RSP_ERR_INCOMPLETE' });
  });

  it('the CLI runs a bounded campaign, prints a summary, and exits 0 with no findings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-cli-fuzz-'));
    const r = cli('fuzz', 'codec', '--runs', '3000', '--seed', '1', '--findings', dir, '--json', '--generated', '300');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { seed: number; execs: number; findings: unknown[] };
    expect(s).toMatchObject({ seed: 1, execs: 3000, findings: [] });
    expect(r.stderr).toMatch(/fuzz codec: seed 1/);
  });
});
