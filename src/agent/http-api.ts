/**
 * The agent's HTTP API (JSON over plain HTTP, meant for loopback or a private namespace):
 *
 * | request | answer |
 * |---|---|
 * | `GET /status` | {@link AgentStatus} |
 * | `GET /output?lines=N` | `{ lines: OutputLine[] }`, the last N (1–5000, default 100) |
 * | `GET /events?since=SEQ&waitMs=MS` | `{ events: AgentEvent[] }` after SEQ; waits up to MS (≤ 60000) for one |
 * | `POST /restart` | `{ event }`: the command was stopped (if running) and started again |
 *
 * Errors are `{ error: { code, message } }` with an `RSP_ERR_AGENT_*` code and status 400/404/405/500.
 * Bad input never takes the agent down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_ERR, AgentError, type AgentErrorCode } from './errors.js';
import type { Supervisor } from './supervisor.js';

/** Longest long poll a client may ask for. */
export const MAX_WAIT_MS = 60_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, AGENT_ERR.badRequest, `query parameter ${name} must be an integer ${min}–${max}, got ${JSON.stringify(raw.slice(0, 40))}`);
  const n = Number(raw);
  if (n < min || n > max) throw new HttpError(400, AGENT_ERR.badRequest, `query parameter ${name} must be ${min}–${max}, got ${n}`);
  return n;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Routes one request. */
async function route(sup: Supervisor, req: IncomingMessage, url: URL): Promise<unknown> {
  const method = req.method ?? 'GET';
  const only = (m: string): void => {
    if (method !== m) throw new HttpError(405, AGENT_ERR.badRequest, `${url.pathname} takes ${m}, not ${method}`);
  };
  switch (url.pathname) {
    case '/status':
      only('GET');
      return sup.status();
    case '/output':
      only('GET');
      return { lines: sup.output(intParam(url, 'lines', 100, 1, 5000)) };
    case '/events': {
      only('GET');
      const since = intParam(url, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
      const waitMs = intParam(url, 'waitMs', 0, 0, MAX_WAIT_MS);
      return { events: await sup.eventsSince(since, waitMs) };
    }
    case '/restart':
      only('POST');
      return { event: await sup.restart() };
    default:
      throw new HttpError(404, AGENT_ERR.notFound, `no route ${url.pathname}; try GET /status, GET /output, GET /events, POST /restart`);
  }
}

/** An HTTP server for `sup`, not yet listening. */
export function createAgentServer(sup: Supervisor): Server {
  return createServer((req, res) => {
    // Request bodies are not used: read and drop them, bounded, so a client cannot hold memory.
    let body = 0;
    req.on('data', (c: Buffer) => {
      body += c.length;
      if (body > 64 * 1024) req.destroy();
    });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://agent');
    } catch {
      send(res, 400, { error: { code: AGENT_ERR.badRequest, message: 'unparsable request target' } });
      return;
    }
    route(sup, req, url).then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        if (e instanceof HttpError) send(res, e.status, { error: { code: e.code, message: e.message } });
        else if (e instanceof AgentError) send(res, 500, { error: { code: e.code, message: e.message } });
        else send(res, 500, { error: { code: AGENT_ERR.failed, message: e instanceof Error ? e.message : String(e) } });
      },
    );
  });
}

/** `HOST:PORT` or `[V6]:PORT` of `--listen`. */
export function parseListen(spec: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(spec) ?? /^([^:[\]]+):(\d{1,5})$/.exec(spec);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || m[1] === undefined || !(port >= 0 && port <= 65535)) {
    throw new AgentError(AGENT_ERR.badAddress, `expected HOST:PORT (e.g. 127.0.0.1:8790, port 0 = any free one), got ${JSON.stringify(spec)}`);
  }
  return { host: m[1], port };
}

/** Listens; resolves to the URL clients use. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}
