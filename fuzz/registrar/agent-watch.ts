/**
 * The fuzzer's view of an agent's crash reports (src/agent/crash-watch.ts follows the events): a
 * crash of the target becomes a `crash` {@link Failure} the moment the agent sees it, not only at
 * the next sanity check.
 */
import { CrashWatch, describeExit, type AgentClient, type AgentEvent } from '../../src/agent/index.js';
import type { Failure } from './oracles.js';

const failure = (e: AgentEvent): Failure => ({ oracle: 'crash', detail: `the target (agent run ${e.run}, pid ${e.pid ?? '?'}) ${describeExit(e)}` });

/** Watches one agent until {@link stop}. */
export class AgentWatch {
  private readonly watch: CrashWatch;

  constructor(private readonly client: AgentClient) {
    this.watch = new CrashWatch(client);
  }

  /** Error of the last poll, if the agent could not be reached. */
  get lastError(): string | undefined {
    return this.watch.lastError;
  }

  /** Starts following from the agent's current event (earlier exits are not this campaign's). */
  async start(): Promise<void> {
    await this.watch.start();
  }

  /** A crash seen since the last call (drains). */
  takeCrash(): Failure | undefined {
    const e = this.watch.take();
    return e === undefined ? undefined : failure(e);
  }

  /** Waits up to `ms` for a crash report (the agent's child may need a moment to notice). */
  async waitForCrash(ms: number): Promise<Failure | undefined> {
    const e = await this.watch.wait(ms);
    return e === undefined ? undefined : failure(e);
  }

  /** Forgets crash reports so far (after a restart the fuzzer asked for). */
  async resync(): Promise<void> {
    this.watch.settle((await this.client.status()).lastEventSeq);
  }

  /** Ends the long polls (the one in flight finishes within its 2 s wait). */
  async stop(): Promise<void> {
    await this.watch.stop();
  }
}
