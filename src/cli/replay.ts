/**
 * `rserpool-harness replay FILE`: replays a capture against the reference registrar (default),
 * lints it (`--lint`), or sends its client side to a live registrar (`--target`).
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  REPLAY_ERR,
  ReplayError,
  htmlReport,
  lintCapture,
  lintText,
  liveReplay,
  loadCapture,
  replayLoaded,
  replayText,
  divergenceText,
  isUnexplained,
  type LintReport,
  type LiveReport,
  type ReplayReport,
  readReferenceConfig,
  readEmbeddedConfig,
  resolveReferenceConfig,
  splitArgs,
  type ReferenceConfigSpec,
} from '../replay/index.js';

/** Exit statuses of `replay` (documented in its help). */
export const REPLAY_EXIT = Object.freeze({ ok: 0, attention: 1, usage: 2, cannotRun: 3 } as const);

interface ReplayFlags {
  registrar?: string;
  json?: string;
  report?: string;
  lint?: boolean;
  target?: string;
  peAddress?: string;
  profile: 'auto' | 'rsplib' | 'rfc';
  toleranceMs: number;
  failOn: 'unexplained' | 'any' | 'never';
  speed: number;
  until?: number;
  localHost?: string;
  quiet?: boolean;
  referenceConfig?: string;
  registrarArgs?: string;
  embeddedConfig: boolean;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};
const nonNegative = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
};

/** Whether a replay report needs attention under `failOn`. */
function replayFails(r: ReplayReport, failOn: ReplayFlags['failOn']): boolean {
  if (failOn === 'never') return false;
  if (failOn === 'any') return r.totals.divergences > 0;
  return r.totals.unexplained > 0 || r.totals.reference > 0;
}

/**
 * The configuration the user gave (`--reference-config`, `--registrar-args`; the latter wins where
 * both speak), else the one the capture carries (unless `--no-embedded-config`).
 */
async function givenConfig(capture: string, flags: ReplayFlags): Promise<Awaited<ReturnType<typeof resolveReferenceConfig>> | undefined> {
  if (flags.referenceConfig === undefined && flags.registrarArgs === undefined) {
    const embedded = flags.embeddedConfig ? await readEmbeddedConfig(capture) : undefined;
    return embedded !== undefined ? resolveReferenceConfig(embedded) : undefined;
  }
  const file: ReferenceConfigSpec | undefined = flags.referenceConfig !== undefined ? await readReferenceConfig(flags.referenceConfig) : undefined;
  const args = flags.registrarArgs !== undefined ? splitArgs(flags.registrarArgs) : file?.registrarArgs;
  const source = [flags.referenceConfig, flags.registrarArgs !== undefined ? '--registrar-args' : undefined].filter((x) => x !== undefined).join(' + ');
  return resolveReferenceConfig({ ...(args !== undefined ? { registrarArgs: args } : {}), ...(file?.config !== undefined ? { config: file.config } : {}), source });
}

