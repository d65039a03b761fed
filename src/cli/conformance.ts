/**
 * `rserpool-harness conformance`: runs the conformance suite against a registrar and writes the
 * reports. Without --target the reference registrar runs in-process on a virtual clock.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ALL_CASES } from '../../conformance/index.js';
import { AgentClient } from '../agent/index.js';
import { AgentSupervisor } from '../conformance/agent-supervisor.js';
import { startEmbeddedNetwork } from '../conformance/embedded-network.js';
import { InProcessTarget } from '../conformance/in-process-target.js';
import { NetworkTarget, parseTargetSpec, parseUdpAddress, type UdpAddress } from '../conformance/network-target.js';
import type { Target, TargetConfig } from '../conformance/target.js';
import { writeCasePcaps } from '../conformance/pcap.js';
import { failureDetails, htmlReport, jsonReport, junitXml, progressLine, summaryTable } from '../conformance/reporters.js';
import { DEFAULT_RESTART_TIMEOUT_MS, parseExpectations, runCases, selectCases, type Expectation } from '../conformance/runner.js';

/** How the embedded default runs the reference registrar. */
type EmbeddedMode = 'virtual' | 'network';

interface Flags {
  target?: string;
  embedded: EmbeddedMode;
  targetConfig?: string;
  only?: string[];
  exclude?: string[];
  expectFail?: string;
  timeoutScale: number;
  junit?: string;
  json?: string;
  html?: string;
  pcapDir?: string;
  list?: boolean;
  seed: number;
  sctpPortBase?: number;
  retries: number;
  agent?: string;
  restartTimeout: number;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

/**
 * Expected verdicts from a file (see {@link parseExpectations}): `CASE-ID [VERDICT[|VERDICT]] [reason]`
 * per line, `#` comments; a bare ID means FAIL|TIMEOUT. Throws on unreadable or malformed files.
 */
export function readExpectations(file: string): Map<string, Expectation> {
  return parseExpectations(readFileSync(file, 'utf8'), file);
}

/** Case IDs from an expected-failure file (the IDs of {@link readExpectations}). */
export function readExpectFail(file: string): Set<string> {
  return new Set(readExpectations(file).keys());
}

const CONFIG_KEYS: Readonly<Record<keyof TargetConfig, 'number' | 'boolean'>> = {
  serverId: 'number',
  maxBadPeReports: 'number',
  maxHandleResolutionItems: 'number',
  keepAliveTransmissionInterval: 'number',
  keepAliveTimeoutInterval: 'number',
  serverAnnounceCycle: 'number',
  asapAnnounce: 'boolean',
  peerHeartbeatCycle: 'number',
  peerMaxTimeLastHeard: 'number',
  peerMaxTimeNoResponse: 'number',
  takeoverExpiryInterval: 'number',
  maxElementsPerHandleTableResponse: 'number',
  maxPoolElementsPerPool: 'number',
  maxPoolHandleSize: 'number',
};

/** Stable error code of a bad --target-config file. */
export const BAD_TARGET_CONFIG = 'RSP_ERR_CONFORMANCE_BAD_TARGET_CONFIG';

/** A --target-config file that cannot be used. */
export class TargetConfigError extends Error {
  override readonly name = 'TargetConfigError';
  readonly code = BAD_TARGET_CONFIG;
  constructor(file: string, message: string) {
    super(`${BAD_TARGET_CONFIG}: --target-config ${file}: ${message}`);
  }
}

/** How the driver reaches a registrar behind NAT: the `network` object of a --target-config file. */
export interface NetworkSettings {
  /** `udp:HOST:PORT` accepting associations the registrar opens (as `local=` of --target). */
  readonly local?: UdpAddress;
  /** Addresses PEs / PUs advertise (REG-8: what the registrar sees as the association's peer). */
  readonly peAddresses?: readonly string[];
  /** Addresses fake peer registrars announce (PP-5); default peAddresses. */
  readonly peerAddresses?: readonly string[];
  /** Shortest sleep of a case, ms: time for the registrar to take in what was sent (see NetworkTargetOptions.settleMs). */
  readonly settleMs?: number;
  /**
   * Slack, ms, of checks on the registrar's timing (its jitter plus the path's); default
   * DEFAULT_TIMING_TOLERANCE_MS (see TargetDescription.timingToleranceMs).
   */
  readonly timingToleranceMs?: number;
}

/** A whole --target-config file. */
export interface TargetFile {
  readonly config: TargetConfig;
  readonly network: NetworkSettings;
  /** The registrar's command-line options these values assume (informational; the lab test passes them on). */
  readonly registrarArgs: readonly string[];
}

const NETWORK_KEYS = ['local', 'peAddresses', 'peerAddresses', 'settleMs', 'timingToleranceMs'] as const;

function stringArray(file: string, key: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new TargetConfigError(file, `${key} must be an array of non-empty strings`);
  return v as string[];
}

function readNetwork(file: string, v: unknown): NetworkSettings {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TargetConfigError(file, 'network must be an object');
  const n: { local?: UdpAddress; peAddresses?: string[]; peerAddresses?: string[]; settleMs?: number; timingToleranceMs?: number } = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (k === 'local') {
      if (typeof x !== 'string') throw new TargetConfigError(file, 'network.local must be a string udp:HOST:PORT');
      try {
        n.local = parseUdpAddress(x, 'network.local');
      } catch (e) {
        throw new TargetConfigError(file, e instanceof Error ? e.message : String(e));
      }
    } else if (k === 'peAddresses' || k === 'peerAddresses') n[k] = stringArray(file, `network.${k}`, x);
    else if (k === 'settleMs' || k === 'timingToleranceMs') {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new TargetConfigError(file, `network.${k} must be a non-negative number`);
      n[k] = x;
    }
    else throw new TargetConfigError(file, `unknown key network.${k} (known: ${NETWORK_KEYS.join(', ')})`);
  }
  return n;
}

