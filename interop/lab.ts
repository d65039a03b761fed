/**
 * What the interop tests share: running the lab scripts (scripts/lab/) and host commands with a
 * time limit, and recording how long each step took.
 */
import { execFile } from 'node:child_process';

/** How a command ended: its exit code (null when it was killed, e.g. at its time limit) and output. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args`; never rejects, so a failing step can report its own output. */
export const run = (file: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20, ...(env !== undefined ? { env } : {}) }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });

/** A step timer writing `name → milliseconds` into `timings`, kept even when the step throws. */
export const stepTimer =
  (timings: Record<string, number>) =>
  async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
