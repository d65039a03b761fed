/**
 * The agent: runs next to a registrar under test, supervises it and answers over HTTP
 * (`rserpool-harness agent`); {@link AgentClient} is the fuzzer's side.
 */
export { Supervisor, type AgentEvent, type AgentStatus, type SupervisorOptions } from './supervisor.js';
export { OutputTail, type OutputLine } from './output-tail.js';
export { createAgentServer, listen, parseListen, MAX_WAIT_MS } from './http-api.js';
export { AgentClient } from './client.js';
export { AGENT_ERR, AgentError, type AgentErrorCode } from './errors.js';
export { CrashWatch, describeExit } from './crash-watch.js';
