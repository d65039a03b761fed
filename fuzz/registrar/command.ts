/**
 * `rserpool-harness fuzz registrar`: the command-line face of the registrar campaign (options,
 * the ~1 Hz progress line on stderr, the summary, one replay line per finding).
 */
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import type { Address } from '../../codecs/index.js';
import { AgentClient } from '../../src/agent/index.js';
import { parseTargetSpec } from '../../src/conformance/network-target.js';
import { runRegistrarCampaign, type RegistrarCampaignResult, type SavedFinding } from './campaign.js';
import { variantFactory, variantNames, type TargetSpec } from './targets.js';
import { positive, seedArg } from '../../src/net/cli-options.js';

interface Flags {
  target?: string;
  agent?: string;
  seconds: number;
  seed?: number;
  findings: string;
  peAddress?: Address[];
  sanityDeadline?: number;
  maxSequences?: number;
  poolHandleMax?: number;
  variant?: string;
  timeoutScale?: number;
  stopOnFinding?: boolean;
  json?: boolean;
}

const addressArg = (v: string, prev: Address[] = []): Address[] => {
  const family = isIP(v);
  if (family === 0) throw new InvalidArgumentError(`not an IPv4 or IPv6 address: ${JSON.stringify(v)}`);
  return [...prev, family === 4 ? { family: 'ipv4', address: v } : { family: 'ipv6', address: v }];
};
const targetArg = (v: string): string => {
  try {
    parseTargetSpec(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
  return v;
};
const variantArg = (v: string): string => {
  try {
    variantFactory(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
  return v;
};

/** Adds `fuzz registrar` under the `fuzz` command. */
export function registerFuzzRegistrar(fuzz: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  fuzz
    .command('registrar')
    .description(
      'Play several PEs, PUs and peer registrars at once against a registrar: stateful sequences of valid and ' +
        'malformed ASAP/ENRP messages (registrations then updates, resolutions, unreachable reports, ENRP procedures ' +
        'out of order, unknown senders, extreme values, named mutations). Without --target: the reference registrar ' +
        'in-process on a virtual clock. Oracles: a sanity Handle Resolution after each sequence; in-process the ' +
        'handlespace invariants and checksums after every event and no escaping exception; crashes (--agent), ' +
        'hangs and association aborts without cause. Findings are shrunk and saved; each prints its replay command.',
    )
    .option('--target <udp:HOST:PORT[,enrp=PORT]>', 'a registrar over SCTP on UDP (default: in-process reference registrar)', targetArg)
    .option('--agent <url>', 'the agent supervising the target (rserpool-harness agent): crashes, output tail, restarts')
    .option('--seconds <n>', 'run this long', positive('--seconds'), 10)
    .option('--seed <n>', 'campaign seed (default: time-based, printed so the run can be repeated)', seedArg)
    .option('--findings <dir>', 'where findings are written', 'fuzz-findings')
    .option('--pe-address <ip>', 'address PEs register (repeatable; rsplib over slirp: 10.0.2.2)', addressArg)
    .option('--sanity-deadline <ms>', 'deadline of the sanity Handle Resolution (default 2000 in-process, 3000 network)', positive('--sanity-deadline'))
    .option('--pool-handle-max <n>', 'longest pool handle in well-formed messages (default: up to 255 octets)', positive('--pool-handle-max'))
    .option('--max-sequences <n>', 'stop after this many sequences', positive('--max-sequences'))
    .option('--variant <name>', `in-process: a deliberately broken registrar (${variantNames().join(', ')})`, variantArg)
    .option('--timeout-scale <x>', 'network: multiply association set-up and receive deadlines', positive('--timeout-scale'))
    .option('--stop-on-finding', 'stop at the first finding')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExit status: 0 no finding, 1 findings (replay each with `rserpool-harness fuzz replay FILE`), 2 usage or target down.')
    .action(async (flags: Flags, cmd: Command) => {
      const root = cmd.parent?.parent;
      const seed = flags.seed ?? Date.now() >>> 0;
      if (flags.variant !== undefined && flags.target !== undefined) throw new InvalidArgumentError('--variant is for the in-process registrar only');
      const target: TargetSpec =
        flags.target !== undefined
          ? { kind: 'network', spec: flags.target, ...(flags.timeoutScale !== undefined ? { timeoutScale: flags.timeoutScale } : {}) }
          : { kind: 'in-process', ...(flags.variant !== undefined ? { variant: flags.variant } : {}) };
      let agent: AgentClient | undefined;
      try {
        if (flags.agent !== undefined) {
          agent = new AgentClient(flags.agent);
          const st = await agent.status();
          err.write(`fuzz registrar: agent ${agent.url}: ${st.state}, run ${st.run}, pid ${st.pid ?? '-'}: ${st.command.join(' ')}\n`);
        }
      } catch (e) {
        err.write(`rserpool-harness: ${e instanceof Error ? e.message : String(e)}\n`);
        root?.setOptionValue('exitCode', 2);
        return;
      }
      err.write(`fuzz registrar: seed ${seed}, target ${flags.target ?? 'in-process'}, ${flags.seconds} s (repeat: --seed ${seed})\n`);
      const tty = Boolean((err as NodeJS.WriteStream).isTTY);
      const result = await runRegistrarCampaign({
        seed,
        seconds: flags.seconds,
        target,
        findingsDir: flags.findings,
        ...(agent !== undefined ? { agent } : {}),
        ...(flags.peAddress !== undefined ? { peAddresses: flags.peAddress } : {}),
        ...(flags.sanityDeadline !== undefined ? { sanityDeadlineMs: flags.sanityDeadline } : {}),
        ...(flags.maxSequences !== undefined ? { maxSequences: flags.maxSequences } : {}),
        ...(flags.poolHandleMax !== undefined ? { maxPoolHandle: Math.floor(flags.poolHandleMax) } : {}),
        ...(flags.stopOnFinding ? { stopOnFinding: true } : {}),
        onProgress: (p) =>
          err.write(
            `${tty ? '\r' : ''}${p.seconds.toFixed(0)} s: ${p.execs} execs (${Math.round(p.execs / Math.max(p.seconds, 1e-9))}/s), ${p.sequences} sequences, ${p.findings} findings, message types sent ${p.typesSent} / received ${p.typesReceived}${tty ? '   ' : '\n'}`,
          ),
        onFinding: (f) => err.write(`${tty ? '\n' : ''}${findingLine(f)}\n`),
        onNote: (t) => err.write(`${tty ? '\n' : ''}fuzz registrar: ${t}\n`),
      });
      if (tty) err.write('\n');
      printSummary(result, flags.json === true, out);
      const down = result.aborted !== undefined && /RSP_ERR_FUZZ_TARGET_DOWN/.test(result.aborted) && result.sequences === 0;
      root?.setOptionValue('exitCode', down ? 2 : result.findings.length > 0 || result.aborted !== undefined ? 1 : 0);
    });
}

/** `FINDING oracle: detail` and its replay line. */
export function findingLine(f: SavedFinding): string {
  const x = f.finding;
  return `FINDING ${x.oracle} (seed ${x.seed}, sequence ${x.sequence}, ${x.steps.length}/${x.originalSteps} steps): ${x.detail}\n  replay: ${f.replay ?? '(not saved)'}`;
}

function printSummary(r: RegistrarCampaignResult, json: boolean, out: NodeJS.WritableStream): void {
  const summary = {
    seed: r.seed,
    target: r.target,
    seconds: Number(r.seconds.toFixed(2)),
    sequences: r.sequences,
    execs: r.execs,
    execsPerSecond: Math.round(r.execs / Math.max(r.seconds, 1e-9)),
    registrarEvents: r.registrarEvents,
    octets: r.octets,
    typesSent: r.typesSent,
    typesReceived: r.typesReceived,
    targetRestarts: r.targetRestarts,
    findings: r.findings.map((f) => ({ oracle: f.finding.oracle, detail: f.finding.detail, sequence: f.finding.sequence, steps: f.finding.steps.length, file: f.file, replay: f.replay })),
    ...(r.aborted !== undefined ? { aborted: r.aborted } : {}),
  };
  if (json) {
    out.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  out.write(`fuzz registrar summary (seed ${r.seed}, target ${r.target}): ${r.sequences} sequences, ${r.execs} execs in ${summary.seconds} s (${summary.execsPerSecond}/s)${r.registrarEvents ? `, ${r.registrarEvents} registrar events` : ''}\n`);
  out.write(`  message types sent well-formed: ${r.typesSent.length} (${r.typesSent.join(', ')})\n`);
  out.write(`  message types received: ${r.typesReceived.length} (${r.typesReceived.join(', ')})\n`);
  if (r.targetRestarts) out.write(`  target restarts: ${r.targetRestarts}\n`);
  if (r.aborted !== undefined) out.write(`  stopped early: ${r.aborted}\n`);
  out.write(`  findings: ${r.findings.length}\n`);
  for (const f of r.findings) out.write(`    ${findingLine(f).replace(/\n/g, '\n    ')}\n`);
}
