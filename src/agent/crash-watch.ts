/**
 * Follows an agent's event stream with long polls so that a crash of the supervised target is
 * known the moment the agent sees it, not at the next deadline. Used by the registrar fuzzer and by
 * the conformance driver (`--agent`).
 *
 * Only exits the agent did not ask for (`requested` false) and failed starts count: an exit during a
 * restart someone requested is the agent's own doing.
 */
import type { AgentClient } from './client.js';
import type { AgentEvent, AgentStatus } from './supervisor.js';

/** One line: how an event ended the target. */
export function describeExit(e: AgentEvent): string {
  if (e.kind === 'spawnError') return `could not be started: ${e.detail ?? 'spawn failed'}`;
  return e.signal !== undefined && e.signal !== null ? `was killed by signal ${e.signal}` : `exited with status ${e.code ?? '?'}`;
}

const isCrash = (e: AgentEvent): boolean => (e.kind === 'exit' && e.requested !== true) || e.kind === 'spawnError';

/** Holds the first crash seen since it was last taken or settled. */
export class CrashWatch {
  private since = 0;
  private seen: AgentEvent | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private signal!: Promise<void>;
  private fire!: () => void;
  /** Why the last poll failed, if the agent could not be reached (cleared by the next good one). */
  lastError: string | undefined;

  /** `pollMs`: the wait of each long-poll request. */
  constructor(
    private readonly client: AgentClient,
    private readonly pollMs = 2000,
  ) {
    this.rearm();
  }

  /**
   * `GET /status`, then follows the events from the agent's current one on (earlier exits are not
   * this run's). Throws the client's `AgentError` when there is no agent.
   */
  async start(): Promise<AgentStatus> {
    const status = await this.client.status();
    this.since = status.lastEventSeq;
    if (!this.running) {
      this.running = true;
      this.loop = this.poll();
    }
    return status;
  }

  /** Resolves when a crash is seen (again after each {@link take}). */
  crashed(): Promise<void> {
    return this.signal;
  }

  /** The crash seen so far, if any; consumes it. */
  take(): AgentEvent | undefined {
    const e = this.seen;
    if (e === undefined) return undefined;
    this.seen = undefined;
    this.rearm();
    return e;
  }

  /** Waits up to `ms` for a crash (the agent may need a moment to notice its child's exit); consumes it. */
  async wait(ms: number): Promise<AgentEvent | undefined> {
    if (this.seen === undefined && ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.signal, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    }
    return this.take();
  }

  /**
   * Everything up to event `seq` is dealt with (a crash already reported, the agent's own stop); an
   * exit after it, even one the poll has already seen, stays visible.
   */
  settle(seq: number): void {
    this.since = Math.max(this.since, seq);
    if (this.seen !== undefined && this.seen.seq <= seq) this.take();
  }

  /** Stops following the events; the poll in flight ends within its own wait. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 100))]);
  }

  private rearm(): void {
    this.signal = new Promise((r) => (this.fire = r));
  }

  private async poll(): Promise<void> {
    while (this.running) {
      let events: AgentEvent[];
      try {
        events = await this.client.events(this.since, this.pollMs);
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const e of events) {
        this.since = Math.max(this.since, e.seq);
        if (this.seen === undefined && isCrash(e)) {
          this.seen = e;
          this.fire();
        }
      }
    }
  }
}
