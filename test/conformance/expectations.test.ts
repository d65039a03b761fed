/**
 * Expected verdicts (`--expect-fail` files with verdicts and reasons, expected SKIPs and CRASHes),
 * the runner's SKIP decision from declared roles / needs against a target's capabilities, and the
 * --target-config file with its `network` section.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { parseTargetFile } from '../../src/cli/conformance.js';
import { CaseFailure, CaseTimeout, type ConformanceCase } from '../../src/conformance/case.js';
import { InProcessTarget } from '../../src/conformance/in-process-target.js';
import { applyExpectation, parseExpectations, runCases, selectCases, type CaseResult } from '../../src/conformance/runner.js';
import type { Endpoint, Received, Role, Target, TargetCapabilities, TargetDescription, TraceEntry } from '../../src/conformance/target.js';
import { VARIANTS } from '../../src/conformance/variants.js';
import { cli } from '../support/cli.js';

describe('parseExpectations', () => {
  it('reads IDs with verdicts and reasons, bare IDs as FAIL|TIMEOUT, # comments', () => {
    const e = parseExpectations(
      [
        '# header',
        'a/one FAIL rsplib says 0x100a   # trailing comment',
        '',
        'a/two   SKIP|TIMEOUT   no multicast',
        'a/three',
        'a/four CRASH aborts',
        'a/five lower-case text is a reason',
      ].join('\n'),
    );
    expect([...e.keys()]).toEqual(['a/one', 'a/two', 'a/three', 'a/four', 'a/five']);
    expect(e.get('a/one')).toMatchObject({ verdicts: new Set(['FAIL']), reason: 'rsplib says 0x100a', line: 2 });
    expect(e.get('a/two')?.verdicts).toEqual(new Set(['SKIP', 'TIMEOUT']));
    expect(e.get('a/three')).toMatchObject({ verdicts: new Set(['FAIL', 'TIMEOUT']), reason: '' });
    expect(e.get('a/four')?.verdicts).toEqual(new Set(['CRASH']));
    expect(e.get('a/five')).toMatchObject({ verdicts: new Set(['FAIL', 'TIMEOUT']), reason: 'lower-case text is a reason' });
  });

  it('refuses unknown verdicts and duplicate IDs with RSP_ERR_CONFORMANCE_BAD_EXPECTATIONS', () => {
    expect(() => parseExpectations('a/x PASSED why')).toThrow('RSP_ERR_CONFORMANCE_BAD_EXPECTATIONS');
    expect(() => parseExpectations('a/x FAIL\na/x SKIP')).toThrow(/listed twice/);
  });

  it('the committed rsplib file parses and names only existing cases', () => {
    const text = readCommitted();
    const e = parseExpectations(text);
    const ids = new Set(ALL_CASES.map((c) => c.id));
    expect([...e.keys()].filter((id) => !ids.has(id))).toEqual([]);
    for (const x of e.values()) expect(x.reason, x.id).not.toBe('');
  });
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function readCommitted(): string {
  return readFileSync(join(ROOT, 'conformance', 'expectations', 'rsplib-3.4.4.txt'), 'utf8');
}

describe('applyExpectation', () => {
  const base: CaseResult = { id: 'a/x', area: 'a/x', rule: '', requirements: [], roles: [], verdict: 'FAIL', durationMs: 0, targetMs: 0, trace: [] };
  const exp = (v: string, reason = 'why') => parseExpectations(`a/x ${v} ${reason}`).get('a/x');
  it('maps expected FAIL/TIMEOUT/ERROR to XFAIL with the reason, PASS to XPASS, others unchanged', () => {
    expect(applyExpectation(base, exp('FAIL'))).toMatchObject({ verdict: 'XFAIL', reason: 'expected FAIL: why' });
    expect(applyExpectation({ ...base, verdict: 'TIMEOUT' }, exp('FAIL')).verdict).toBe('TIMEOUT');
    expect(applyExpectation({ ...base, verdict: 'ERROR', reason: 'boom' }, exp('ERROR')).verdict).toBe('XFAIL');
    expect(applyExpectation({ ...base, verdict: 'PASS' }, exp('SKIP')).verdict).toBe('XPASS');
    expect(applyExpectation({ ...base, verdict: 'SKIP', reason: 'no multicast' }, exp('SKIP'))).toMatchObject({ verdict: 'SKIP', reason: 'no multicast' });
    expect(applyExpectation({ ...base, verdict: 'FAIL' }, exp('SKIP')).verdict).toBe('FAIL');
    expect(applyExpectation({ ...base, verdict: 'TIMEOUT' }, exp('CRASH')).verdict).toBe('XFAIL');
    expect(applyExpectation(base, undefined)).toBe(base);
  });
});

/** A scripted target: answers the sanity exchange until killed; capabilities as given. */
class StubTarget implements Target {
  dead = false;
  readonly ran: string[] = [];
  private t = 0;
  constructor(private readonly capabilities: TargetCapabilities) {}
  describe(): TargetDescription {
    return { name: 'stub', config: {}, capabilities: this.capabilities };
  }
  now(): number {
    return this.t;
  }
  async open(role: Role): Promise<Endpoint> {
    const self = this;
    let asked = false;
    return {
      name: role,
      role,
      addresses: [],
      port: 1,
      serverId: undefined,
      association: 1,
      closed: false,
      now: () => self.t,
      send: () => {
        asked = true;
      },
      sendRaw: () => undefined,
      receive: async (): Promise<Received | undefined> => {
        if (!asked || self.dead) return undefined;
        asked = false;
        return { message: { protocol: 'asap', type: 'handleResolutionResponse', poolHandle: new Uint8Array(1), poolElements: [] }, bytes: new Uint8Array(0), ppid: 11, channel: 'association', association: 1, at: self.t };
      },
      close: () => undefined,
      abort: () => undefined,
    } as Endpoint;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
  async multicast(): Promise<void> {}
  async receiveMulticast(): Promise<Received | undefined> {
    return undefined;
  }
  async beginCase(id: string): Promise<void> {
    this.ran.push(id);
  }
  async endCase(): Promise<readonly TraceEntry[]> {
    return [];
  }
  async dispose(): Promise<void> {}
}

const CAPS: TargetCapabilities = { roles: ['pe', 'pu'], virtualTime: true, multicastListen: false, multicastSend: false, acceptsIncoming: true };

function synthetic(id: string, run: ConformanceCase['run'], extra: Partial<ConformanceCase> = {}): ConformanceCase {
  return { id, rule: id, requirements: [{ id: 'X-1', level: 'MUST' }], roles: ['pu'], deadline: 1000, run, ...extra };
}

describe('runner: SKIP from declared roles and needs', () => {
  it('skips without running what the target cannot offer, and runs the rest', async () => {
    const t = new StubTarget(CAPS);
    const cases = [
      synthetic('asap/a/peer', async () => undefined, { roles: ['pe', 'peer'] }),
      synthetic('asap/a/mcast', async () => undefined, { needs: ['multicastListen'] }),
      synthetic('asap/a/incoming', async () => undefined, { needs: ['acceptsIncoming'] }),
      synthetic('asap/a/limit', async () => undefined, { needs: ['poolLimit'] }),
    ];
    const r = await runCases(t, cases);
    expect(r.results.map((x) => [x.id, x.verdict])).toEqual([
      ['asap/a/peer', 'SKIP'],
      ['asap/a/mcast', 'SKIP'],
      ['asap/a/incoming', 'PASS'],
      ['asap/a/limit', 'SKIP'],
    ]);
    expect(r.results[0]?.reason).toMatch(/peer role/);
    expect(r.results[1]?.reason).toMatch(/multicastListen/);
    expect(t.ran).toEqual(['asap/a/incoming']);
    expect(r.ok).toBe(true);
  });
});

describe('runner: expectations', () => {
  it('turns expected failures into XFAIL, keeps expected SKIPs, flags XPASS, and runs CRASH cases last', async () => {
    const t = new StubTarget(CAPS);
    const cases = [
      synthetic('asap/b/killer', async () => {
        t.dead = true;
        throw new CaseTimeout('X-1', 'an answer', 5);
      }),
      synthetic('asap/b/fails', async () => {
        throw new CaseFailure('X-1', 'a', 'b');
      }),
      synthetic('asap/b/mcast', async () => undefined, { needs: ['multicastSend'] }),
      synthetic('asap/b/second-killer', async () => undefined),
      synthetic('asap/b/passes', async () => undefined),
    ];
    const expectations = parseExpectations(
      ['asap/b/killer CRASH dies', 'asap/b/second-killer CRASH dies too', 'asap/b/fails FAIL known', 'asap/b/mcast SKIP no multicast'].join('\n'),
    );
    const r = await runCases(t, cases, { expectations });
    expect(r.results.map((x) => [x.id, x.verdict])).toEqual([
      ['asap/b/fails', 'XFAIL'],
      ['asap/b/mcast', 'SKIP'],
      ['asap/b/passes', 'PASS'],
      ['asap/b/killer', 'XFAIL'],
      ['asap/b/second-killer', 'SKIP'],
    ]);
    expect(r.results[3]?.reason).toMatch(/target dead afterwards, as expected/);
    expect(r.results[4]?.reason).toMatch(/--only asap\/b\/second-killer/);
    expect(r.expectedCrash).toBe('asap/b/killer');
    expect(r.sanity.after).toBe(false);
    expect(r.ok).toBe(true);
  });

  it('an unexpected death still fails the run', async () => {
    const t = new StubTarget(CAPS);
    const r = await runCases(t, [
      synthetic('asap/c/killer', async () => {
        t.dead = true;
        throw new CaseTimeout('X-1', 'an answer', 5);
      }),
      synthetic('asap/c/after', async () => undefined),
    ]);
    expect(r.results.map((x) => x.verdict)).toEqual(['TIMEOUT', 'ERROR']);
    expect(r.ok).toBe(false);
  });

  it('in-process: an expected FAIL of a broken variant is XFAIL and the run is OK', async () => {
    const cases = selectCases(ALL_CASES, ['asap/handle-resolution/unknown-pool']);
    const r = await runCases(new InProcessTarget({ factory: VARIANTS.emptySuccessForUnknownPool }), cases, {
      expectations: parseExpectations('asap/handle-resolution/unknown-pool FAIL the variant answers with an empty success'),
    });
    expect(r.results[0]?.verdict).toBe('XFAIL');
    expect(r.results[0]?.reason).toMatch(/empty success/);
    expect(r.ok).toBe(true);
  });
});

describe('runner: retries on real-time targets', () => {
  it('reruns an unlisted FAIL/TIMEOUT with a fresh seed, keeps the last verdict and counts attempts; listed cases run once', async () => {
    const t = new StubTarget({ ...CAPS, virtualTime: false });
    const seeds: number[] = [];
    let flaky = 0;
    let listed = 0;
    const cases = [
      synthetic('asap/d/flaky', async (ctx) => {
        seeds.push(ctx.seed);
        if (++flaky < 2) throw new CaseTimeout('X-1', 'an answer', 5);
      }),
      synthetic('asap/d/listed', async () => {
        listed++;
        throw new CaseFailure('X-1', 'a', 'b');
      }),
      synthetic('asap/d/broken', async () => {
        throw new CaseFailure('X-1', 'a', 'b');
      }),
    ];
    const r = await runCases(t, cases, { retries: 2, expectations: parseExpectations('asap/d/listed FAIL known') });
    expect(r.results.map((x) => [x.id, x.verdict, x.attempts])).toEqual([
      ['asap/d/flaky', 'PASS', 2],
      ['asap/d/listed', 'XFAIL', undefined],
      ['asap/d/broken', 'FAIL', 3],
    ]);
    expect(r.results[0]?.reason).toMatch(/passed on attempt 2; before: TIMEOUT X-1/);
    expect(new Set(seeds).size).toBe(2);
    expect(listed).toBe(1);
    expect(r.ok).toBe(false);
  });

  it('never retries on a virtual-time target', async () => {
    let runs = 0;
    const r = await runCases(new StubTarget(CAPS), [synthetic('asap/e/x', async () => {
      runs++;
      throw new CaseFailure('X-1', 'a', 'b');
    })], { retries: 3 });
    expect([r.results[0]?.verdict, runs]).toEqual(['FAIL', 1]);
  });
});

describe('--target-config with network settings', () => {
  it('reads tunables, network and registrarArgs; refuses unknown keys', () => {
    const f = parseTargetFile(
      JSON.stringify({
        $comment: 'x',
        serverId: 5,
        keepAliveTimeoutInterval: 1000,
        network: { local: 'udp:127.0.0.1:9899', peAddresses: ['10.0.2.2'], settleMs: 50 },
        registrarArgs: ['-identifier=5'],
      }),
    );
    expect(f.config).toEqual({ serverId: 5, keepAliveTimeoutInterval: 1000 });
    expect(f.network).toEqual({ local: { host: '127.0.0.1', port: 9899 }, peAddresses: ['10.0.2.2'], settleMs: 50 });
    expect(f.registrarArgs).toEqual(['-identifier=5']);
    expect(() => parseTargetFile('{"network":{"bogus":1}}')).toThrow('RSP_ERR_CONFORMANCE_BAD_TARGET_CONFIG');
    expect(() => parseTargetFile('{"network":{"local":"127.0.0.1:9"}}')).toThrow(/udp:HOST:PORT/);
    expect(() => parseTargetFile('{"network":{"peAddresses":"10.0.2.2"}}')).toThrow(/array/);
    expect(() => parseTargetFile('{"frobnicate":1}')).toThrow(/unknown key/);
  });

  it('the committed rsplib target file parses', () => {
    const text = readFileSync(join(ROOT, 'conformance', 'targets', 'rsplib-3.4.4.json'), 'utf8');
    const f = parseTargetFile(text);
    expect(f.network.peAddresses).toEqual(['10.0.2.2']);
    expect(f.registrarArgs.length).toBeGreaterThan(0);
  });
});

describe('rserpool-harness conformance --expect-fail with verdicts', () => {
  it('reads a verdict file, warns about unknown case IDs, fails on an XPASS and exits 2 on a malformed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exp-'));
    const file = join(dir, 'e.txt');
    writeFileSync(file, '# x\nasap/handle-resolution/answer SKIP not really\nasap/no-such-case FAIL stale\n');
    const r = cli('conformance', '--only', 'asap/handle-resolution/answer', '--expect-fail', file);
    expect(r.stderr).toMatch(/e\.txt:3: no case asap\/no-such-case/);
    // Listed as an expected SKIP but it passes in-process: an XPASS fails the run.
    expect(r.stderr).toMatch(/XPASS/);
    expect(r.status).toBe(1);
    writeFileSync(file, 'asap/handle-resolution/answer PASSED\n');
    expect(cli('conformance', '--expect-fail', file).status).toBe(2);
  });
});
