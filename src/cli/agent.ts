/**
 * `rserpool-harness agent --listen HOST:PORT -- COMMAND…`: supervises a registrar under test and
 * answers the fuzzer over HTTP (see `src/agent/http-api.ts` for the API). Stops the command and
 * itself on SIGINT / SIGTERM.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { AgentError, Supervisor, createAgentServer, listen, parseListen } from '../agent/index.js';
import { untilSignal } from '../net/cli-options.js';

interface AgentFlags {
  listen: { host: string; port: number };
  tailLines: number;
  stopTimeout: number;
}

const listenArg = (v: string): { host: string; port: number } => {
  try {
    return parseListen(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
};
const positiveInt = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return n;
};

/** Add the `agent` command. */
export function registerAgent(program: Command, _out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('agent')
    .description(
      'Run COMMAND (a registrar under test) and supervise it: keep the tail of its output, record its exits ' +
        'and signals, restart it on request. HTTP API on --listen: GET /status, GET /output?lines=N, ' +
        'GET /events?since=SEQ&waitMs=MS (long poll), POST /restart. `fuzz registrar --agent URL` uses it.',
    )
    .requiredOption('--listen <host:port>', 'where the HTTP API listens (port 0: any free port, printed)', listenArg)
    .option('--tail-lines <n>', 'output lines kept', positiveInt('--tail-lines'), 500)
    .option('--stop-timeout <ms>', 'wait after SIGTERM before SIGKILL when stopping COMMAND', positiveInt('--stop-timeout'), 20_000)
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .addHelpText('after', '\nExample: rserpool-harness agent --listen 127.0.0.1:8790 -- node bin/rserpool-harness.mjs registrar --asap udp:127.0.0.1:9950')
    .action(async (command: string[], flags: AgentFlags, cmd: Command) => {
      const sup = new Supervisor({ command, tailLines: flags.tailLines, stopTimeoutMs: flags.stopTimeout });
      const server = createAgentServer(sup);
      let url: string;
      try {
        url = await listen(server, flags.listen.host, flags.listen.port);
      } catch (e) {
        err.write(`rserpool-harness agent: cannot listen on ${flags.listen.host}:${flags.listen.port}: ${e instanceof Error ? e.message : String(e)}\n`);
        cmd.parent?.setOptionValue('exitCode', 1);
        return;
      }
      err.write(`agent listening on ${url}\n`);
      try {
        const ev = await sup.start();
        err.write(`agent: started pid ${ev.pid}: ${command.join(' ')}\n`);
      } catch (e) {
        // The API stays up: a client sees the spawn error in /events and may POST /restart.
        err.write(`agent: ${e instanceof AgentError ? e.message : String(e)}\n`);
      }
      const signal = await untilSignal();
      err.write(`agent: ${signal}, stopping the command\n`);
      sup.wakeAll();
      await sup.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
}
