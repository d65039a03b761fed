/**
 * Runs one command next to the registrar under test: starts it in its own process group, keeps
 * the tail of its output, records every start and exit as an event, and restarts it on request.
 * The agent never restarts on its own: a crash must stay visible until the fuzzer has seen it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AGENT_ERR, AgentError } from './errors.js';
import { OutputTail, type OutputLine } from './output-tail.js';

/** Something that happened to the command. */
export interface AgentEvent {
  /** Increasing from 1; `GET /events?since=N` returns the events after N. */
  readonly seq: number;
  readonly kind: 'start' | 'exit' | 'spawnError';
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Which run (1 = the first start). */
  readonly run: number;
  readonly pid?: number;
  /** Exit status, or null when a signal ended it. */
  readonly code?: number | null;
  readonly signal?: string | null;
  /** True when the agent itself stopped the command (restart, shutdown): not a crash. */
  readonly requested?: boolean;
  readonly detail?: string;
}

/** The state `GET /status` reports. */
export interface AgentStatus {
  readonly state: 'running' | 'exited' | 'stopping' | 'notStarted';
  readonly command: readonly string[];
  readonly run: number;
  readonly pid: number | undefined;
  /** Milliseconds since the epoch of the current run's start. */
  readonly startedAt: number | undefined;
  readonly restarts: number;
  /** Exits the agent did not ask for (crashes, or the command ending by itself). */
  readonly unexpectedExits: number;
  readonly lastExit: AgentEvent | undefined;
  readonly lastEventSeq: number;
}

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  readonly command: readonly string[];
  /** Lines kept (default 500). */
  readonly tailLines?: number;
  /** How long a stop waits after SIGTERM before SIGKILL (default 20 s: the lab wrapper stops a guest). */
  readonly stopTimeoutMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const MAX_EVENTS = 1000;

/** See the module comment. */
export class Supervisor {
  private child: ChildProcess | undefined;
  private run = 0;
  private startedAt: number | undefined;
  private restarts = 0;
  private unexpectedExits = 0;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly events: AgentEvent[] = [];
  private seq = 0;
  private readonly waiters = new Set<() => void>();
  readonly tail: OutputTail;

  constructor(private readonly options: SupervisorOptions) {
    if (options.command.length === 0) throw new AgentError(AGENT_ERR.badRequest, 'no command to run');
    this.tail = new OutputTail(options.tailLines ?? 500);
  }

  /** Starts the command (a new run). Resolves once it is spawned, rejects if it cannot be. */
  start(): Promise<AgentEvent> {
    const [file, ...args] = this.options.command as [string, ...string[]];
    const run = ++this.run;
    this.stopping = false;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        // Own process group: a stop reaches the command's children (the lab wrapper's qemu helpers).
        child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: this.options.cwd, env: this.options.env ?? process.env });
      } catch (e) {
        const ev = this.emit({ kind: 'spawnError', run, detail: e instanceof Error ? e.message : String(e) });
        reject(new AgentError(AGENT_ERR.spawnFailed, ev.detail ?? 'spawn failed'));
        return;
      }
      this.child = child;
      let settled = false;
      let onExit!: () => void;
      this.exited = new Promise((r) => (onExit = r));
      child.stdout?.setEncoding('utf8').on('data', (d: string) => this.tail.push('stdout', d, run));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => this.tail.push('stderr', d, run));
      child.once('spawn', () => {
        settled = true;
        this.startedAt = Date.now();
        this.tail.note(`started run ${run}, pid ${child.pid}: ${this.options.command.join(' ')}`, run);
        resolve(this.emit({ kind: 'start', run, ...(child.pid !== undefined ? { pid: child.pid } : {}) }));
      });
      child.once('error', (e) => {
        if (settled) return;
        settled = true;
        this.child = undefined;
        const ev = this.emit({ kind: 'spawnError', run, detail: e.message });
        this.tail.note(`cannot start: ${e.message}`, run);
        onExit();
        reject(new AgentError(AGENT_ERR.spawnFailed, ev.detail ?? e.message));
      });
      // 'close' (not 'exit'): the output pipes are drained, so the tail holds the last words.
      child.once('close', (code, signal) => {
        if (!settled) return;
        this.tail.flush(run);
        const requested = this.stopping;
        if (!requested) this.unexpectedExits++;
        this.tail.note(`run ${run} ended: ${signal !== null ? `signal ${signal}` : `exit status ${code}`}${requested ? ' (stopped by the agent)' : ''}`, run);
        if (this.child === child) this.child = undefined;
        this.emit({ kind: 'exit', run, ...(child.pid !== undefined ? { pid: child.pid } : {}), code, signal, requested });
        onExit();
      });
    });
  }

  /** Stops the current run (SIGTERM to its group, SIGKILL after the timeout); resolves when it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.pid === undefined) return;
    this.stopping = true;
    const pid = child.pid;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        // the group is already gone
      }
    };
    signalGroup('SIGTERM');
    const timeout = this.options.stopTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((r) => {
      timer = setTimeout(() => {
        signalGroup('SIGKILL');
        r();
      }, timeout);
    });
    await Promise.race([this.exited, killed]);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the command if it runs, then starts a new run. */
  async restart(): Promise<AgentEvent> {
    await this.stop();
    this.restarts++;
    return this.start();
  }

  /** The current state. */
  status(): AgentStatus {
    const lastExit = [...this.events].reverse().find((e) => e.kind === 'exit' || e.kind === 'spawnError');
    const state: AgentStatus['state'] = this.run === 0 ? 'notStarted' : this.child !== undefined ? (this.stopping ? 'stopping' : 'running') : 'exited';
    return {
      state,
      command: this.options.command,
      run: this.run,
      pid: this.child?.pid,
      startedAt: this.child !== undefined ? this.startedAt : undefined,
      restarts: this.restarts,
      unexpectedExits: this.unexpectedExits,
      lastExit,
      lastEventSeq: this.seq,
    };
  }

  /** Events after `since`; with `waitMs` > 0 and none yet, waits up to that long for one (long poll). */
  async eventsSince(since: number, waitMs = 0): Promise<AgentEvent[]> {
    const now = this.events.filter((e) => e.seq > since);
    if (now.length > 0 || waitMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
    });
    return this.events.filter((e) => e.seq > since);
  }

  /** The last `n` output lines. */
  output(n: number): OutputLine[] {
    return this.tail.last(n);
  }

  /** Ends pending long polls (agent shutdown). */
  wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  private emit(e: Omit<AgentEvent, 'seq' | 'at'>): AgentEvent {
    const ev: AgentEvent = { seq: ++this.seq, at: Date.now(), ...e };
    this.events.push(ev);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const w of [...this.waiters]) w();
    return ev;
  }
}
