/**
 * Replay and lint of the shared rsplib captures: every divergence is explained, none is the
 * reference's, and the known rsplib deviations show up where they should.
 */
import { describe, expect, it } from 'vitest';
import { lintCapture, loadCapture, replayCapture, isUnexplained, type ReplayReport } from '../../src/replay/index.js';
import { SHARED_CAPTURES, sharedPath, sharedPresent } from './helpers.js';

const kinds = (r: ReplayReport): string[] => r.registrars.flatMap((g) => g.divergences.map((d) => d.kind)).sort();

describe.skipIf(!sharedPresent)('replay of the shared rsplib captures', () => {
  for (const name of SHARED_CAPTURES) {
    it(`${name}: every divergence explained, none of the reference`, async () => {
      const r = await replayCapture(sharedPath(name));
      const open = r.registrars.flatMap((g) => g.divergences).filter((d) => isUnexplained(d) || d.atOdds === 'reference');
      expect(open.map((d) => `${d.kind} ${d.frames.join(',')}: ${d.summary}`)).toEqual([]);
      for (const d of r.registrars.flatMap((g) => g.divergences)) {
        expect(d.frames.length).toBeGreaterThan(0);
        expect(d.requirements.length).toBeGreaterThan(0);
        expect(d.explanation).not.toBe('');
      }
    });
  }

  it('finds the registrars and infers their configuration', async () => {
    const b = await replayCapture(sharedPath('b_enrp_peering'));
    expect(b.registrars.map((g) => g.serverId)).toEqual([0x7a17c2ff, 0xca4297ed, 0xf3987d43]);
    const c1 = await replayCapture(sharedPath('c1_pe_keepalive_timeout'));
    const pr1 = c1.registrars.find((g) => g.serverId === 0xf4cca65f)!;
    expect(pr1.evidence).toContain('keepAliveTimeoutInterval: 2000 ms (Keep-Alive → ABORT)');
    expect(pr1.evidence.some((e) => e.startsWith('profile: rsplib'))).toBe(true);
  });

  it('c1: the keep-alive timeout, ABORT and DEL_PE match the reference exactly', async () => {
    const r = await replayCapture(sharedPath('c1_pe_keepalive_timeout'));
    expect(r.totals.divergences).toBe(0);
  });

  it('b: rsplib lists its unidentified static peer with ID 0 (LS-1), and nothing else is a real deviation', async () => {
    const r = await replayCapture(sharedPath('b_enrp_peering'));
    const real = r.registrars.flatMap((g) => g.divergences).filter((d) => d.atOdds === 'captured');
    expect(real.map((d) => d.kind)).toEqual(['list.content', 'list.content', 'list.content']);
    expect(kinds(r).filter((k) => k === 'keepAlive.missing')).toHaveLength(2); // timer races
  });

  it('a1/a2: only what the capture cannot show (hsdump gone, registrar shutting down, timer race)', async () => {
    for (const name of ['a1_pe_registration', 'a2_handle_resolution']) {
      const r = await replayCapture(sharedPath(name));
      expect(r.registrars.flatMap((g) => g.divergences).every((d) => d.atOdds === 'capture-cannot-show')).toBe(true);
    }
  });

  it('demo (pre-RFC 2007): the takeover is replayed, start-up and restart differences are explained', async () => {
    const r = await replayCapture(sharedPath('demo'));
    expect(r.registrars).toHaveLength(3);
    expect(r.registrars.find((g) => g.serverId === 1)!.lives).toHaveLength(2);
    expect(kinds(r)).not.toContain('keepAlive.unexpected'); // the H = 1 Keep-Alive after the takeover matched
  });

  for (const name of SHARED_CAPTURES) {
    it(`lint ${name}: no error finding, every finding has a verdict`, async () => {
      const l = lintCapture(await loadCapture(sharedPath(name)));
      expect(l.findings.filter((f) => f.severity === 'error' || f.verdict.startsWith('UNEXPLAINED')).map((f) => f.summary)).toEqual([]);
    });
  }
});
