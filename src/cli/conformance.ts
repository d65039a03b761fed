/**
 * `rserpool-harness conformance`: runs the conformance suite against a registrar and writes the
 * reports. Without --target the reference registrar runs in-process on a virtual clock.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ALL_CASES } from '../../conformance/index.js';
import { InProcessTarget } from '../conformance/in-process-target.js';
import { NetworkTarget, parseTargetSpec } from '../conformance/network-target.js';
import type { Target, TargetConfig } from '../conformance/target.js';
import { writeCasePcaps } from '../conformance/pcap.js';
import { failureDetails, htmlReport, jsonReport, junitXml, progressLine, summaryTable } from '../conformance/reporters.js';
import { runCases, selectCases } from '../conformance/runner.js';

interface Flags {
  target?: string;
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
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

/** Case IDs from an expected-failure file: one per line, `#` starts a comment. */
export function readExpectFail(file: string): Set<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l !== ''),
  );
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

/** A target's tunables from a JSON object file; unknown keys and wrong types are errors. */
export function readTargetConfig(file: string): TargetConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read --target-config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`--target-config ${file}: expected a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const type = (CONFIG_KEYS as Record<string, string>)[k];
    if (type === undefined) throw new Error(`--target-config ${file}: unknown key ${JSON.stringify(k)} (known: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    if (typeof v !== type || (type === 'number' && (!Number.isFinite(v) || (v as number) < 0))) throw new Error(`--target-config ${file}: ${k} must be a ${type === 'number' ? 'non-negative number' : 'boolean'}`);
    out[k] = v;
  }
  return out as TargetConfig;
}

/** Add the `conformance` command. */
export function registerConformance(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('conformance')
    .description(
      'Run the registrar conformance suite (ASAP RFC 5352 / ENRP RFC 5353) and report a verdict per case:\n' +
        'PASS, FAIL, TIMEOUT, ERROR (target dead), SKIP (needs a role the target lacks), XFAIL, XPASS.\n' +
        'Without --target the reference registrar runs in-process on a virtual clock (the embedded default).',
    )
    .option('--target <spec>', 'udp:HOST:PORT[,enrp=PORT]: a registrar over SCTP on UDP (RFC 6951), real time; ENRP port enables the peer role')
    .option('--target-config <file>', "JSON of the target registrar's tunables (TargetConfig: keepAliveTransmissionInterval, maxPoolElementsPerPool, …); RFC defaults otherwise")
    .option('--only <prefix...>', 'run only cases whose ID starts with one of these prefixes')
    .option('--exclude <prefix...>', 'leave out cases whose ID starts with one of these prefixes')
    .option('--expect-fail <file>', 'case IDs expected to fail, one per line (FAIL → XFAIL, PASS → XPASS)')
    .option('--timeout-scale <x>', 'multiply every deadline (real-time targets)', positive, 1)
    .option('--junit <file>', 'write JUnit XML')
    .option('--json <file>', 'write every verdict as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--pcap-dir <dir>', "write every case that did not PASS (nor SKIP) as DIR/<case-id, / as __>.pcapng (ASAP/ENRP over SCTP)")
    .option('--seed <n>', 'seed of every random choice of the cases', positive, 1)
    .option('--list', 'list the selected cases and exit')
    .addHelpText('after', '\nExit status: 0 no unexpected verdict, 1 unexpected verdicts (FAIL, TIMEOUT, ERROR, XPASS) or a dead target, 2 usage.')
    .action(async (flags: Flags, cmd: Command) => {
      const setExit = (code: number): void => {
        cmd.parent?.setOptionValue('exitCode', code);
      };
      let target: Target;
      if (flags.target !== undefined) {
        let config: TargetConfig = {};
        try {
          if (flags.targetConfig !== undefined) config = readTargetConfig(flags.targetConfig);
          target = new NetworkTarget({ ...parseTargetSpec(flags.target), config, timeoutScale: flags.timeoutScale });
        } catch (e) {
          err.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
      } else if (flags.targetConfig !== undefined) {
        err.write('conformance: --target-config needs --target (the in-process registrar describes itself)\n');
        setExit(2);
        return;
      } else {
        target = new InProcessTarget();
      }
      const cases = selectCases(ALL_CASES, flags.only ?? [], flags.exclude ?? []);
      if (flags.list === true) {
        for (const c of cases) out.write(`${c.id}\t${c.requirements.map((r) => `${r.id}:${r.level}`).join(',')}\t${c.rule}\n`);
        setExit(0);
        return;
      }
      let expectFail: Set<string> = new Set();
      if (flags.expectFail !== undefined) {
        try {
          expectFail = readExpectFail(flags.expectFail);
        } catch (e) {
          err.write(`conformance: cannot read ${flags.expectFail}: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
        return;
        }
      }
      err.write(`conformance: ${cases.length} cases against ${target.describe().name}\n`);
      const report = await runCases(target, cases, {
        seed: flags.seed,
        expectFail,
        timeoutScale: flags.timeoutScale,
        onResult: (r, i, n) => err.write(`${progressLine(r, i, n)}\n`),
      });
      await target.dispose();
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
