import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/registrar/simulation/simulation.js';
import { cli } from '../support/cli.js';
import { runs } from '../support/fc.js';
import { POOL, asap, registration, rig, up } from './helpers.js';

describe('simulation properties', () => {
  it('after quiescence all registrars agree on the handlespace and every per-owner checksum; nothing sent on closed associations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (registrars, pes, seed) => {
        const r = simulate({ registrars, pes, pus: 3, seconds: 60, seed });
        expect(r.finalAgreement).toBe(true);
        expect(r.finalChecksumsAgree).toBe(true);
        expect(r.internalErrors).toBe(0);
        expect(r.samples[r.samples.length - 1]?.sizes.every((s) => s === pes)).toBe(true);
        expect(r.removals).toEqual({}); // no PE lost while its home lives
      }),
      runs(12),
    );
  });

  it('a dead home registrar is taken over by exactly one peer, and all agree afterwards', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 4 }), fc.integer({ min: 3, max: 30 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 20, max: 40 }), (registrars, pes, seed, at) => {
        const r = simulate({ registrars, pes, pus: 2, seconds: 90, seed, kills: new Map([[0, at * 1000]]) });
        expect(r.takeovers.filter((t) => t.target === 0)).toHaveLength(1);
        expect(r.finalAgreement).toBe(true);
        expect(r.finalChecksumsAgree).toBe(true);
        expect(r.internalErrors).toBe(0);
      }),
      runs(8),
    );
  });

  it('EU-2: MAX-BAD-PE-REPORT removes a PE exactly at the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 10 }), (threshold, reports) => {
        const rg = rig('rfc', { maxBadPeReports: threshold });
        up(rg, 1);
        asap(rg, 1, registration(1));
        for (let i = 0; i < reports; i++) asap(rg, 1, { protocol: 'asap', type: 'endpointUnreachable', poolHandle: POOL, peId: 1 });
        expect(rg.r.handlespace.find(POOL, 1) === undefined).toBe(reports >= threshold);
      }),
      runs(60),
    );
  });

  it('no action is ever emitted for a closed association, whatever the event order', () => {
    const ev = fc.oneof(
      fc.record({ k: fc.constant('up' as const), a: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ k: fc.constant('down' as const), a: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ k: fc.constant('reg' as const), a: fc.integer({ min: 1, max: 3 }), pe: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ k: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 40 }), (events) => {
        const rg = rig('rsplib');
        const open = new Set<number>();
        for (const e of events) {
          let acts;
          if (e.k === 'up') {
            acts = up(rg, e.a);
            open.add(e.a);
          } else if (e.k === 'down') {
            acts = rg.r.handle({ kind: 'associationDown', association: e.a });
            open.delete(e.a);
          } else if (e.k === 'reg') {
            if (!open.has(e.a)) continue;
            acts = asap(rg, e.a, registration(e.pe));
          } else acts = rg.advance(e.ms);
          for (const a of acts) {
            if (a.kind === 'abort') open.delete(a.association);
            if (a.kind === 'send') expect(open.has(a.association) || rg.r.isOpen(a.association)).toBe(true);
            if (a.kind === 'log') expect(a.event).not.toBe('send.closedAssociation');
          }
          expect(rg.r.handlespace.verify()).toEqual([]);
        }
      }),
      runs(100),
    );
  });
});

describe('simulate CLI', () => {
  it('prints the same output twice and reports agreement', () => {
    const args = ['simulate', '--registrars', '3', '--pes', '60', '--pus', '5', '--seconds', '40', '--seed', '7'];
    const a = cli(...args);
    const b = cli(...args);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('final: handlespaces agree, per-owner checksums agree');
  });

  it('--kill-registrar shows the takeover; --json is valid JSON', () => {
    const a = cli('simulate', '--registrars', '3', '--pes', '30', '--pus', '2', '--seconds', '60', '--seed', '1', '--kill-registrar', '0@25', '--json');
    expect(a.status).toBe(0);
    const j = JSON.parse(a.stdout) as { result: { takeovers: unknown[]; finalAgreement: boolean } };
    expect(j.result.takeovers).toHaveLength(1);
    expect(j.result.finalAgreement).toBe(true);
  });

  it('bad option values are usage errors', () => {
    expect(cli('simulate', '--kill-registrar', 'x').status).toBe(2);
  });
});
