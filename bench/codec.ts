/**
 * `npm run bench:codec`: decode and encode throughput (messages/s and MB/s) of the codecs on a
 * realistic mix — registrations, handle resolution responses with 3 PEs, ENRP presences and handle
 * table responses — as medians of several runs, with the machine they ran on.
 */
import { decode, encode, type Message, type PoolElement } from '../codecs/index.js';
import { machineLine, median } from './machine.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MIX_SIZE = 20_000;

/** Deterministic pseudo-random numbers (seeded), so every run measures the same mix. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function buildMix(seed: number): Message[] {
  const r = rng(seed);
  const u32 = () => Math.floor(r() * 2 ** 32);
  const handle = () => new Uint8Array(Buffer.from(`Pool-${Math.floor(r() * 50)}`));
  const pe = (enrp: boolean): PoolElement => ({
    peId: u32(),
    homeRegistrarId: enrp ? 1 + Math.floor(r() * 3) : 0,
    registrationLife: 30_000,
    userTransport: {
      transport: 'sctp',
      port: 1024 + Math.floor(r() * 60000),
      transportUse: 'dataPlusControl',
      addresses: [
        { family: 'ipv4', address: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.1` },
        { family: 'ipv6', address: `2001:db8::${Math.floor(r() * 0xffff).toString(16)}` },
      ],
    },
    policy: { name: 'leastUsed', load: u32() },
    ...(enrp ? { asapTransport: { transport: 'sctp' as const, port: 3863, transportUse: 'dataOnly' as const, addresses: [{ family: 'ipv4' as const, address: '10.0.0.9' }] } } : {}),
  });
  const out: Message[] = [];
  for (let i = 0; i < MIX_SIZE; i++) {
    const k = r();
    if (k < 0.3) out.push({ protocol: 'asap', type: 'registration', poolHandle: handle(), poolElement: pe(false) });
    else if (k < 0.6) {
      const pes = [pe(false), pe(false), pe(false)];
      out.push({ protocol: 'asap', type: 'handleResolutionResponse', poolHandle: handle(), policy: pes[0]!.policy, poolElements: pes });
    } else if (k < 0.9) {
      out.push({
        protocol: 'enrp',
        type: 'presence',
        flags: { R: false },
        senderId: 1,
        receiverId: 2,
        peChecksum: Math.floor(r() * 0xffff),
        serverInformation: { serverId: 1, transport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.0.0.1' }] } },
      });
    } else {
      out.push({
        protocol: 'enrp',
        type: 'handleTableResponse',
        flags: { R: false, M: true },
        senderId: 1,
        receiverId: 2,
        pools: [{ poolHandle: handle(), poolElements: Array.from({ length: 8 }, () => pe(true)) }],
      });
    }
  }
  return out;
}

function main(): void {
  const mix = buildMix(1);
  const wire = mix.map((m) => encode(m));
  const protocols = mix.map((m) => m.protocol);
  const bytes = wire.reduce((n, b) => n + b.length, 0);
  const time = (fn: () => void): number => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const decodeAll = () => {
    for (let i = 0; i < wire.length; i++) decode(wire[i]!, { protocol: protocols[i]! });
  };
  const encodeAll = () => {
    for (let i = 0; i < mix.length; i++) encode(mix[i]!);
  };
  decodeAll();
  encodeAll(); // warm-up: let the JIT settle before measuring
  const dec: number[] = [];
  const enc: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    dec.push(time(decodeAll));
    enc.push(time(encodeAll));
  }
  const row = (name: string, secs: number) =>
    `| ${name.padEnd(6)} | ${Math.round(mix.length / secs).toLocaleString('en-US').padStart(12)} | ${(bytes / secs / 1e6).toFixed(1).padStart(7)} |`;
  console.log(`codec benchmark — ${machineLine()}`);
  console.log(`mix: ${mix.length} messages, ${bytes} octets (30% Registration, 30% Handle Resolution Response with 3 PEs, 30% Presence, 10% Handle Table Response with 8 PEs); median of ${RUNS} runs`);
  console.log('| op     |   messages/s |    MB/s |');
  console.log('|--------|--------------|---------|');
  console.log(row('decode', median(dec)));
  console.log(row('encode', median(enc)));
}

main();
