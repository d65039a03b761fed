/** `rserpool-harness replay`: exit statuses, JSON and HTML output. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { recordTo, sharedPath, sharedPresent, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.done());

describe('replay CLI', () => {
  it('own recording: exit 0, JSON with no divergence, a self-contained HTML report', () => {
    const file = recordTo(tmp.dir, 'own');
    const html = join(tmp.dir, 'own.html');
    const json = join(tmp.dir, 'own.json');
    const r = cli('replay', file, '--json', json, '--report', html);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 UNEXPLAINED');
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { replay: { totals: { divergences: number } } };
    expect(doc.replay.totals.divergences).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).not.toMatch(/<script|<link|src="http/);
  }, 30_000);

  it('corrupt capture: typed error, exit 3; unknown --registrar: exit 3', () => {
    const bad = join(tmp.dir, 'bad.pcap');
    writeFileSync(bad, Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000ffffffff', 'hex'));
    const r = cli('replay', bad);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('RSP_ERR_REPLAY_CAPTURE');
    const file = recordTo(tmp.dir, 'own3');
    const u = cli('replay', file, '--registrar', '192.0.2.99');
    expect(u.status).toBe(3);
    expect(u.stderr).toContain('RSP_ERR_REPLAY_UNKNOWN_REGISTRAR');
  }, 30_000);

  it.skipIf(!sharedPresent)('b_enrp_peering: explained deviations pass, --fail-on any fails; --lint lists findings with frames', () => {
    expect(cli('replay', sharedPath('b_enrp_peering'), '--quiet').status).toBe(0);
    expect(cli('replay', sharedPath('b_enrp_peering'), '--quiet', '--fail-on', 'any').status).toBe(1);
    const l = cli('replay', sharedPath('b_enrp_peering'), '--lint');
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/\[presence\.unanswered\] frame 338, .*PP-3/);
  }, 30_000);
});
