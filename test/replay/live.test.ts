/**
 * Live replay against our own networked registrar (`rserpool-harness registrar`, loopback): the
 * short recording replays without divergence; a registrar configured differently diverges.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { liveReplay, loadCapture } from '../../src/replay/index.js';
import { recordTo, tempDir } from './helpers.js';
import { cli } from '../support/cli.js';

const BIN = fileURLToPath(new URL('../../bin/rserpool-harness.mjs', import.meta.url));
const tmp = tempDir();
const running: ChildProcess[] = [];
afterAll(() => {
  for (const p of running) p.kill('SIGTERM');
  tmp.done();
});

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

/** Starts `rserpool-harness registrar` on a free loopback UDP port; resolves once it logs. */
async function startRegistrar(...extra: string[]): Promise<number> {
  const port = await freePort();
  const p = spawn(process.execPath, [BIN, 'registrar', '--asap', `udp:127.0.0.1:${port}`, '--preset', 'rsplib', '--id', '0x5ef00001', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(p);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('registrar did not start')), 15_000);
    const ready = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.stdout?.once('data', ready);
    p.stderr?.once('data', ready);
    p.once('exit', (code) => reject(new Error(`registrar exited ${code}`)));
  });
  return port;
}

describe('replay --target against our networked registrar', () => {
  it('the short recording of the reference replays live without divergence (CLI, exit 0)', async () => {
    const file = recordTo(tmp.dir, 'short', { workload: 'short' });
    const port = await startRegistrar();
    const r = cli('replay', file, '--target', `udp:127.0.0.1:${port}`, '--pe-address', '127.0.0.1', '--quiet', '--json', '-');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { live: { sent: number; answers: number; divergences: unknown[] } };
    expect(doc.live.sent).toBe(8);
    expect(doc.live.answers).toBe(8);
    expect(doc.live.divergences).toEqual([]);
  }, 30_000);

  it('a registrar that refuses loopback PEs (REG-8) diverges from the capture', async () => {
    const file = recordTo(tmp.dir, 'short2', { workload: 'short' });
    const port = await startRegistrar('--min-address-scope', 'siteLocal');
    const r = await liveReplay(await loadCapture(file), { target: `udp:127.0.0.1:${port}`, peAddress: '127.0.0.1', settleMs: 300 });
    expect(r.divergences.map((d) => d.kind)).toContain('live.outcome');
  }, 30_000);
});
