/** Test helpers: the real `rserpool-harness agent` as a child process, and free loopback UDP ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rserpool-harness.mjs', import.meta.url));

/** A running agent. */
export interface AgentProcess {
  readonly url: string;
  readonly proc: ChildProcess;
  /** SIGTERM and wait for the exit (the agent stops its command first). */
  stop(): Promise<number | null>;
}

/** Starts `rserpool-harness agent --listen 127.0.0.1:0 -- COMMAND…`; resolves once it listens. */
export async function startAgent(command: readonly string[], stopTimeoutMs = 3000): Promise<AgentProcess> {
  const proc = spawn(process.execPath, [BIN, 'agent', '--listen', '127.0.0.1:0', '--stop-timeout', String(stopTimeoutMs), '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`agent did not start: ${err}`));
    }, 15_000);
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /agent listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return {
    url,
    proc,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A UDP port free on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}
