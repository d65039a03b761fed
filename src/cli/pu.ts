/** `rserpool-harness pu`: resolve a pool handle at a registrar over SCTP/UDP and print the PEs. */
import type { Command } from 'commander';
import type { PoolElement } from '../../codecs/index.js';
import type { UdpEndpointAddress } from '../net/address.js';
import { resolvePool } from '../net/pool-user.js';
import { fail, num, udpEndpoint } from '../net/cli-options.js';

interface Flags {
  registrar: UdpEndpointAddress;
  pool: string;
  count: number;
  interval: number;
  items?: number;
  timeout: number;
  json?: boolean;
}

function describe(pe: PoolElement): string {
  const t = pe.userTransport;
  const addrs = 'addresses' in t ? t.addresses.map((a) => a.address).join(',') : '';
  return `PE 0x${pe.peId.toString(16).padStart(8, '0')} ${t.transport}:${addrs}:${t.port} policy=${pe.policy.name} home=0x${pe.homeRegistrarId.toString(16)}`;
}

/** Add the `pu` command. */
export function registerPu(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  const cmd = program
    .command('pu')
    .description('Resolve a pool handle at a registrar over SCTP/UDP and print the pool elements')
    .requiredOption('--registrar <udp:HOST:PORT>', 'the registrar\'s ASAP UDP socket', udpEndpoint(9899))
    .requiredOption('--pool <name>', 'pool handle')
    .option('--count <n>', 'number of Handle Resolutions', num, 1)
    .option('--interval <ms>', 'pause between them, ms', num, 1000)
    .option('--items <n>', 'PEs asked for (Handle Resolution Option)', num)
    .option('--timeout <ms>', 'how long to wait for each answer', num, 5000)
    .option('--json', 'print each answer as one JSON line')
    .action(async (flags: Flags) => {
      try {
        await resolvePool(flags.registrar, flags.pool, {
          count: flags.count,
          interval: flags.interval,
          timeoutMs: flags.timeout,
          ...(flags.items ? { items: flags.items } : {}),
          each: (pes, i) => {
            if (flags.json) {
              out.write(
                JSON.stringify({
                  resolution: i + 1,
                  pool: flags.pool,
                  poolElements: pes.map((p) => ({ peId: p.peId, home: p.homeRegistrarId, transport: p.userTransport.transport, port: p.userTransport.port, addresses: 'addresses' in p.userTransport ? p.userTransport.addresses.map((a) => a.address) : [], policy: p.policy.name })),
                }) + '\n',
              );
            } else {
              out.write(`resolution ${i + 1}: pool ${JSON.stringify(flags.pool)}: ${pes.length} PE(s)\n`);
              for (const pe of pes) out.write(`  ${describe(pe)}\n`);
            }
          },
        });
      } catch (e) {
        fail(cmd, err, e);
      }
    });
}
