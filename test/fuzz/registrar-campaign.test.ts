/**
 * The registrar fuzzer in-process: a seeded smoke campaign against the reference registrar finds
 * nothing and covers the message types; a deliberately broken variant IS found, shrunk, saved and
 * replayed; sequences are rebuilt from the seed; the shrinker and the oracles work.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRegistrarCampaign } from '../../fuzz/registrar/campaign.js';
import { loadFinding } from '../../fuzz/registrar/finding.js';
import { generateSequence, hasLongPoolHandle } from '../../fuzz/registrar/generator.js';
import { RegistrarChecks, checkAfterEvent } from '../../fuzz/registrar/oracles.js';
import { Registrar, defaultConfig } from '../../src/registrar/index.js';
import { replayRegistrarFinding } from '../../fuzz/registrar/replay.js';
import { ddmin } from '../../fuzz/registrar/shrink.js';
import { cli } from '../support/cli.js';

const GEN = { peAddresses: [{ family: 'ipv4', address: '10.1.0.1' }] as const, realTime: false, peers: true, targetServerId: 0x5e5e0001 };

describe('registrar fuzzing (in-process)', () => {
  it('a 3-second seeded campaign against the reference registrar finds nothing and covers ASAP and ENRP', async () => {
    const r = await runRegistrarCampaign({ seed: 11, seconds: 3, target: { kind: 'in-process' } });
    expect(r.findings.map((f) => `${f.finding.oracle}: ${f.finding.detail}`)).toEqual([]);
    expect(r.aborted).toBeUndefined();
    expect(r.sequences).toBeGreaterThan(100);
    expect(r.typesSent.length).toBeGreaterThanOrEqual(20);
    for (const t of ['asap.registration', 'asap.deregistration', 'asap.handleResolution', 'asap.endpointUnreachable', 'enrp.presence', 'enrp.handleUpdate', 'enrp.handleTableRequest', 'enrp.initTakeover'])
      expect(r.typesSent).toContain(t);
    expect(r.typesReceived).toEqual(expect.arrayContaining(['asap.registrationResponse', 'asap.handleResolutionResponse', 'asap.endpointKeepAlive', 'enrp.handleTableResponse']));
  });

  it('rebuilds the same sequence from (seed, index), and different ones otherwise', () => {
    const a = generateSequence(5, 17, GEN);
    expect(generateSequence(5, 17, GEN)).toEqual(a);
    expect(generateSequence(5, 18, GEN)).not.toEqual(a);
    expect(generateSequence(6, 17, GEN)).not.toEqual(a);
    const steps = Array.from({ length: 200 }, (_, i) => generateSequence(1, i, GEN).steps).flat();
    expect(steps.some((s) => s.op === 'send' && s.malformed)).toBe(true);
    expect(steps.some((s) => s.op === 'send' && !s.malformed)).toBe(true);
    expect(steps.some((s) => s.op === 'close')).toBe(true);
    expect(steps.some((s) => s.op === 'sleep')).toBe(true);
  });

  it('caps pool handles when asked (to go past a known crash on long handles)', () => {
    const capped = Array.from({ length: 300 }, (_, i) => generateSequence(3, i, { ...GEN, maxPoolHandle: 32 }).steps).flat();
    for (const s of capped) if (s.op === 'send') expect(hasLongPoolHandle(Buffer.from(s.hex, 'hex'), 32)).toBe(false);
    const free = Array.from({ length: 300 }, (_, i) => generateSequence(3, i, GEN).steps).flat();
    expect(free.some((s) => s.op === 'send' && hasLongPoolHandle(Buffer.from(s.hex, 'hex'), 32))).toBe(true);
  });

  it('finds a deliberately broken registrar (one that stops answering), shrinks, saves and replays it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-regfuzz-'));
    const r = await runRegistrarCampaign({ seed: 2, seconds: 5, target: { kind: 'in-process', variant: 'diesAfter:300' }, findingsDir: dir, stopOnFinding: true });
    expect(r.findings).toHaveLength(1);
    const { finding, file, replay } = r.findings[0]!;
    expect(finding.oracle).toBe('no-answer');
    expect(finding.steps.length).toBeLessThan(finding.originalSteps);
    expect(replay).toMatch(/rserpool-harness fuzz replay .*\.json$/);
    const saved = loadFinding(readFileSync(file!, 'utf8'));
    expect(saved).toMatchObject({ kind: 'registrar', seed: 2, oracle: 'no-answer', target: { kind: 'in-process', variant: 'diesAfter:300' } });
    expect(saved.messagesHex.length).toBe(saved.steps.filter((s) => s.op === 'send').length);
    expect((await replayRegistrarFinding(saved)).reproduced).toBe(true);
    // The one-line replay command reproduces it too (exit status 1: still failing).
    const run = cli('fuzz', 'replay', file!);
    expect(run.stdout).toMatch(/REPRODUCED no-answer/);
    expect(run.status).toBe(1);
  });

  it('the in-process oracles see broken invariants, error logs and escaping exceptions', () => {
    const reg = new Registrar(defaultConfig(0x5e5e0001), () => 0);
    reg.start();
    const registration = { protocol: 'asap', type: 'registration', poolHandle: new TextEncoder().encode('P'), poolElement: { peId: 7, homeRegistrarId: 0, registrationLife: 30_000, userTransport: { transport: 'sctp', port: 1000, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.1.0.1' }] }, policy: { name: 'roundRobin' } } } as const;
    reg.handle({ kind: 'associationUp', association: 1, protocol: 'asap', peerAddresses: [{ family: 'ipv4', address: '10.1.0.1' }], peerPort: 1000 });
    const actions = reg.handle({ kind: 'asap', association: 1, message: registration });
    expect(reg.handlespace.size).toBe(1);
    expect(checkAfterEvent(reg, actions, 'asap')).toBeUndefined();
    // Corrupt the handlespace behind the registrar's back: the check must see it.
    const e = [...reg.handlespace.entries()][0]!;
    (e as unknown as { peId: number }).peId = 8;
    expect(checkAfterEvent(reg, [], 'time')).toMatchObject({ oracle: 'invariant' });
    expect(checkAfterEvent(undefined, [{ kind: 'log', level: 'error', event: 'internal.error' }], 'asap')).toMatchObject({ oracle: 'registrar-error' });
    // An exception escaping a registrar is a finding, not a crash of the fuzzer.
    const throwing = new RegistrarChecks();
    const factory = throwing.wrap(() => ({ start: () => [], handle: () => { throw new Error('boom'); } }));
    expect(factory(defaultConfig(1), () => 0).handle({ kind: 'time' })).toEqual([]);
    expect(throwing.take()).toMatchObject({ oracle: 'exception', detail: expect.stringContaining('boom') });
  });

  it('ddmin finds the minimal failing subsequence', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const r = await ddmin(items, async (xs) => xs.includes(7) && xs.includes(31), { maxTests: 500, deadline: Infinity, now: () => 0 });
    expect(r.items).toEqual([7, 31]);
    expect(r.complete).toBe(true);
    const cut = await ddmin(items, async (xs) => xs.includes(7), { maxTests: 2, deadline: Infinity, now: () => 0 });
    expect(cut.complete).toBe(false);
    expect(cut.items).toContain(7);
  });
});
