/**
 * The network target: a registrar reached over the project's userland SCTP over UDP (RFC 6951),
 * in real time. Every driver endpoint gets its own UDP socket (so its own source port, and an
 * address the registrar's REG-8 check can see) and one SCTP association to the target's ASAP port
 * (PE / PU) or ENRP port (peer). The transport drives its own SCTP timers with real timers.
 *
 * Not offered (cases needing them SKIP): multicast in either direction, and associations the
 * registrar opens to the driver (peers by server ID, PEs by ASAP transport).
 */
import { performance } from 'node:perf_hooks';
import { PPID, PORT, decode, encode, type Address, type Message } from '../../codecs/index.js';
import { UdpSctpTransport, type Association } from '../transport/sctp/index.js';
import { describeBytes } from './describe.js';
import type { Endpoint, OpenOptions, Received, Role, Target, TargetConfig, TargetDescription, TraceEntry } from './target.js';

/** Options of {@link NetworkTarget}. */
export interface NetworkTargetOptions {
  /** Registrar host (IPv4 or IPv6 text). */
  readonly host: string;
  /** UDP port of the registrar's ASAP endpoint (SCTP port 3863 inside). */
  readonly asapPort: number;
  /** UDP port of the registrar's ENRP endpoint (SCTP port 9901 inside); absent: no peer role. */
  readonly enrpPort?: number;
  /** The registrar's configuration as far as known (RFC defaults fill the rest). */
  readonly config?: TargetConfig;
  /** Multiplies every receive deadline and the association set-up wait (default 1). */
  readonly timeoutScale?: number;
  /** Local address of the driver's sockets (default: loopback of the target's family). */
  readonly localHost?: string;
  /** Longest wait for an association to come up, ms before scaling (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Name in reports (default `udp:HOST:PORT[,enrp=PORT]`). */
  readonly name?: string;
}

/** Stable error code of a bad `--target` spec. */
export const BAD_TARGET_SPEC = 'RSP_ERR_CONFORMANCE_BAD_TARGET';

/** Parses `udp:HOST:PORT[,enrp=PORT]` (IPv6 as `udp:[V6]:PORT`). Throws Error with {@link BAD_TARGET_SPEC}. */
export function parseTargetSpec(spec: string): Pick<NetworkTargetOptions, 'host' | 'asapPort' | 'enrpPort'> {
  const bad = (why: string): Error => new Error(`${BAD_TARGET_SPEC}: ${why} in ${JSON.stringify(spec)}; expected udp:HOST:PORT[,enrp=PORT]`);
  const [main, ...extras] = spec.split(',');
  if (main === undefined || !main.startsWith('udp:')) throw bad('no udp: prefix');
  const rest = main.slice(4);
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(rest) ?? /^([^:[\]]+):(\d+)$/.exec(rest);
  if (m === null || m[1] === undefined || m[2] === undefined) throw bad('no HOST:PORT');
  const port = (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 65535) throw bad(`bad port ${JSON.stringify(text)}`);
    return n;
  };
  let enrpPort: number | undefined;
  for (const e of extras) {
    const kv = /^enrp=(.*)$/.exec(e.trim());
    if (kv === null || kv[1] === undefined) throw bad(`unknown option ${JSON.stringify(e)}`);
    enrpPort = port(kv[1]);
  }
  return { host: m[1], asapPort: port(m[2]), ...(enrpPort !== undefined ? { enrpPort } : {}) };
}

function ipAddress(text: string): Address {
  return text.includes(':') ? { family: 'ipv6', address: text } : { family: 'ipv4', address: text };
}

function decodeAs(bytes: Uint8Array, protocol: 'asap' | 'enrp'): Message | undefined {
  try {
    return decode(bytes, { protocol, mode: 'lenient', profile: 'auto' }).value;
  } catch {
    return undefined;
  }
}

class NetworkEndpoint implements Endpoint {
  readonly inbox: Received[] = [];
  private waiter: (() => void) | undefined;
  association: number | undefined;
  sctp: Association | undefined;
  private ended = false;

  constructor(
    private readonly target: NetworkTarget,
    readonly transport: UdpSctpTransport,
    readonly name: string,
    readonly role: Role,
    readonly addresses: readonly Address[],
    readonly serverId: number | undefined,
    readonly onMessage: OpenOptions['onMessage'],
  ) {}

