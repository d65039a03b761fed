/**
 * The `rserpool-harness` command line. Each command lives in its own module; this file wires them
 * into commander and turns usage errors into exit status 2.
 */
import { Command, CommanderError } from 'commander';
import { registerDecode } from './decode.js';
import { registerSimulate } from './simulate.js';
import { registerFuzz } from './fuzz.js';
import { registerConformance } from './conformance.js';
import { registerRegistrar } from './registrar.js';
import { registerPe } from './pe.js';
import { registerPu } from './pu.js';
import { registerAgent } from './agent.js';
import { registerReplay } from './replay.js';

/** Exit statuses shared by every command. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 } as const);

/** Build the program (exported for tests). */
export function buildProgram(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Command {
  const program = new Command('rserpool-harness')
    .description(
      'Conformance and fuzzing harness for Reliable Server Pooling (RSerPool):\n' +
        'ASAP (RFC 5352), ENRP (RFC 5353), their parameters (RFC 5354) and pool policies (RFC 5356).',
    )
    .version('0.1.0')
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerDecode(program, out, err);
  registerSimulate(program, out, err);
  registerFuzz(program, out, err);
  registerConformance(program, out, err);
  registerRegistrar(program, out, err);
  registerPe(program, out, err);
  registerPu(program, out, err);
  registerAgent(program, out, err);
  registerReplay(program, out, err);
  return program;
}

/** Run the CLI; resolves to the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return (program.getOptionValue('exitCode') as number | undefined) ?? EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0; real usage errors get 2.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`rserpool-harness: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failed;
  }
}
