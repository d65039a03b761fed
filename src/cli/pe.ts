/**
 * `rserpool-harness pe`: a pool element that registers with a registrar over SCTP/UDP, answers
 * Keep-Alives, re-registers, and deregisters on SIGINT / SIGTERM.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Policy, PolicyName } from '../../codecs/index.js';
import type { UdpEndpointAddress } from '../net/address.js';
import type { NetLogRecord } from '../net/log.js';
import { PoolElementNode } from '../net/pool-element.js';
import { addLogOptions, fail, loggerFrom, num, udpEndpoint, untilSignal } from '../net/cli-options.js';

const POLICIES: readonly PolicyName[] = ['roundRobin', 'weightedRoundRobin', 'random', 'weightedRandom', 'priority', 'leastUsed', 'leastUsedDegradation', 'priorityLeastUsed', 'randomizedLeastUsed'];

/** `name[:value]`; the value is the weight, priority or load the policy needs. */
const policy = (v: string): Policy => {
  const [name, value] = v.split(':');
  if (!(POLICIES as readonly string[]).includes(name!)) throw new InvalidArgumentError(`expected one of ${POLICIES.join(', ')} (optionally :value)`);
  const n = value === undefined ? undefined : Number(value);
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 0xffffffff)) throw new InvalidArgumentError('policy value must be a 32-bit unsigned integer');
  const p = name as PolicyName;
  if (n === undefined) return p.startsWith('weighted') ? { name: p, weight: 1 } : p === 'priority' ? { name: p, priority: 0 } : p.includes('eastUsed') ? { name: p, load: 0 } : { name: p };
  if (p.startsWith('weighted')) return { name: p, weight: n };
  if (p === 'priority') return { name: p, priority: n };
  if (p.includes('eastUsed')) return { name: p, load: n };
  return { name: p };
};

interface Flags {
  registrar: UdpEndpointAddress;
  pool: string;
  policy: Policy;
  lifetime: number;
  id?: number;
  userAddress: string;
  userPort: number;
  timeout: number;
  log: 'json' | 'text';
  logLevel: NetLogRecord['level'];
}

/** Add the `pe` command. */
export function registerPe(program: Command, _out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  const cmd = program
    .command('pe')
    .description('Run a pool element: register with a registrar over SCTP/UDP, answer Keep-Alives, deregister on SIGINT/SIGTERM')
    .requiredOption('--registrar <udp:HOST:PORT>', 'the registrar\'s ASAP UDP socket', udpEndpoint(9899))
    .requiredOption('--pool <name>', 'pool handle')
    .option('--policy <name[:value]>', 'selection policy, e.g. roundRobin, weightedRoundRobin:3, leastUsed:10', policy, { name: 'roundRobin' })
    .option('--lifetime <ms>', 'registration life, ms (re-registers at half of it)', num, 30_000)
    .option('--id <n>', 'PE identifier (decimal or 0x…; default random)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('expected a 32-bit unsigned integer');
      return n;
    })
    .option('--user-address <ip>', 'address advertised in the user transport (must be the association\'s, REG-8)', '127.0.0.1')
    .option('--user-port <n>', 'SCTP port advertised in the user transport', num, 5000)
    .option('--timeout <ms>', 'how long to wait for the registrar', num, 5000);
  addLogOptions(cmd).action(async (flags: Flags) => {
    const log = loggerFrom(flags, err);
    let node: PoolElementNode;
    try {
      node = await PoolElementNode.start({
        registrar: flags.registrar,
        pool: flags.pool,
        peId: flags.id ?? Math.floor(Math.random() * 0xffffffff) + 1,
        policy: flags.policy,
        lifetime: flags.lifetime,
        userAddress: flags.userAddress,
        userPort: flags.userPort,
        log,
        timeoutMs: flags.timeout,
      });
    } catch (e) {
      fail(cmd, err, e);
      return;
    }
    const signal = await untilSignal();
    log({ level: 'info', event: 'stopping', detail: { signal } });
    await node.stop();
  });
}
