/**
 * Building blocks of the project's captures: RSerPool values (pool handles, transports, pool
 * elements, one policy of every kind, error causes) and the glue that turns messages into SCTP
 * user messages. Addresses come from the documentation ranges (RFC 5737, RFC 3849).
 */
import { PPID, encode, type Address, type AsapMessage, type EnrpMessage, type ErrorCause, type Policy, type PoolElement, type ServerInformation, type TransportParameter } from '../../codecs/index.js';
import type { CaptureTimestamp } from '../../src/capture/index.js';
import type { SctpUserMessage } from '../../src/capture/write/index.js';

/** Octets of an ASCII string (pool handles, cookies). */
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An Address parameter value from text. */
export const addr = (text: string): Address => (text.includes(':') ? { family: 'ipv6', address: text } : { family: 'ipv4', address: text });

/** SCTP transport parameter (RFC 5354 §3.4). */
export const sctp = (port: number, addresses: readonly string[], transportUse: 'dataOnly' | 'dataPlusControl' = 'dataOnly'): TransportParameter => ({
  transport: 'sctp',
  port,
  transportUse,
  addresses: addresses.map(addr),
});
/** TCP transport parameter (RFC 5354 §3.5). */
export const tcp = (port: number, address: string, transportUse: 'dataOnly' | 'dataPlusControl' = 'dataOnly'): TransportParameter => ({
  transport: 'tcp',
  port,
  transportUse,
  addresses: [addr(address)],
});
/** UDP transport parameter (RFC 5354 §3.6). */
export const udp = (port: number, address: string): TransportParameter => ({ transport: 'udp', port, addresses: [addr(address)] });
/** UDP-Lite transport parameter (RFC 5354 §3.7). */
export const udpLite = (port: number, address: string): TransportParameter => ({ transport: 'udpLite', port, addresses: [addr(address)] });
/** DCCP transport parameter (RFC 5354 §3.3). */
export const dccp = (port: number, serviceCode: number, address: string): TransportParameter => ({ transport: 'dccp', port, serviceCode, addresses: [addr(address)] });

/** A load or degradation fraction: `percent` of 0xFFFFFFFF (policies.md §1). */
export const fraction = (percent: number): number => Math.round((percent / 100) * 0xffffffff);

/**
 * One policy of every kind RFC 5356 and rsplib define (policies.md §2), with plausible values.
 * Read-only; the captures spread them over their pool elements.
 */
export const POLICIES = Object.freeze({
  roundRobin: { name: 'roundRobin' },
  weightedRoundRobin: { name: 'weightedRoundRobin', weight: 3 },
  random: { name: 'random' },
  weightedRandom: { name: 'weightedRandom', weight: 10 },
  priority: { name: 'priority', priority: 5 },
  leastUsed: { name: 'leastUsed', load: fraction(25) },
  leastUsedDegradation: { name: 'leastUsedDegradation', load: fraction(10), loadDegradation: fraction(5) },
  priorityLeastUsed: { name: 'priorityLeastUsed', load: fraction(30), loadDegradation: fraction(2) },
  randomizedLeastUsed: { name: 'randomizedLeastUsed', load: fraction(60) },
  randomizedPriorityLeastUsed: { name: 'randomizedPriorityLeastUsed', load: fraction(40), loadDegradation: fraction(1) },
  randomizedLeastUsedDegradation: { name: 'randomizedLeastUsedDegradation', load: fraction(20), loadDegradation: fraction(3) },
  priorityLeastUsedDegradation: { name: 'priorityLeastUsedDegradation', load: fraction(15), loadDegradation: fraction(4) },
  randomizedPriorityLeastUsedDegradation: { name: 'randomizedPriorityLeastUsedDegradation', load: fraction(35), loadDegradation: fraction(6) },
  weightedRandomDpf: { name: 'weightedRandomDpf', weight: 20, weightDpf: fraction(0.5), distance: 150 },
  leastUsedDpf: { name: 'leastUsedDpf', load: fraction(45), loadDpf: fraction(0.1), distance: 50 },
  leastUsedDegradationDpf: { name: 'leastUsedDegradationDpf', load: fraction(5), loadDegradation: fraction(2), loadDpf: fraction(0.2), distance: 100 },
} satisfies Record<Policy['name'], Policy>);

/** A Pool Element parameter; `asap` adds the ASAP transport that ENRP messages carry. */
export function poolElement(o: {
  readonly peId: number;
  readonly home?: number;
  readonly life?: number;
  readonly user: TransportParameter;
  readonly policy: Policy;
  readonly asap?: TransportParameter;
}): PoolElement {
  return {
    peId: o.peId,
    homeRegistrarId: o.home ?? 0,
    registrationLife: o.life ?? 30_000,
    userTransport: o.user,
    policy: o.policy,
    ...(o.asap ? { asapTransport: o.asap } : {}),
  };
}

/** Server Information with the PR's ENRP endpoint. */
export const serverInfo = (serverId: number, port: number, addresses: readonly string[]): ServerInformation => ({ serverId, transport: sctp(port, addresses) });

/** A generic TLV (type, length, value, padding), for error-cause information. */
export function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + value.length + ((4 - (value.length % 4)) % 4));
  out[0] = type >>> 8;
  out[1] = type & 0xff;
  out[2] = (4 + value.length) >>> 8;
  out[3] = (4 + value.length) & 0xff;
  out.set(value, 4);
  // Cause info carries the offending TLV with its unpadded length (wire-format §3.2).
  return out.subarray(0, 4 + value.length);
}

/** 32-bit big-endian words. */
export function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(4 * ws.length);
  const v = new DataView(out.buffer);
  ws.forEach((w, i) => v.setUint32(4 * i, w >>> 0));
  return out;
}

/** An error cause. */
export const cause = (code: number, info: Uint8Array = new Uint8Array(0)): ErrorCause => ({ code, info });

/** An ASAP message as an SCTP user message (PPID 11). */
export function asap(m: AsapMessage, extra: Omit<SctpUserMessage, 'ppid' | 'bytes'> = {}): SctpUserMessage {
  return { ppid: PPID.asap, bytes: encode(m), ...extra };
}

/** An ENRP message as an SCTP user message (PPID 12). */
export function enrp(m: EnrpMessage, extra: Omit<SctpUserMessage, 'ppid' | 'bytes'> = {}): SctpUserMessage {
  return { ppid: PPID.enrp, bytes: encode(m), ...extra };
}

/** rsplib's CalcApp demo protocol PPID (seen next to ASAP on PE–PU associations). */
export const CALCAPP_PPID = 0x29097603;

/** A UTC time as a capture timestamp. */
export function at(iso: string): CaptureTimestamp {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`bad time ${iso}`);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
