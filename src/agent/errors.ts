/**
 * Typed errors of the agent and its client. Every error carries a stable `RSP_ERR_AGENT_*` code,
 * so callers (and the HTTP API's JSON bodies) can tell "bad request" from "agent unreachable".
 */

/** The stable codes. */
export const AGENT_ERR = Object.freeze({
  /** A request the API does not understand (bad path, method, query or body). */
  badRequest: 'RSP_ERR_AGENT_BAD_REQUEST',
  /** No such API route. */
  notFound: 'RSP_ERR_AGENT_NOT_FOUND',
  /** The command could not be started (not found, not executable). */
  spawnFailed: 'RSP_ERR_AGENT_SPAWN_FAILED',
  /** The agent could not be reached or answered with something that is not the API. */
  unreachable: 'RSP_ERR_AGENT_UNREACHABLE',
  /** The agent answered with an error status. */
  failed: 'RSP_ERR_AGENT_FAILED',
  /** A bad `--listen` / `--agent` address. */
  badAddress: 'RSP_ERR_AGENT_BAD_ADDRESS',
} as const);

/** One of {@link AGENT_ERR}. */
export type AgentErrorCode = (typeof AGENT_ERR)[keyof typeof AGENT_ERR];

/** An agent failure with its code. */
export class AgentError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'AgentError';
  }
}
