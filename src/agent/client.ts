/**
 * The fuzzer's (and anyone's) side of the agent API, over undici. Every call is bounded in time
 * and turns transport problems into {@link AgentError} `RSP_ERR_AGENT_UNREACHABLE`.
 */
import { request } from 'undici';
import { AGENT_ERR, AgentError } from './errors.js';
import type { OutputLine } from './output-tail.js';
import type { AgentEvent, AgentStatus } from './supervisor.js';

/** Client of one agent. */
export class AgentClient {
  private readonly base: URL;

  /** @param url e.g. `http://127.0.0.1:8790` */
  constructor(url: string, private readonly timeoutMs = 10_000) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new AgentError(AGENT_ERR.badAddress, `not a URL: ${JSON.stringify(url)} (expected http://HOST:PORT)`);
    }
    if (u.protocol !== 'http:') throw new AgentError(AGENT_ERR.badAddress, `only http:// agents are supported, got ${JSON.stringify(url)}`);
    this.base = u;
  }

  /** The agent's URL. */
  get url(): string {
    return this.base.origin;
  }

  /** `GET /status`. */
  status(): Promise<AgentStatus> {
    return this.call<AgentStatus>('GET', '/status');
  }

  /** `GET /output`: the last `lines` lines the command wrote, oldest first. */
  async output(lines = 100): Promise<OutputLine[]> {
    return (await this.call<{ lines: OutputLine[] }>('GET', `/output?lines=${lines}`)).lines;
  }

  /** Events after `since`, waiting up to `waitMs` for one. */
  async events(since: number, waitMs = 0): Promise<AgentEvent[]> {
    return (await this.call<{ events: AgentEvent[] }>('GET', `/events?since=${since}&waitMs=${waitMs}`, waitMs)).events;
  }

  /** Stops and starts the command again; resolves with the new start event. */
  async restart(): Promise<AgentEvent> {
    return (await this.call<{ event: AgentEvent }>('POST', '/restart', 60_000)).event;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, extraMs = 0): Promise<T> {
    const url = new URL(path, this.base);
    let status: number;
    let text: string;
    try {
      const res = await request(url, { method, headersTimeout: this.timeoutMs + extraMs, bodyTimeout: this.timeoutMs + extraMs });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      throw new AgentError(AGENT_ERR.unreachable, `${method} ${url.href}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AgentError(AGENT_ERR.unreachable, `${method} ${url.href}: status ${status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (status !== 200) {
      const err = (body as { error?: { message?: string } }).error;
      throw new AgentError(AGENT_ERR.failed, `${method} ${url.href}: status ${status}: ${err?.message ?? text.slice(0, 200)}`);
    }
    return body as T;
  }
}