/** Parses the text of a --target-config file (see {@link readTargetFile}); `file` names it in errors. */
export function parseTargetFile(text: string, file = 'target config'): TargetFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TargetConfigError(file, `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TargetConfigError(file, 'expected a JSON object');
  const out: Record<string, unknown> = {};
  let network: NetworkSettings = {};
  let registrarArgs: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('$')) continue; // $comment and friends: documentation only
    if (k === 'registrarArgs') registrarArgs = stringArray(file, k, v);
    else if (k === 'network') network = readNetwork(file, v);
    else {
      const type = (CONFIG_KEYS as Record<string, string>)[k];
      if (type === undefined) throw new TargetConfigError(file, `unknown key ${JSON.stringify(k)} (known: ${[...Object.keys(CONFIG_KEYS), 'network', 'registrarArgs'].join(', ')})`);
      if (typeof v !== type || (type === 'number' && (!Number.isFinite(v) || (v as number) < 0))) throw new TargetConfigError(file, `${k} must be a ${type === 'number' ? 'non-negative number' : 'boolean'}`);
      out[k] = v;
    }
  }
  return { config: out as TargetConfig, network, registrarArgs };
}

/**
 * Reads a --target-config JSON object: the registrar's tunables ({@link TargetConfig} keys), plus
 * `network` ({@link NetworkSettings}), `registrarArgs` (string array) and `$`-keys (comments).
 * Unknown keys and wrong types are errors ({@link TargetConfigError}).
 */
export function readTargetFile(file: string): TargetFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TargetConfigError(file, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseTargetFile(text, file);
}

/** A target's tunables from a JSON object file (the {@link TargetConfig} part of {@link readTargetFile}). */
export function readTargetConfig(file: string): TargetConfig {
  return readTargetFile(file).config;
}

/** Add the `conformance` command. */
export function registerConformance(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('conformance')
    .description(
      'Run the registrar conformance suite (ASAP RFC 5352 / ENRP RFC 5353) and report a verdict per case:\n' +
        'PASS, FAIL, TIMEOUT, ERROR (target dead), SKIP (needs a role the target lacks), XFAIL, XPASS,\n' +
        'CRASH (with --agent: the target exited during the case; it is restarted and the run goes on).\n' +
        'Without --target the reference registrar runs in-process (the embedded default):\n' +
        '  --embedded virtual  (default) the sans-IO registrar on a virtual clock: the whole suite in seconds;\n' +
        '  --embedded network  the networked registrar (as `rserpool-harness registrar`) on loopback UDP ports\n' +
        '                      the OS picks, short timers (1 s cycles), driven over SCTP/UDP in real time like\n' +
        '                      an external --target (about two minutes; multicast cases SKIP: not carried).',
    )
    .option('--target <spec>', 'udp:HOST:PORT[,enrp=PORT][,local=udp:HOST:PORT]: a registrar over SCTP on UDP (RFC 6951), real time; the ENRP UDP port enables the peer role, local= accepts associations the registrar opens')
    .option('--embedded <mode>', 'without --target: virtual (in-process, virtual clock) or network (networked reference registrar on loopback, real time)', (v: string): EmbeddedMode => {
      if (v !== 'virtual' && v !== 'network') throw new InvalidArgumentError('expected virtual or network');
      return v;
    }, 'virtual')
    .option('--target-config <file>', "JSON of the target registrar's tunables (TargetConfig: keepAliveTransmissionInterval, maxPoolElementsPerPool, …; RFC defaults otherwise), network {local, peAddresses, peerAddresses, settleMs, timingToleranceMs (slack of timing checks, default 100 ms)}, registrarArgs")
    .option('--only <prefix...>', 'run only cases whose ID starts with one of these prefixes')
    .option('--exclude <prefix...>', 'leave out cases whose ID starts with one of these prefixes')
    .option('--expect-fail <file>', "expected verdicts, one case per line: 'ID [FAIL|TIMEOUT|ERROR|SKIP|CRASH] [reason]', # comments; bare ID = FAIL|TIMEOUT (→ XFAIL, PASS → XPASS); CRASH cases run last")
    .option('--timeout-scale <x>', 'multiply every deadline (real-time targets)', positive, 1)
    .option('--junit <file>', 'write JUnit XML')
    .option('--json <file>', 'write every verdict as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--pcap-dir <dir>', "write every case that did not PASS (nor SKIP) as DIR/<case-id, / as __>.pcapng (ASAP/ENRP over SCTP)")
    .option('--seed <n>', 'seed of every random choice of the cases', positive, 1)
    .option('--retries <n>', 'run a case that FAILs or TIMEOUTs on a real-time target and is not in --expect-fail up to N more times (the last verdict counts; reports say how many attempts)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 10) throw new InvalidArgumentError('must be an integer 0-10');
      return n;
    }, 0)
    .option('--sctp-port-base <port>', 'first SCTP port of the driver endpoints on a network target (default 40000; change it to rerun against a registrar that may still know the last run\'s ports)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1024 || n > 65535) throw new InvalidArgumentError('must be a port number 1024-65535');
      return n;
    })
    .option('--agent <url>', 'the agent supervising the --target registrar (`rserpool-harness agent --listen HOST:PORT -- COMMAND`): a target that exits during a case makes it CRASH (with the exit status and the target\'s last output), then the agent restarts it and the run goes on')
    .option('--restart-timeout <s>', 'with --agent: how long the target may take to answer again after a (re)start, seconds (× --timeout-scale)', positive, DEFAULT_RESTART_TIMEOUT_MS / 1000)
    .option('--list', 'list the selected cases and exit')
    .addHelpText('after', '\nExit status: 0 no unexpected verdict, 1 unexpected verdicts (FAIL, TIMEOUT, ERROR, CRASH, XPASS) or a dead target, 2 usage.')
    .action(async (flags: Flags, cmd: Command) => {
      const setExit = (code: number): void => {
        cmd.parent?.setOptionValue('exitCode', code);
      };
      let target: Target;
      /** Stops what the run started besides the target (the embedded networked registrar). */
      let dispose: () => Promise<void> = () => target.dispose();
      if (flags.target !== undefined && flags.embedded === 'network') {
        err.write('conformance: --embedded network runs its own registrar; it does not go with --target\n');
        setExit(2);
        return;
      }
      if (flags.agent !== undefined && flags.target === undefined) {
        err.write('conformance: --agent supervises an external registrar; it needs --target\n');
        setExit(2);
        return;
      }
      let agent: AgentClient | undefined;
      if (flags.agent !== undefined) {
        try {
          agent = new AgentClient(flags.agent);
        } catch (e) {
          err.write(`conformance: --agent: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
      }
      if (flags.target !== undefined) {
        try {
          const file: TargetFile = flags.targetConfig !== undefined ? readTargetFile(flags.targetConfig) : { config: {}, network: {}, registrarArgs: [] };
          const spec = parseTargetSpec(flags.target);
          const n = file.network;
          // local= in --target wins over the file: one file serves several lab instances.
          const listen = spec.listen ?? n.local;
          target = new NetworkTarget({
            ...spec,
            config: file.config,
            timeoutScale: flags.timeoutScale,
            ...(flags.sctpPortBase !== undefined ? { firstSctpPort: flags.sctpPortBase } : {}),
            ...(listen !== undefined ? { listen } : {}),
            ...(n.peAddresses !== undefined ? { peAddresses: n.peAddresses } : {}),
            ...(n.peerAddresses !== undefined ? { peerAddresses: n.peerAddresses } : {}),
            ...(n.settleMs !== undefined ? { settleMs: n.settleMs } : {}),
            ...(n.timingToleranceMs !== undefined ? { timingToleranceMs: n.timingToleranceMs } : {}),
          });
        } catch (e) {
          err.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
      } else if (flags.targetConfig !== undefined) {
        err.write('conformance: --target-config needs --target (the in-process registrar describes itself)\n');
        setExit(2);
        return;
      } else if (flags.embedded === 'network') {
        if (flags.list !== true) {
          try {
            const embedded = await startEmbeddedNetwork({
              timeoutScale: flags.timeoutScale,
              ...(flags.sctpPortBase !== undefined ? { firstSctpPort: flags.sctpPortBase } : {}),
            });
            target = embedded.target;
            dispose = () => embedded.dispose();
          } catch (e) {
            err.write(`conformance: cannot start the embedded networked registrar: ${e instanceof Error ? e.message : String(e)}\n`);
            setExit(1);
            return;
          }
        } else target = new InProcessTarget(); // --list needs no registrar
      } else {
        target = new InProcessTarget();
      }
      const cases = selectCases(ALL_CASES, flags.only ?? [], flags.exclude ?? []);
      if (flags.list === true) {
        for (const c of cases) out.write(`${c.id}\t${c.requirements.map((r) => `${r.id}:${r.level}`).join(',')}\t${c.rule}\n`);
        setExit(0);
        return;
      }
      let expectations = new Map<string, Expectation>();
      if (flags.expectFail !== undefined) {
        try {
          expectations = readExpectations(flags.expectFail);
        } catch (e) {
          err.write(`conformance: cannot read ${flags.expectFail}: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
        // A stale entry (renamed or removed case) would silently expect nothing: say so.
        const known = new Set(ALL_CASES.map((c) => c.id));
        for (const e of expectations.values()) if (!known.has(e.id)) err.write(`conformance: ${flags.expectFail}:${e.line}: no case ${e.id}\n`);
      }
      let supervisor: AgentSupervisor | undefined;
      if (agent !== undefined) {
        supervisor = new AgentSupervisor(agent);
        try {
          const { running } = await supervisor.check();
          err.write(`conformance: agent ${agent.url}: target ${running ? 'running' : 'not running (restarting it)'}\n`);
        } catch (e) {
          err.write(`conformance: cannot use the agent: ${e instanceof Error ? e.message : String(e)}\n`);
          await dispose();
          setExit(1);
          return;
        }
      }
      err.write(`conformance: ${cases.length} cases against ${target.describe().name}\n`);
      const report = await runCases(target, cases, {
        ...(supervisor !== undefined ? { supervisor, restartTimeoutMs: flags.restartTimeout * 1000, onNote: (t: string) => err.write(`conformance: ${t}\n`) } : {}),
        seed: flags.seed,
        expectations,
        timeoutScale: flags.timeoutScale,
        retries: flags.retries,
        onResult: (r, i, n) => err.write(`${progressLine(r, i, n)}${r.attempts !== undefined ? `  (attempt ${r.attempts}${r.verdict === 'PASS' ? `; ${r.reason ?? ''}` : ''})` : ''}\n`),
      });
      await supervisor?.close();
      await dispose();
      const details = failureDetails(report);
      if (details !== '') out.write(`${details}\n\n`);
      out.write(`${summaryTable(report)}\n`);
      if (flags.junit !== undefined) writeFileSync(flags.junit, junitXml(report));
      if (flags.json !== undefined) writeFileSync(flags.json, jsonReport(report));
      if (flags.html !== undefined) writeFileSync(flags.html, htmlReport(report));
      if (flags.pcapDir !== undefined) {
        try {
          const files = writeCasePcaps(report, flags.pcapDir);
          err.write(`conformance: wrote ${files.length} pcapng file(s) to ${flags.pcapDir}\n`);
        } catch (e) {
          // The verdicts are already reported; a capture that cannot be written is a usage problem (bad directory).
          err.write(`conformance: cannot write captures to ${flags.pcapDir}: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
      }
      setExit(report.ok ? 0 : 1);
    });
}
