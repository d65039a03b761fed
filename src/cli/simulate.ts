/**
 * `rserpool-harness simulate`: a whole operation scope of reference registrars, PEs and PUs in
 * virtual time on an in-memory network. Same seed, same output, byte for byte.
 */
import { Command, InvalidArgumentError } from 'commander';
import { formatReport, jsonReport } from '../registrar/simulation/report.js';
import { simulate, type Partition, type SimulationOptions } from '../registrar/simulation/simulation.js';

const int = (min: number) => (value: string): number => {
  const v = Number(value);
  if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
  return v;
};

const probability = (value: string): number => {
  const v = Number(value);
  if (!(v >= 0 && v < 1)) throw new InvalidArgumentError('expected a probability in [0, 1)');
  return v;
};

/** `i@t`: registrar index i dies at t seconds. */
const kill = (value: string, previous: Map<number, number> = new Map()): Map<number, number> => {
  const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(value);
  if (m === null) throw new InvalidArgumentError('expected index@seconds, e.g. 0@300');
  return new Map([...previous, [Number(m[1]), Number(m[2]) * 1000]]);
};

/** `a,b@from-until`: registrars a, b cut off from the others between the two times (seconds). */
const partition = (value: string, previous: Partition[] = []): Partition[] => {
  const m = /^(\d+(?:,\d+)*)@(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value);
  if (m === null) throw new InvalidArgumentError('expected indices@from-until, e.g. 0,1@100-200');
  return [...previous, { group: m[1]!.split(',').map(Number), from: Number(m[2]) * 1000, until: Number(m[3]) * 1000 }];
};

interface SimulateFlags {
  registrars: number;
  pes: number;
  pus: number;
  seconds: number;
  seed: number;
  loss: number;
  lossUntil?: number;
  partition?: Partition[];
  killRegistrar?: Map<number, number>;
  json?: boolean;
}

/** Add the `simulate` command. */
export function registerSimulate(program: Command, out: NodeJS.WritableStream, _err: NodeJS.WritableStream): void {
  program
    .command('simulate')
    .description('Run registrars, PEs and PUs of one operation scope in virtual time and report what happened')
    .option('--registrars <n>', 'number of registrars', int(1), 3)
    .option('--pes <n>', 'number of pool elements', int(0), 100)
    .option('--pus <n>', 'number of pool users', int(0), 10)
    .option('--seconds <s>', 'virtual seconds to run', int(1), 60)
    .option('--seed <x>', 'seed of every random choice', int(0), 1)
    .option('--loss <p>', 'probability that a message is lost', probability, 0)
    .option('--loss-until <s>', 'losses stop at this time (seconds), for a quiet end', (v: string) => int(0)(v) * 1000)
    .option('--partition <spec>', 'cut registrars off: indices@from-until (seconds), repeatable', partition)
    .option('--kill-registrar <spec>', 'registrar index dies at a time: i@seconds, repeatable', kill)
    .option('--json', 'print the result as JSON')
    .action((flags: SimulateFlags) => {
      const options: SimulationOptions = {
        registrars: flags.registrars,
        pes: flags.pes,
        pus: flags.pus,
        seconds: flags.seconds,
        seed: flags.seed,
        loss: flags.loss,
        ...(flags.lossUntil !== undefined ? { lossUntil: flags.lossUntil } : {}),
        ...(flags.partition !== undefined ? { partitions: flags.partition } : {}),
        ...(flags.killRegistrar !== undefined ? { kills: flags.killRegistrar } : {}),
      };
      const result = simulate(options);
      out.write(flags.json ? jsonReport(options, result) : formatReport(options, result));
    });
}
