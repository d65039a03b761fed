/**
 * Interop (issue #6): our `rserpool-harness pe` registers with a real rsplib 3.4.4 registrar
 * (Debian `rsplib-registrar`, qemu guest built by scripts/lab/), `pu` resolves it, and stopping
 * the PE deregisters it.  SCTP over UDP (RFC 6951) through slirp, all inside network namespace
 * `rshlab` (loopback only): the host side talks to 127.0.0.1:9900, forwarded to the guest's 9899.
 *
 * REG-8: rsplib only accepts PE addresses that are peer addresses of the ASAP association; the
 * guest sees our packets coming from slirp's 10.0.2.2, so the PE advertises 10.0.2.2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, stepTimer, type Run } from './lab.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAB = join(ROOT, 'scripts', 'lab');
const BUILD = process.env['LAB_BUILD'] ?? join(LAB, '.build');
const NETNS = process.env['LAB_NETNS'] ?? 'rshlab';
const HOSTPORT = process.env['LAB_HOSTPORT'] ?? '9900';
const REGISTRAR = `udp:127.0.0.1:${HOSTPORT}`;
const CLI = join(ROOT, 'bin', 'rserpool-harness.mjs');
const POOL = 'RshInteropPool';
const PE_ID = 0x1234abcd;
// Override only to demonstrate REG-8 (e.g. 127.0.0.1 is refused by rsplib).
const ADVERTISED = process.env['INTEROP_PE_ADDRESS'] ?? '10.0.2.2';

const timings: Record<string, number> = {};
const t = stepTimer(timings);
const inNetns = (args: string[], timeoutMs = 30_000): Promise<Run> => run('ip', ['netns', 'exec', NETNS, process.execPath, CLI, ...args], timeoutMs);
const pu = (): Promise<Run> => inNetns(['pu', '--registrar', REGISTRAR, '--pool', POOL, '--json', '--timeout', '8000']);

let bootedHere = false;
let pe: ChildProcess | undefined;
let peErr = '';

describe('rsplib 3.4.4 registrar (qemu guest)', () => {
  beforeAll(async () => {
    const t0 = performance.now();
    const build = await t('buildImageMs', () => run(join(LAB, 'build-image.sh'), [], 900_000));
    if (build.code !== 0) throw new Error(`build-image.sh failed:\n${build.stdout}${build.stderr}`);
    const running = await run('sh', ['-c', `test -e "${BUILD}/rsh.pid" && kill -0 "$(cat "${BUILD}/rsh.pid")"`], 5000);
    if (running.code !== 0) {
      bootedHere = true;
      const boot = await t('bootMs', () => run(join(LAB, 'boot.sh'), [], 180_000));
      if (boot.code !== 0) throw new Error(`boot.sh failed:\n${boot.stdout}${boot.stderr}`);
    }
    timings['setupMs'] = Math.round(performance.now() - t0);
  });

  afterAll(async () => {
    if (pe !== undefined && pe.exitCode === null) pe.kill('SIGKILL');
    if (bootedHere && process.env['LAB_KEEP'] !== '1') await t('stopMs', () => run(join(LAB, 'stop.sh'), [], 30_000));
    mkdirSync(BUILD, { recursive: true });
    writeFileSync(join(BUILD, 'interop-timings.json'), JSON.stringify({ at: new Date().toISOString(), bootedHere, ...timings }, null, 2) + '\n');
    console.log('interop timings (ms):', JSON.stringify(timings));
  });

  it('answers a Handle Resolution for an unknown pool with Unknown Pool Handle (cause 9)', async () => {
    const r = await t('healthMs', () => pu());
    expect(r.stderr).toMatch(/causes 9/);
    expect(r.code).not.toBe(0);
  });

  it('registers our PE, resolves it with our PU, and deregisters it when the PE stops', async () => {
    const tReg = performance.now();
    pe = spawn('ip', ['netns', 'exec', NETNS, process.execPath, CLI, 'pe', '--registrar', REGISTRAR, '--pool', POOL, '--id', `0x${PE_ID.toString(16)}`, '--user-address', ADVERTISED, '--user-port', '5000', '--lifetime', '30000', '--log', 'json', '--timeout', '8000'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const child = pe;
    child.stderr!.on('data', (d: Buffer) => (peErr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PE did not register within 30 s:\n${peErr}`)), 30_000);
      const check = (): void => {
        if (/"event":"registered"/.test(peErr)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.once('exit', (c) => {
        clearTimeout(timer);
        reject(new Error(`PE exited (${c}) before registering:\n${peErr}`));
      });
    });
    timings['registerMs'] = Math.round(performance.now() - tReg);

    const r = await t('resolveMs', () => pu());
    expect(r.code, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout.trim().split('\n')[0]!) as { poolElements: { peId: number; addresses: string[]; port: number; transport: string }[] };
    expect(answer.poolElements).toEqual([expect.objectContaining({ peId: PE_ID, transport: 'sctp', port: 5000, addresses: [ADVERTISED] })]);

    const tStop = performance.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    const code = await exited;
    timings['deregisterMs'] = Math.round(performance.now() - tStop);
    expect(code, peErr).toBe(0);
    expect(peErr).toMatch(/"event":"deregistered".*"ok":true/);

    const after = await t('resolveAfterMs', () => pu());
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/causes 9/);
  });
});
