/** Pieces shared by the networked commands `registrar`, `pe` and `pu`. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseUdpEndpoint, type UdpEndpointAddress } from './address.js';
import { streamLogger, type NetLogger, type NetLogRecord } from './log.js';

/** `udp:HOST:PORT` option parser. */
export const udpEndpoint = (defaultPort: number) => (value: string): UdpEndpointAddress => {
  try {
    return parseUdpEndpoint(value, defaultPort);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
};

/** Non-negative number option parser. */
export const num = (value: string): number => {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return v;
};

/** A parser for an option that must be a positive number; `what` names it in the error. */
export const positive = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};

/** A campaign seed: an unsigned 32-bit integer, so every run can be repeated from it. */
export const seedArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('the seed is an integer 0–4294967295');
  return n;
};

/** The logging options. */
export function addLogOptions(cmd: Command): Command {
  return cmd
    .option('--log <format>', 'log format: json (JSON lines) or text', (v) => {
      if (v !== 'json' && v !== 'text') throw new InvalidArgumentError('expected json or text');
      return v;
    }, 'text')
    .option('--log-level <level>', 'lowest level logged: debug, info, warn, error', (v) => {
      if (!['debug', 'info', 'warn', 'error'].includes(v)) throw new InvalidArgumentError('expected debug, info, warn or error');
      return v;
    }, 'info');
}

/** A logger from the logging options. */
export function loggerFrom(flags: { log: 'json' | 'text'; logLevel: NetLogRecord['level'] }, err: NodeJS.WritableStream): NetLogger {
  return streamLogger(err, flags.log, flags.logLevel);
}

/** Resolves on the first SIGINT or SIGTERM (or when `signal` aborts, for tests). */
export function untilSignal(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (name: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(name);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    signal?.addEventListener('abort', () => done('abort'), { once: true });
  });
}

/** Marks the run as failed (exit status 1). */
export function fail(cmd: Command, err: NodeJS.WritableStream, e: unknown): void {
  err.write(`rserpool-harness: ${e instanceof Error ? e.message : String(e)}\n`);
  let root: Command = cmd;
  while (root.parent !== null) root = root.parent;
  root.setOptionValue('exitCode', 1);
}
