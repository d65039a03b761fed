/**
 * Follows an agent's event stream with long polls, so a crash of the target is known the moment
 * the agent sees it (not only at the next sanity check).
 */
import type { AgentClient, AgentEvent } from '../../src/agent/index.js';
import type { Failure } from './oracles.js';

/** Watches one agent until {@link stop}. */
export class AgentWatch {
  private since = 0;
  private crash: Failure | undefined;
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  /** Error of the last poll, if the agent could not be reached. */
  lastError: string | undefined;

  constructor(private readonly client: AgentClient) {}

  /** Starts following from the agent's current event (earlier exits are not this campaign's). */
  async start(): Promise<void> {
    this.since = (await this.client.status()).lastEventSeq;
    this.loop = this.poll();
  }

  /** A crash seen since the last call (drains). */
  takeCrash(): Failure | undefined {
    const c = this.crash;
    this.crash = undefined;
    return c;
  }

  /** Waits up to `ms` for a crash report (the agent's child may need a moment to notice). */
  async waitForCrash(ms: number): Promise<Failure | undefined> {
    const until = Date.now() + ms;
    while (this.crash === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    return this.takeCrash();
  }

  /** Forgets crash reports so far (after a restart the fuzzer asked for). */
  async resync(): Promise<void> {
    this.since = Math.max(this.since, (await this.client.status()).lastEventSeq);
    this.crash = undefined;
  }

  /** Ends the long polls (the one in flight finishes within its 2 s wait). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 100))]);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      let events: AgentEvent[];
      try {
        events = await this.client.events(this.since, 2000);
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const e of events) {
        this.since = Math.max(this.since, e.seq);
        if ((e.kind === 'exit' && e.requested !== true) || e.kind === 'spawnError') {
          const how = e.kind === 'spawnError' ? `could not be started: ${e.detail}` : e.signal ? `was killed by signal ${e.signal}` : `exited with status ${e.code}`;
          this.crash ??= { oracle: 'crash', detail: `the target (agent run ${e.run}, pid ${e.pid ?? '?'}) ${how}` };
        }
      }
    }
  }
}
