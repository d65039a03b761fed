/**
 * `rserpool-harness fuzz codec` (parser campaigns) and `fuzz replay FILE` (re-run one finding).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { runCodecCampaign, replayCodecFinding, type CodecFinding } from '../../fuzz/codec-campaign.js';
import { loadCorpus } from '../../fuzz/corpus.js';
import { registerFuzzRegistrar } from '../../fuzz/registrar/command.js';
import { loadFinding, type RegistrarFinding } from '../../fuzz/registrar/finding.js';
import { replayRegistrarFinding } from '../../fuzz/registrar/replay.js';
import { describeStep } from '../../fuzz/registrar/sequence.js';
import { positive, seedArg } from '../net/cli-options.js';

const PROJECT_CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));


interface CodecFlags {
  seconds?: number;
  runs?: number;
  seed?: number;
  corpus?: string[];
  findings: string;
  generated: number;
  json?: boolean;
}

/** Add the `fuzz` command group. */
export function registerFuzz(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  const fuzz = program.command('fuzz').description('Fuzz message parsers (ours in-process) and registrars (in-process or over the network), and replay findings.');
  fuzz
    .command('codec')
    .description(
      'Drive the ASAP/ENRP decoder with structure-aware inputs and named mutations (bit flips, length fields ±1/±4/max,\n' +
        'truncation, TLV duplication/removal/reordering/nesting, unknown TLVs under each action-bit pair, boundary integers).\n' +
        'Oracles: only DecodeError escapes; decode→encode→decode is stable; a CPU-time budget per input; bounded output.',
    )
    .option('--seconds <n>', 'run this long (default 10 unless --runs is given)', positive('--seconds'))
    .option('--runs <n>', 'run this many inputs', positive('--runs'))
    .option('--seed <n>', 'campaign seed (default: time-based, printed so the run can be repeated)', seedArg)
    .option('--corpus <dir...>', "capture files/folders and asap-*.hex / enrp-*.hex files to seed from (default: the project's captures/)")
    .option('--findings <dir>', 'where findings are written', 'fuzz-findings')
    .option('--generated <n>', 'inputs generated from the codec arbitraries and added to the corpus', positive('--generated'), 2000)
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExit status: 0 no finding, 1 findings (each saved as a file; replay with `rserpool-harness fuzz replay FILE`), 2 usage.')
    .action(async (flags: CodecFlags, cmd: Command) => {
      const seed = flags.seed ?? (Date.now() >>> 0);
      const seconds = flags.seconds ?? (flags.runs === undefined ? 10 : undefined);
      const dirs = flags.corpus ?? (existsSync(PROJECT_CAPTURES) ? [PROJECT_CAPTURES] : []);
      const corpus = await loadCorpus(dirs, (m) => err.write(`${m}\n`));
      err.write(`fuzz codec: seed ${seed}, corpus ${corpus.length} messages + ${flags.generated} generated, ${seconds !== undefined ? `${seconds} s` : `${flags.runs} runs`}\n`);
      const tty = Boolean((err as NodeJS.WriteStream).isTTY);
      const result = runCodecCampaign({
        seed,
        ...(seconds !== undefined ? { seconds } : {}),
        ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
        corpus,
        generated: flags.generated,
        findingsDir: flags.findings,
        onProgress: (p) =>
          err.write(
            `${tty ? '\r' : ''}${p.seconds.toFixed(0)} s: ${p.execs} execs, ${Math.round(p.execs / p.seconds)} execs/s, ${p.findings} findings, ${p.typesCovered} message types decoded, ${p.errorCodes} error codes seen${tty ? '   ' : '\n'}`,
          ),
      });
      if (tty) err.write('\n');
      const summary = {
        seed,
        execs: result.execs,
        seconds: Number(result.seconds.toFixed(2)),
        execsPerSecond: Math.round(result.execs / Math.max(result.seconds, 1e-9)),
        decoded: result.decoded,
        typesCovered: result.typesCovered,
        errorCodes: result.errorCodes,
        findings: result.findings.map((f) => ({ oracle: f.oracle, detail: f.detail, file: f.file, replay: f.file ? `rserpool-harness fuzz replay ${f.file}` : undefined })),
      };
      if (flags.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        out.write(`fuzz codec summary (seed ${seed}): ${summary.execs} inputs in ${summary.seconds} s (${summary.execsPerSecond}/s), ${summary.decoded} decoded\n`);
        out.write(`  message types decoded: ${summary.typesCovered.length} (${summary.typesCovered.join(', ')})\n`);
        out.write(`  decode errors by code: ${Object.entries(summary.errorCodes).sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
        out.write(`  findings: ${summary.findings.length}\n`);
        for (const f of summary.findings) out.write(`    ${f.oracle}: ${f.detail}\n      replay: ${f.replay}\n`);
      }
      cmd.parent?.parent?.setOptionValue('exitCode', result.findings.length ? 1 : 0);
    });

  registerFuzzRegistrar(fuzz, out, err);

  fuzz
    .command('replay')
    .description('Re-run one saved finding (codec or registrar) and say whether it still fails the same way.')
    .argument('<file>', 'a finding file written by a fuzz campaign')
    .option('--target <udp:HOST:PORT[,enrp=PORT]>', 'registrar findings: replay against this target instead of the recorded one')
    .option('--agent <url>', 'registrar findings: the agent supervising the target (crash detection); none: replay without the recorded one')
    .addHelpText('after', '\nExit status: 0 the finding no longer reproduces (fixed), 1 it still fails, 2 usage or unreadable file.')
    .action(async (file: string, flags: { target?: string; agent?: string }, cmd: Command) => {
      const setExit = (code: number): void => {
        cmd.parent?.parent?.setOptionValue('exitCode', code);
      };
      let raw: { kind?: unknown };
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
        raw = JSON.parse(text) as { kind?: unknown };
      } catch (e) {
        err.write(`rserpool-harness: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
        setExit(2);
        return;
      }
      if (raw.kind === 'registrar') {
        let rf: RegistrarFinding;
        try {
          rf = loadFinding(text);
        } catch (e) {
          err.write(`rserpool-harness: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
        out.write(`registrar finding (seed ${rf.seed}, sequence ${rf.sequence}): ${rf.oracle}: ${rf.detail}\n`);
        for (const [i, s] of rf.steps.entries()) out.write(`  ${String(i).padStart(3)} ${describeStep(s)}\n`);
        let verdict;
        try {
          verdict = await replayRegistrarFinding(rf, { ...(flags.target !== undefined ? { target: flags.target } : {}), ...(flags.agent !== undefined ? { agent: flags.agent } : {}) });
        } catch (e) {
          err.write(`rserpool-harness: replay: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(2);
          return;
        }
        out.write(verdict.reproduced ? `REPRODUCED ${verdict.failure?.oracle}: ${verdict.failure?.detail}\n` : `NOT REPRODUCED${verdict.failure ? ` (a different failure: ${verdict.failure.oracle}: ${verdict.failure.detail})` : ''}\n`);
        setExit(verdict.reproduced ? 1 : 0);
        return;
      }
      let f: CodecFinding;
      try {
        f = raw as CodecFinding;
        if (f.kind !== 'codec' || typeof f.hex !== 'string') throw new Error('not a codec or registrar finding file');
      } catch (e) {
        err.write(`rserpool-harness: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
        setExit(2);
        return;
      }
      const { reproduced, verdict } = replayCodecFinding(f);
      out.write(`${f.protocol} ${f.mode} ${f.profile} input ${f.hex}\n`);
      out.write(reproduced ? `REPRODUCED ${f.oracle}: ${(verdict as { detail: string }).detail}\n` : `NOT REPRODUCED: ${JSON.stringify(verdict)}\n`);
      setExit(reproduced ? 1 : 0);
    });
}
