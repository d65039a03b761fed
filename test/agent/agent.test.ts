/**
 * The agent with real child processes: the `agent` command supervising a small node script that
 * crashes on a given input, talked to over HTTP with the undici client. No mocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, AgentError, Supervisor, parseListen } from '../../src/agent/index.js';

const BIN = fileURLToPath(new URL('../../bin/rserpool-harness.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/crash-on-input.mjs', import.meta.url));

const started: ChildProcess[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
  }
});

/** Starts `rserpool-harness agent` on a free port; resolves with its URL. */
async function startAgent(command: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, 'agent', '--listen', '127.0.0.1:0', '--stop-timeout', '3000', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`agent did not start: ${err}`)), 15_000);
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /agent listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return { url, proc };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function sendUdp(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.send(text, port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent', () => {
  it('sees a crash at once, keeps the output tail, and restarts the command on request', async () => {
    const port = await freePort();
    const { url } = await startAgent([process.execPath, CHILD, String(port)]);
    const agent = new AgentClient(url);
    await until('the child to be ready', async () => ((await agent.output(20)).some((l) => l.text.includes('ready on')) ? true : undefined));
    const st = await agent.status();
    expect(st.state).toBe('running');
    expect(st.run).toBe(1);

    await sendUdp(port, 'hello');
    await until('the echo', async () => ((await agent.output(20)).some((l) => l.text === 'got hello') ? true : undefined));

    // Long poll: the exit event comes as soon as the child dies.
    const since = st.lastEventSeq;
    const polled = agent.events(since, 10_000);
    const t0 = Date.now();
    await sendUdp(port, 'crash');
    const events = await polled;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events).toEqual([expect.objectContaining({ kind: 'exit', code: 13, requested: false, run: 1 })]);
    const tail = (await agent.output(50)).map((l) => l.text);
    expect(tail).toContain('crash-on-input: fatal input "crash"');
    expect((await agent.status())).toMatchObject({ state: 'exited', unexpectedExits: 1 });

    const restarted = await agent.restart();
    expect(restarted).toMatchObject({ kind: 'start', run: 2 });
    await until('run 2 to be ready', async () => ((await agent.output(50)).some((l) => l.run === 2 && l.text.includes('ready on')) ? true : undefined));
    // A signal death is reported with the signal.
    await sendUdp(port, 'kill');
    const killed = await until('the SIGKILL exit', async () => (await agent.events(restarted.seq, 2000)).find((e) => e.kind === 'exit'));
    expect(killed).toMatchObject({ signal: 'SIGKILL', code: null, requested: false, run: 2 });
  });

  it('answers bad input with a clear error and stays up', async () => {
    const port = await freePort();
    const { url } = await startAgent([process.execPath, CHILD, String(port)]);
    const get = async (path: string, method: 'GET' | 'POST' | 'DELETE' = 'GET') => {
      const r = await request(new URL(path, url), { method });
      return { status: r.statusCode, body: (await r.body.json()) as { error?: { code: string; message: string } } };
    };
    expect(await get('/events?since=-1')).toMatchObject({ status: 400, body: { error: { code: 'RSP_ERR_AGENT_BAD_REQUEST' } } });
    expect(await get('/events?waitMs=99999999')).toMatchObject({ status: 400 });
    expect(await get('/output?lines=abc')).toMatchObject({ status: 400 });
    expect(await get('/restart')).toMatchObject({ status: 405, body: { error: { code: 'RSP_ERR_AGENT_BAD_REQUEST' } } });
    expect(await get('/status', 'DELETE')).toMatchObject({ status: 405 });
    expect(await get('/../../etc/passwd')).toMatchObject({ status: 404, body: { error: { code: 'RSP_ERR_AGENT_NOT_FOUND' } } });
    expect(await get('/status')).toMatchObject({ status: 200, body: { state: 'running' } });
    // The client turns an unreachable agent into a typed error.
    const dead = new AgentClient('http://127.0.0.1:1', 1000);
    await expect(dead.status()).rejects.toMatchObject({ code: 'RSP_ERR_AGENT_UNREACHABLE' });
    expect(() => new AgentClient('ftp://x')).toThrow(AgentError);
  });

  it('stops its command (and the command\'s children) on SIGTERM', async () => {
    const port = await freePort();
    // The command is a shell whose child is the node script: the whole process group must go.
    const { url, proc } = await startAgent(['sh', '-c', `"${process.execPath}" "${CHILD}" ${port}; echo after`]);
    const agent = new AgentClient(url);
    await until('the child to be ready', async () => ((await agent.output(20)).some((l) => l.text.includes('ready on')) ? true : undefined));
    proc.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    // The port is free again: the grandchild is gone.
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', () => resolve());
    });
    s.close();
  });

  it('reports a command that cannot be started as an event, not a crash of the agent', async () => {
    const sup = new Supervisor({ command: ['/nonexistent/registrar'] });
    await expect(sup.start()).rejects.toMatchObject({ code: 'RSP_ERR_AGENT_SPAWN_FAILED' });
    expect(sup.status()).toMatchObject({ state: 'exited', lastExit: { kind: 'spawnError' } });
    expect(() => parseListen('nonsense')).toThrow(/RSP_ERR_AGENT_BAD_ADDRESS/);
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
  });
});
