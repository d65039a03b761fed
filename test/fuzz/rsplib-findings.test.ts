/**
 * The inputs that crashed rsplib 3.4.4's registrar in the lab campaigns (fuzz/registrar/findings/)
 * stay loadable finding files, and none of them troubles the reference registrar: each is played
 * in-process with every oracle on (invariants, checksums, error logs, the sanity resolution).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replaySteps } from '../../fuzz/registrar/campaign.js';
import { loadFinding } from '../../fuzz/registrar/finding.js';

const DIR = fileURLToPath(new URL('../../fuzz/registrar/findings/rsplib-3.4.4/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('rsplib findings against the reference registrar', () => {
  it('has the saved findings', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });
  it.each(FILES)('%s: loads, and the reference registrar survives it', async (file) => {
    const f = loadFinding(readFileSync(DIR + file, 'utf8'));
    expect(f.target.kind).toBe('network');
    expect(f.messagesHex.length).toBeGreaterThan(0);
    const failure = await replaySteps({ kind: 'in-process' }, f.steps, f.sanityPool, { peAddresses: f.peAddresses, sanityDeadlineMs: 2000, stepBudgetMs: 2000, settleMs: 0 });
    expect(failure).toBeUndefined();
  });
});
