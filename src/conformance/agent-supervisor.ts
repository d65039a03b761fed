/**
 * The conformance runner's {@link TargetSupervisor} over an agent (`rserpool-harness agent`, HTTP
 * via {@link AgentClient}): follows the agent's event stream with long polls, so a target that
 * exits is known the moment the agent sees it, not when the case's deadlines run out; fetches the
 * target's last output for the report; restarts the target on request.
 *
 * Only exits the agent did not ask for count (`requested` false) and failed starts; an exit while
 * the driver restarts the target is the agent's own doing.
 */
import { CrashWatch, describeExit, type AgentClient } from '../agent/index.js';
import type { TargetCrash, TargetSupervisor } from './runner.js';

/** What {@link AgentSupervisor.take} gives: a {@link TargetCrash} before the runner adds the case's part. */
type SeenCrash = Omit<TargetCrash, 'caseOutcome' | 'restarted' | 'restartMs' | 'restartError'>;

/** Options of {@link AgentSupervisor}. */
export interface AgentSupervisorOptions {
  /** Output lines put into a CRASH report (default 80: the lab wrapper's post-mortem is ~60). */
  readonly tailLines?: number;
  /** Long-poll wait of each events request, ms (default 2000). */
  readonly pollMs?: number;
}

/** See the module comment. */
export class AgentSupervisor implements TargetSupervisor {
  private readonly watch: CrashWatch;

  constructor(
    private readonly client: AgentClient,
    private readonly options: AgentSupervisorOptions = {},
  ) {
    this.watch = new CrashWatch(client, options.pollMs ?? 2000);
  }

  /** The agent's URL. */
  get url(): string {
    return this.client.url;
  }

  /** Why the last poll failed, if the agent could not be reached (cleared by the next good one). */
  get lastError(): string | undefined {
    return this.watch.lastError;
  }

  /**
   * `GET /status`, then follows the events from the agent's current one on (earlier exits are not
   * this run's). Throws {@link AgentError} `RSP_ERR_AGENT_UNREACHABLE` when there is no agent.
   */
  async check(): Promise<{ readonly running: boolean }> {
    const status = await this.watch.start();
    return { running: status.state === 'running' };
  }

  /** Resolves when the agent reports an exit it did not ask for (see {@link TargetSupervisor.crashed}). */
  crashed(): Promise<void> {
    return this.watch.crashed();
  }

  /** The exit seen so far (waiting up to `waitMs`) with the target's last output; consumes it. */
  async take(waitMs: number): Promise<SeenCrash | undefined> {
    const e = await this.watch.wait(waitMs);
    if (e === undefined) return undefined;
    return {
      code: e.kind === 'exit' ? (e.code ?? null) : null,
      signal: e.kind === 'exit' ? (e.signal ?? null) : null,
      how: describeExit(e),
      run: e.run,
      ...(e.pid !== undefined ? { pid: e.pid } : {}),
      at: new Date(e.at).toISOString(),
      output: await this.tail(e.run),
    };
  }

  /** `POST /restart`; events up to the new start are settled (the agent's own stop is no crash). */
  async restart(): Promise<void> {
    const started = await this.client.restart();
    this.watch.settle(started.seq);
  }

  /** Stops following the events. */
  async close(): Promise<void> {
    await this.watch.stop();
  }

  /** The last lines of the run that ended (the agent's tail spans runs; earlier ones would mislead). */
  private async tail(run: number): Promise<string[]> {
    const n = this.options.tailLines ?? 80;
    try {
      const lines = (await this.client.output(Math.min(5000, n * 4))).filter((l) => l.run === run).slice(-n);
      return lines.map((l) => `${new Date(l.at).toISOString()} ${l.stream} ${l.text}`);
    } catch (e) {
      return [`(the agent's output is unavailable: ${e instanceof Error ? e.message : String(e)})`];
    }
  }
}
