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

describe('simulation with loss and a partition', () => {
  // Small scopes so the property stays fast; losses stop 20 s before the end (quiescence), the
  // partition heals well before that. Both with and without multicast Presence: without it the
  // healed sides only find each other again because configured peers are retried (PP-2).
  const scenario = fc.record({
    registrars: fc.integer({ min: 2, max: 4 }),
    pes: fc.integer({ min: 1, max: 40 }),
    seed: fc.integer({ min: 0, max: 10_000 }),
    loss: fc.constantFrom(0.01, 0.03, 0.05),
    groupMask: fc.integer({ min: 1, max: 14 }),
    from: fc.integer({ min: 10, max: 40 }),
    length: fc.integer({ min: 2, max: 40 }),
    enrpAnnounce: fc.boolean(),
  });

  it('after the partition heals and losses stop, all live registrars agree on the handlespace and per-owner checksums; nothing is sent on a closed association', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const group = Array.from({ length: s.registrars }, (_, i) => i).filter((i) => (s.groupMask >> i) & 1);
        const until = (s.from + s.length) * 1000;
        const seconds = s.from + s.length + 45;
        const r = simulate({
          registrars: s.registrars,
          pes: s.pes,
          pus: 2,
          seconds,
          seed: s.seed,
          loss: s.loss,
          lossUntil: (seconds - 20) * 1000,
          partitions: [{ group, from: s.from * 1000, until }],
          enrpAnnounce: s.enrpAnnounce,
        });
        expect(r.finalAgreement).toBe(true);
        expect(r.finalChecksumsAgree).toBe(true);
        // send.closedAssociation and internal.error both count here.
        expect(r.internalErrors).toBe(0);
        expect(r.samples[r.samples.length - 1]?.sizes.every((n) => n === s.pes)).toBe(true);
      }),
      runs(25),
    );
  });

  it('latency is measured against the request that was answered, so losses do not inflate it', () => {
    const r = simulate({ registrars: 3, pes: 30, pus: 10, seconds: 120, seed: 1, loss: 0.05, partitions: [{ group: [2], from: 30_000, until: 50_000 }] });
    expect(r.resolutionTimeouts).toBeGreaterThan(0); // some requests or answers were lost …
    expect(r.latency.max).toBeLessThan(10); // … and no answer is paired with a lost request
  });

  it('the CLI partition scenario is deterministic and ends in agreement once losses stop', () => {
    const args = ['simulate', '--registrars', '3', '--pes', '60', '--pus', '5', '--seconds', '90', '--seed', '1', '--loss', '0.02', '--loss-until', '70', '--partition', '2@30-50'];
    const a = cli(...args);
    const b = cli(...args);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('final: handlespaces agree, per-owner checksums agree');
  });
});