  get port(): number {
    return this.sctp?.localPort ?? 0;
  }
  get closed(): boolean {
    return this.ended || this.sctp === undefined || this.sctp.state === 'closed';
  }
  now(): number {
    return this.target.now();
  }
  send(message: Message, on?: number): void {
    this.sendRaw(encode(message), message.protocol === 'asap' ? PPID.asap : PPID.enrp, on);
  }
  sendRaw(bytes: Uint8Array, ppid?: number, on?: number): void {
    const p = ppid ?? (this.role === 'peer' ? PPID.enrp : PPID.asap);
    const id = on ?? this.association ?? 0;
    const protocol = this.role === 'peer' ? 'enrp' : 'asap';
    if (this.closed || id !== this.association) {
      this.target.record('event', this, id, p, bytes, `not sent, association closed: ${describeBytes(bytes, protocol)}`);
      return;
    }
    this.target.record('toTarget', this, id, p, bytes, describeBytes(bytes, protocol));
    try {
      this.sctp?.send(0, p, bytes);
    } catch (e) {
      this.target.record('event', this, id, p, bytes, `send failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  receive(withinMs: number): Promise<Received | undefined> {
    const first = this.inbox.shift();
    if (first !== undefined || withinMs <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(this.inbox.shift());
      }, Math.ceil(withinMs * this.target.scale));
      this.waiter = () => {
        const r = this.inbox.shift();
        if (r === undefined) return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(r);
      };
    });
  }
  /** A message from the target. */
  deliver(r: Received): void {
    if (this.onMessage !== undefined && this.onMessage(r, this)) return;
    this.inbox.push(r);
    this.waiter?.();
  }
  close(): void {
    if (this.closed || this.sctp === undefined) return;
    this.ended = true;
    this.target.record('event', this, this.association ?? 0, 0, new Uint8Array(0), `association ${this.association} closed by driver`, 'closedByDriver');
    this.sctp.shutdown();
  }
  abort(): void {
    if (this.closed || this.sctp === undefined) return;
    this.ended = true;
    this.target.record('event', this, this.association ?? 0, 0, new Uint8Array(0), `association ${this.association} aborted by driver`, 'abortedByDriver');
    this.sctp.abort('aborted by driver');
  }
  /** The association went down without us asking. */
  lost(reason: string, aborted: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.target.record('event', this, this.association ?? 0, 0, new Uint8Array(0), `association ${this.association} ${aborted ? 'ABORTed by the target' : 'shut down by the target'}: ${reason}`, 'abortedByTarget');
  }
}

/** See the module comment. */
export class NetworkTarget implements Target {
  readonly scale: number;
  private readonly epoch = performance.now();
  private endpoints: NetworkEndpoint[] = [];
  private trace: TraceEntry[] = [];
  private nextAssociation = 1;
  private endpointCount = 0;
  private readonly remoteAddress: Address;

  constructor(private readonly options: NetworkTargetOptions) {
    this.scale = options.timeoutScale ?? 1;
    this.remoteAddress = ipAddress(options.host);
  }

  describe(): TargetDescription {
    const o = this.options;
    const roles: Role[] = o.enrpPort !== undefined ? ['pe', 'pu', 'peer'] : ['pe', 'pu'];
    return {
      name: o.name ?? `udp:${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.asapPort}${o.enrpPort !== undefined ? `,enrp=${o.enrpPort}` : ''}`,
      config: o.config ?? {},
      capabilities: { roles, virtualTime: false, multicastListen: false, multicastSend: false, acceptsIncoming: false },
    };
  }

  now(): number {
    return Math.round(performance.now() - this.epoch);
  }

  async open(role: Role, options: OpenOptions = {}): Promise<Endpoint> {
    if (role === 'peer' && this.options.enrpPort === undefined) throw new Error('network target: no ENRP port given (udp:HOST:PORT,enrp=PORT), so no peer role');
    if (options.passive === true) throw new Error('network target: passive endpoints need incoming associations, which this target does not offer');
    const n = ++this.endpointCount;
    const localHost = this.options.localHost ?? (this.options.host.includes(':') ? '::1' : '127.0.0.1');
    const transport = await UdpSctpTransport.open({ host: localHost, port: 0 });
    const ep = new NetworkEndpoint(this, transport, options.name ?? `${role}${n}`, role, [ipAddress(transport.local.address)], options.serverId, options.onMessage);
    this.endpoints.push(ep);
    const protocol = role === 'peer' ? 'enrp' : 'asap';
    const udpPort = role === 'peer' ? this.options.enrpPort! : this.options.asapPort;
    const id = this.nextAssociation++;
    let a: Association;
    try {
      a = transport.endpoint.connect({ address: this.options.host, udpPort, sctpPort: protocol === 'enrp' ? PORT.enrp : PORT.asap });
    } catch (e) {
      await transport.close();
      throw e;
    }
    ep.sctp = a;
    ep.association = id;
    a.on('message', (m) => {
      const p: 'asap' | 'enrp' = m.ppid === PPID.enrp ? 'enrp' : m.ppid === PPID.asap ? 'asap' : protocol;
      this.record('fromTarget', ep, id, m.ppid, m.bytes, describeBytes(m.bytes, p));
      const decoded = decodeAs(m.bytes, p);
      if (decoded === undefined) return; // a driver cannot read it either; the trace shows it
      ep.deliver({ message: decoded, bytes: m.bytes, ppid: m.ppid, channel: 'association', association: id, at: this.now() });
    });
    a.on('down', (d) => ep.lost(`${d.reason}${d.detail ? `: ${d.detail}` : ''}`, d.reason !== 'shutdown'));
    const waitMs = Math.ceil((this.options.connectTimeoutMs ?? 5000) * this.scale);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`network target: no association to udp:${this.options.host}:${udpPort} within ${waitMs} ms`)), waitMs);
      a.once('up', () => {
        clearTimeout(timer);
        resolve();
      });
      a.once('down', (d) => {
        clearTimeout(timer);
        reject(new Error(`network target: association to udp:${this.options.host}:${udpPort} failed (${d.reason}${d.detail ? `: ${d.detail}` : ''})`));
      });
    });
    this.record('event', ep, id, 0, new Uint8Array(0), `${protocol} association ${id} up (udp ${transport.local.address}:${transport.local.port} → ${this.options.host}:${udpPort})`, 'up');
    return ep;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }

  async multicast(_message: Message, _from: Endpoint): Promise<void> {
    throw new Error('network target: multicast is not offered (multicastSend is false)');
  }

  async receiveMulticast(withinMs: number): Promise<Received | undefined> {
    await this.sleep(Math.ceil(withinMs * this.scale));
    return undefined;
  }

  async beginCase(_caseId: string): Promise<void> {
    await this.closeEndpoints();
    this.trace = [];
  }

  async endCase(): Promise<readonly TraceEntry[]> {
    await this.closeEndpoints();
    const t = this.trace;
    this.trace = [];
    return t;
  }

  async dispose(): Promise<void> {
    await this.endCase();
  }

  /** Orderly shutdown of every endpoint's association (bounded; what is left is aborted), then the sockets go. */
  private async closeEndpoints(): Promise<void> {
    const eps = this.endpoints;
    this.endpoints = [];
    for (const ep of eps) ep.close();
    await Promise.all(eps.map((ep) => ep.transport.close({ graceful: true, timeoutMs: Math.ceil(1000 * this.scale) }).catch(() => undefined)));
  }

  record(
    direction: TraceEntry['direction'],
    ep: NetworkEndpoint,
    association: number,
    ppid: number,
    bytes: Uint8Array,
    text: string,
    associationEvent?: TraceEntry['associationEvent'],
  ): void {
    const enrp = ep.role === 'peer';
    const local = { address: ipAddress(ep.transport.local.address), port: ep.port };
    const remote = { address: this.remoteAddress, port: enrp ? PORT.enrp : PORT.asap };
    this.trace.push({
      at: this.now(),
      direction,
      endpoint: ep.name,
      channel: 'association',
      association,
      ppid,
      bytes,
      text,
      local,
      remote,
      ...(associationEvent !== undefined ? { associationEvent } : {}),
    });
  }
}