/** Add the `replay` command. */
export function registerReplay(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('replay')
    .description(
      'Replay a capture (pcap/pcapng) against the reference registrar in virtual time and compare its answers with\n' +
        "the captured registrar's; or lint the capture (--lint); or send its PE/PU traffic to a live registrar (--target).",
    )
    .argument('<file>', 'capture file')
    .option('--registrar <addr[:port]>', 'the captured registrar to replay (default: every registrar found)')
    .option('--json <file>', 'write the machine-readable report (JSON) to this file ("-" = stdout)')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--lint', 'passive checks only, no replay')
    .option('--target <udp:HOST:PORT>', 'live replay: send the captured client traffic to this registrar (SCTP over UDP)')
    .option('--pe-address <addr>', 'live replay: the address PEs register (rsplib over slirp: 10.0.2.2; default: the target host)')
    .option('--local-host <addr>', 'live replay: local address of the driver sockets (default loopback)')
    .addOption(new Option('--profile <p>', 'reference behaviour: inferred from the capture, or forced').choices(['auto', 'rsplib', 'rfc']).default('auto'))
    .option('--tolerance-ms <ms>', 'timing slack for timer-driven messages (plus 20 % of the timer)', nonNegative, 500)
    .addOption(new Option('--fail-on <what>', 'what makes the exit status 1').choices(['unexplained', 'any', 'never']).default('unexplained'))
    .option('--speed <factor>', 'live replay: time compression (1 = captured pace)', positive, 1)
    .option('--until <seconds>', 'live replay: stop after this capture time', (v) => positive(v) * 1000)
    .option('--reference-config <file.json>', 'the captured registrar\'s configuration, when known: JSON {"registrarArgs": "…" | [..], "config": {RegistrarConfig values}} (replaces inference where it speaks)')
    .option('--registrar-args <args>', 'the captured registrar\'s `registrar` command arguments, as one string (e.g. "--id 16 --min-address-scope siteLocal …"); parsed by the registrar command itself')
    .option('--no-embedded-config', 'ignore the registrar arguments a capture of our own registrar carries in its comment')
    .option('--quiet', 'console: totals only')
    .addHelpText(
      'after',
      [
        '',
        'Exit status (for CI):',
        '  0  replayed; every divergence is explained (a real deviation of the captured registrar, or something',
        '     the capture cannot show) and none is the reference\'s; --lint: no error finding without a verdict',
        '  1  needs attention: an UNEXPLAINED divergence or one of the reference (--fail-on any: any divergence);',
        '     --lint: an error finding without a verdict; --target: an unexplained live divergence (--fail-on never: never 1)',
        '  2  usage error',
        '  3  cannot run: unreadable or corrupt capture, no registrar in it, unknown --registrar, target unreachable',
        '',
        'Each divergence names the frames (as Wireshark numbers them), the requirement IDs of the digest',
        '(registrar-behaviour.md) and which side is at odds with it: captured, reference, capture-cannot-show, neither.',
        '',
        'Examples:',
        '  rserpool-harness replay ../shared/captures/rsplib-a2_handle_resolution.pcap --report a2.html',
        '  rserpool-harness replay c1.pcap --registrar 10.99.0.1 --json -',
        '  rserpool-harness replay a1.pcap --lint',
        '  rserpool-harness replay ours.pcapng --registrar-args "--id 16 --min-address-scope siteLocal --asap-announce off"',
        '  ip netns exec rshrep rserpool-harness replay a2.pcap --target udp:127.0.0.1:9930 --pe-address 10.0.2.2',
      ].join('\n'),
    )
    .action(async (file: string, flags: ReplayFlags, cmd: Command) => {
      const setExit = (code: number): void => {
        program.setOptionValue('exitCode', code);
      };
      if (flags.lint && flags.target !== undefined) cmd.error('error: --lint and --target exclude each other', { exitCode: 2, code: 'rserpool.usage' });
      try {
        // A known registrar configuration names its UDP sockets: SCTP over UDP there (RFC 6951).
        const given = flags.lint || flags.target !== undefined ? undefined : await givenConfig(file, flags);
        const capture = await loadCapture(file, { sctpOverUdpPorts: given?.sctpOverUdpPorts ?? [] });
        let replay: ReplayReport | undefined;
        let lint: LintReport | undefined;
        let live: LiveReport | undefined;
        let failed = false;
        if (flags.lint) {
          lint = lintCapture(capture);
          if (!flags.quiet) out.write(lintText(lint));
          else out.write(`lint ${file}: ${lint.counts.error} error(s), ${lint.counts.warning} warning(s), ${lint.counts.info} info\n`);
          failed = flags.failOn !== 'never' && lint.findings.some((f) => (f.severity === 'error' || flags.failOn === 'any') && f.verdict.startsWith('UNEXPLAINED'));
        } else if (flags.target !== undefined) {
          live = await liveReplay(capture, {
            target: flags.target,
            ...(flags.peAddress !== undefined ? { peAddress: flags.peAddress } : {}),
            ...(flags.registrar !== undefined ? { registrar: flags.registrar } : {}),
            ...(flags.localHost !== undefined ? { localHost: flags.localHost } : {}),
            ...(flags.until !== undefined ? { until: flags.until } : {}),
            speed: flags.speed,
            tolerance: { ms: flags.toleranceMs, fraction: 0.2 },
            ...(flags.quiet ? {} : { log: (line: string) => err.write(`${line}\n`) }),
          });
          out.write(`live replay of ${file} (${live.registrar}) against ${live.target}: ${live.sent} sent on ${live.associations} association(s), ${live.answers} received, ${live.divergences.length} divergence(s)\n`);
          for (const n of live.notes) out.write(`  note: ${n}\n`);
          if (!flags.quiet) for (const d of live.divergences) out.write(divergenceText(d, 'live') + '\n');
          failed = flags.failOn === 'any' ? live.divergences.length > 0 : flags.failOn !== 'never' && live.divergences.some(isUnexplained);
        } else {
          const { runs: _runs, ...r } = replayLoaded(capture, {
            ...(flags.registrar !== undefined ? { registrar: flags.registrar } : {}),
            ...(given !== undefined ? { given } : {}),
            profile: flags.profile,
            tolerance: { ms: flags.toleranceMs, fraction: 0.2 },
          });
          void _runs;
          replay = r;
          if (!flags.quiet) out.write(replayText(replay));
          else out.write(`replay ${file}: ${replay.totals.divergences} divergence(s), ${replay.totals.unexplained} unexplained\n`);
          failed = replayFails(replay, flags.failOn);
        }
        const doc = { tool: 'rserpool-harness replay', version: 1, ...(replay ? { replay } : {}), ...(lint ? { lint } : {}), ...(live ? { live } : {}) };
        if (flags.json !== undefined) {
          const text = JSON.stringify(doc, null, 2) + '\n';
          if (flags.json === '-') out.write(text);
          else await writeFile(flags.json, text);
        }
        if (flags.report !== undefined) await writeFile(flags.report, htmlReport({ ...(replay ? { replay } : {}), ...(lint ? { lint } : {}), ...(live ? { live } : {}) }, new Date().toISOString()));
        setExit(failed ? REPLAY_EXIT.attention : REPLAY_EXIT.ok);
      } catch (e) {
        if (e instanceof ReplayError) {
          err.write(`rserpool-harness replay: ${e.message}\n`);
          setExit(e.code === REPLAY_ERR.badOption ? REPLAY_EXIT.usage : REPLAY_EXIT.cannotRun);
          return;
        }
        throw e;
      }
    });
}
