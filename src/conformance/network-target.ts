/**
 * The network target: a registrar reached over the project's userland SCTP over UDP (RFC 6951),
 * in real time. Every driver endpoint gets its own UDP socket (so its own source port) and one SCTP
 * association to the target's ASAP port (PE / PU) or ENRP port (peer). The transport drives its own
 * SCTP timers with real timers.
 *
 * Associations the registrar opens itself (ENRP to a peer it learned from a List Response, Keep-Alives
 * to PEs it took over, T-6) need a socket the registrar can reach: with `listen` set, one local UDP
 * port accepts them for every endpoint. All SCTP ports share that UDP port (RFC 6951), so inbound
 * associations are demultiplexed by their destination SCTP port, which is the SCTP port of the
 * endpoint they are meant for (the port a PE / peer advertises is its endpoint's port). Over qemu
 * slirp every association the guest opens arrives at 127.0.0.1:9899 in the namespace, sent from
 * 127.0.0.1:<hostfwd port>; the reply goes back to that source port (RFC 6951 §5.4).
 *
 * The addresses endpoints advertise (PE user transports, peer Server Information) are configurable:
 * rsplib keeps only addresses equal to an association peer address (REG-8, PP-5), and behind NAT
 * (slirp: 10.0.2.2) that is not the socket's own address.
 *
 * Never offered (cases needing them SKIP): multicast in either direction.
 */
import { performance } from 'node:perf_hooks';
import { PPID, PORT, decode, encode, type Address, type Message } from '../../codecs/index.js';
import { UdpSctpTransport, type Association } from '../transport/sctp/index.js';
import { CaseSkip } from './case.js';
import { describeBytes } from './describe.js';
import { DEFAULT_TIMING_TOLERANCE_MS, type Channel, type Endpoint, type OpenOptions, type Received, type Role, type Target, type TargetCapabilities, type TargetConfig, type TargetDescription, type TraceEntry } from './target.js';

/** A UDP socket address. */
export interface UdpAddress {
  readonly host: string;
  readonly port: number;
}

/** Options of {@link NetworkTarget}. */
export interface NetworkTargetOptions {
  /** Registrar host (IPv4 or IPv6 text). */
  readonly host: string;
  /** UDP port of the registrar's ASAP endpoint (SCTP port 3863 inside). */
  readonly asapPort: number;
  /**
   * UDP port of the registrar's ENRP endpoint (SCTP port 9901 inside); absent: no peer role. Behind
   * one RFC 6951 port (a Linux guest over slirp) it equals `asapPort`.
   */
  readonly enrpPort?: number;
  /** The registrar's configuration as far as known (RFC defaults fill the rest). */
  readonly config?: TargetConfig;
  /** Multiplies every receive deadline and the association set-up wait (default 1). */
  readonly timeoutScale?: number;
  /** Local address of the driver's sockets (default: loopback of the target's family). */
  readonly localHost?: string;
  /**
   * Local UDP socket accepting the associations the registrar opens (capability `acceptsIncoming`);
   * absent: none are accepted.
   */
  readonly listen?: UdpAddress;
  /** Addresses PE and PU endpoints advertise (default: their socket's address). */
  readonly peAddresses?: readonly string[];
  /** Addresses fake peer registrars announce in Server Information (default: `peAddresses`). */
  readonly peerAddresses?: readonly string[];
  /**
   * First SCTP port of the driver's endpoints; each endpoint gets the next one (wrapping inside
   * 16384 ports), so ports are reproducible and not reused within a run (default 40000).
   */
  readonly firstSctpPort?: number;
  /**
   * Shortest {@link Target.sleep}, ms before scaling (default 0). Cases sleep a millisecond to let the
   * target take in what they sent before asking over another association; a real registrar reads
   * its ASAP and ENRP sockets in its own order, and a slow one (qemu/TCG) may answer a later PU
   * request on one socket before it has read a peer's Handle Update on the other.
   */
  readonly settleMs?: number;
  /**
   * Slack of timing checks, ms (default {@link DEFAULT_TIMING_TOLERANCE_MS}): see
   * {@link TargetDescription.timingToleranceMs}.
   */
  readonly timingToleranceMs?: number;
  /** Longest wait for an association to come up, ms before scaling (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Name in reports (default `udp:HOST:PORT[,enrp=PORT][,local=udp:HOST:PORT]`). */
  readonly name?: string;
}

/** Stable error codes of the network target. */
export const NETWORK_TARGET_ERR = Object.freeze({
  badSpec: 'RSP_ERR_CONFORMANCE_BAD_TARGET',
  connect: 'RSP_ERR_CONFORMANCE_CONNECT_FAILED',
  noPeerRole: 'RSP_ERR_CONFORMANCE_NO_PEER_ROLE',
  listen: 'RSP_ERR_CONFORMANCE_LISTEN_FAILED',
  interrupted: 'RSP_ERR_CONFORMANCE_INTERRUPTED',
});

/** A code of {@link NETWORK_TARGET_ERR}. */
export type NetworkTargetErrorCode = (typeof NETWORK_TARGET_ERR)[keyof typeof NETWORK_TARGET_ERR];

/** A failure of the network target (bad spec, association that never came up, unusable listen socket). */
export class NetworkTargetError extends Error {
  override readonly name = 'NetworkTargetError';
  constructor(
    readonly code: NetworkTargetErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Stable error code of a bad `--target` spec. */
export const BAD_TARGET_SPEC = NETWORK_TARGET_ERR.badSpec;

/** What {@link parseTargetSpec} gives. */
export type TargetSpec = Pick<NetworkTargetOptions, 'host' | 'asapPort' | 'enrpPort' | 'listen'>;

const SPEC_FORMAT = 'udp:HOST:PORT[,enrp=PORT][,local=udp:HOST:PORT]';

function parsePort(text: string, bad: (why: string) => Error): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 65535) throw bad(`bad port ${JSON.stringify(text)}`);
  return n;
}

/**
 * Parses `udp:HOST:PORT` (IPv6 as `udp:[V6]:PORT`) into a UDP address. Throws
 * {@link NetworkTargetError} `RSP_ERR_CONFORMANCE_BAD_TARGET`.
 */
export function parseUdpAddress(text: string, what = 'address'): UdpAddress {
  const bad = (why: string): Error => new NetworkTargetError(NETWORK_TARGET_ERR.badSpec, `${why} in ${what} ${JSON.stringify(text)}; expected udp:HOST:PORT`);
  if (!text.startsWith('udp:')) throw bad('no udp: prefix');
  const rest = text.slice(4);
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(rest) ?? /^([^:[\]]+):(\d+)$/.exec(rest);
  if (m === null || m[1] === undefined || m[2] === undefined) throw bad('no HOST:PORT');
  return { host: m[1], port: parsePort(m[2], bad) };
}

/**
 * Parses `udp:HOST:PORT[,enrp=PORT][,local=udp:HOST:PORT]` (IPv6 as `udp:[V6]:PORT`). `enrp` is the
 * UDP port of the ENRP endpoint; `local` the socket accepting associations the registrar opens.
 * Throws {@link NetworkTargetError} with {@link BAD_TARGET_SPEC}.
 */
export function parseTargetSpec(spec: string): TargetSpec {
  const bad = (why: string): Error => new NetworkTargetError(NETWORK_TARGET_ERR.badSpec, `${why} in ${JSON.stringify(spec)}; expected ${SPEC_FORMAT}`);
  const [main, ...extras] = spec.split(',');
  if (main === undefined || !main.startsWith('udp:')) throw bad('no udp: prefix');
  let registrar: UdpAddress;
  try {
    registrar = parseUdpAddress(main, 'target');
  } catch {
    throw bad('no HOST:PORT');
  }
  let enrpPort: number | undefined;
  let listen: UdpAddress | undefined;
  for (const e of extras) {
    const kv = /^(enrp|local)=(.*)$/.exec(e.trim());
    if (kv === null || kv[2] === undefined) throw bad(`unknown option ${JSON.stringify(e)}`);
    if (kv[1] === 'enrp') enrpPort = parsePort(kv[2], bad);
    else {
      try {
        listen = parseUdpAddress(kv[2], 'local');
      } catch (err) {
        throw bad(err instanceof Error ? err.message : String(err));
      }
    }
  }
  return { host: registrar.host, asapPort: registrar.port, ...(enrpPort !== undefined ? { enrpPort } : {}), ...(listen !== undefined ? { listen } : {}) };
}

function ipAddress(text: string): Address {
  return text.includes(':') ? { family: 'ipv6', address: text } : { family: 'ipv4', address: text };
}

function udpText(a: UdpAddress): string {
  return `udp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

function decodeAs(bytes: Uint8Array, protocol: 'asap' | 'enrp'): Message | undefined {
  try {
    return decode(bytes, { protocol, mode: 'lenient', profile: 'auto' }).value;
  } catch {
    return undefined;
  }
}

/** One association of a driver endpoint: the one it opened, or one the registrar opened to it. */
interface Link {
  readonly id: number;
  readonly sctp: Association;
  readonly channel: 'association' | 'incoming';
  readonly protocol: 'asap' | 'enrp';
}

class NetworkEndpoint implements Endpoint {
  readonly inbox: Received[] = [];
  private waiter: (() => void) | undefined;
  /** Every association of this endpoint by ID (outbound and inbound). */
  readonly links = new Map<number, Link>();
  association: number | undefined;
  private ended = false;

  constructor(
    private readonly target: NetworkTarget,
    /** Undefined for passive endpoints (they only accept). */
    readonly transport: UdpSctpTransport | undefined,
    readonly name: string,
    readonly role: Role,
    readonly addresses: readonly Address[],
    readonly port: number,
    readonly serverId: number | undefined,
    readonly onMessage: OpenOptions['onMessage'],
  ) {}

  /** The main association's SCTP state. */
  get main(): Link | undefined {
    return this.association === undefined ? undefined : this.links.get(this.association);
  }
  get closed(): boolean {
    const m = this.main;
    return this.ended || m === undefined || m.sctp.state === 'closed';
  }
  now(): number {
    return this.target.now();
  }
  send(message: Message, on?: number): void {
    this.sendRaw(encode(message), message.protocol === 'asap' ? PPID.asap : PPID.enrp, on);
  }
  sendRaw(bytes: Uint8Array, ppid?: number, on?: number): void {
    const id = on ?? this.association ?? 0;
    const link = this.links.get(id);
    const protocol = link?.protocol ?? (this.role === 'peer' ? 'enrp' : 'asap');
    const p = ppid ?? (protocol === 'enrp' ? PPID.enrp : PPID.asap);
    const usable = link !== undefined && link.sctp.state !== 'closed' && !(id === this.association && this.ended);
    if (!usable) {
      this.target.record('event', this, link?.channel ?? 'association', id, p, bytes, `not sent, association closed: ${describeBytes(bytes, protocol)}`);
      return;
    }
    this.target.record('toTarget', this, link.channel, id, p, bytes, describeBytes(bytes, protocol), undefined, link.sctp);
    try {
      link.sctp.send(0, p, bytes);
    } catch (e) {
      this.target.record('event', this, link.channel, id, p, bytes, `send failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  receive(withinMs: number): Promise<Received | undefined> {
    const first = this.inbox.shift();
    if (first !== undefined || withinMs <= 0 || this.target.interrupted !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(this.inbox.shift());
      }, Math.ceil(withinMs * this.target.scale));
      this.waiter = () => {
        const r = this.inbox.shift();
        if (r === undefined && this.target.interrupted === undefined) return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(r);
      };
    });
  }
  /** Ends a pending receive (the target was interrupted). */
  wake(): void {
    this.waiter?.();
  }
  /** A message from the target. */
  deliver(r: Received): void {
    if (this.onMessage !== undefined && this.onMessage(r, this)) return;
    this.inbox.push(r);
    this.waiter?.();
  }
  close(): void {
    const m = this.main;
    if (this.closed || m === undefined) return;
    this.ended = true;
    this.target.record('event', this, m.channel, m.id, 0, new Uint8Array(0), `association ${m.id} closed by driver`, 'closedByDriver', m.sctp);
    m.sctp.shutdown();
  }
  abort(): void {
    const m = this.main;
    if (this.closed || m === undefined) return;
    this.ended = true;
    this.target.record('event', this, m.channel, m.id, 0, new Uint8Array(0), `association ${m.id} aborted by driver`, 'abortedByDriver', m.sctp);
    m.sctp.abort('aborted by driver');
  }
  /** An association went down without us asking. */
  lost(link: Link, reason: string, aborted: boolean): void {
    if (link.id === this.association) {
      if (this.ended) return;
      this.ended = true;
    }
    this.target.record('event', this, link.channel, link.id, 0, new Uint8Array(0), `association ${link.id} ${aborted ? 'ABORTed by the target' : 'shut down by the target'}: ${reason}`, 'abortedByTarget', link.sctp);
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
  private portCounter = 0;
  private readonly remoteAddress: Address;
  private listener: UdpSctpTransport | undefined;
  private listenerOpening: Promise<UdpSctpTransport> | undefined;
  private interruptedBy: string | undefined;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: NetworkTargetOptions) {
    this.scale = options.timeoutScale ?? 1;
    this.remoteAddress = ipAddress(options.host);
  }

  /** What this target can offer, from its options alone (the runner SKIPs cases needing more). */
  capabilities(): TargetCapabilities {
    const roles: Role[] = this.options.enrpPort !== undefined ? ['pe', 'pu', 'peer'] : ['pe', 'pu'];
    return { roles, virtualTime: false, multicastListen: false, multicastSend: false, acceptsIncoming: this.options.listen !== undefined };
  }

  describe(): TargetDescription {
    const o = this.options;
    const name = `udp:${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.asapPort}${o.enrpPort !== undefined ? `,enrp=${o.enrpPort}` : ''}${o.listen !== undefined ? `,local=${udpText(o.listen)}` : ''}`;
    return { name: o.name ?? name, config: o.config ?? {}, capabilities: this.capabilities(), timingToleranceMs: o.timingToleranceMs ?? DEFAULT_TIMING_TOLERANCE_MS };
  }

  now(): number {
    return Math.round(performance.now() - this.epoch);
  }

  /** The next SCTP port of the driver (reproducible; skips ports of live endpoints). */
  private nextPort(): number {
    const first = this.options.firstSctpPort ?? 40000;
    const span = Math.max(1, Math.min(16384, 65536 - first));
    for (;;) {
      const p = first + (this.portCounter++ % span);
      if (!this.endpoints.some((e) => e.port === p)) return p;
    }
  }

  /** What an endpoint advertises as its addresses: configured ones (NAT), else its socket's. */
  private advertised(role: Role, socketAddress: string | undefined): Address[] {
    const configured = role === 'peer' ? (this.options.peerAddresses ?? this.options.peAddresses) : this.options.peAddresses;
    if (configured !== undefined && configured.length > 0) return configured.map(ipAddress);
    return [ipAddress(socketAddress ?? this.options.listen?.host ?? (this.options.host.includes(':') ? '::1' : '127.0.0.1'))];
  }

  async open(role: Role, options: OpenOptions = {}): Promise<Endpoint> {
    if (this.interrupted !== undefined) throw new NetworkTargetError(NETWORK_TARGET_ERR.interrupted, `not opening a ${role} endpoint: ${this.interrupted}`);
    if (role === 'peer' && this.options.enrpPort === undefined) throw new CaseSkip(`${this.describe().name} has no ENRP port (udp:HOST:PORT,enrp=PORT), so no peer role`);
    const n = ++this.endpointCount;
    const port = this.nextPort();
    const protocol = role === 'peer' ? 'enrp' : 'asap';
    const name = options.name ?? `${role}${n}`;
    if (this.options.listen !== undefined) {
      const listener = await this.openListener();
      // Listen before anything is sent: the registrar may open its association at once.
      listener.endpoint.listen(port);
    } else if (options.passive === true) {
      throw new CaseSkip(`a passive ${role} needs associations opened by the registrar, which ${this.describe().name} does not accept (no local=udp:HOST:PORT)`);
    }
    if (options.passive === true) {
      const ep = new NetworkEndpoint(this, undefined, name, role, options.addresses ?? this.advertised(role, undefined), port, options.serverId, options.onMessage);
      this.endpoints.push(ep);
      return ep;
    }
    const localHost = this.options.localHost ?? (this.options.host.includes(':') ? '::1' : '127.0.0.1');
    let transport: UdpSctpTransport;
    try {
      transport = await UdpSctpTransport.open({ host: localHost, port: 0 });
    } catch (e) {
      this.listener?.endpoint.unlisten(port);
      throw e;
    }
    const ep = new NetworkEndpoint(this, transport, name, role, options.addresses ?? this.advertised(role, transport.local.address), port, options.serverId, options.onMessage);
    this.endpoints.push(ep);
    const udpPort = role === 'peer' ? this.options.enrpPort! : this.options.asapPort;
    const id = this.nextAssociation++;
    let a: Association;
    try {
      a = transport.endpoint.connect({ address: this.options.host, udpPort, sctpPort: protocol === 'enrp' ? PORT.enrp : PORT.asap, localPort: port });
    } catch (e) {
      await transport.close();
      throw e;
    }
    const link: Link = { id, sctp: a, channel: 'association', protocol };
    ep.links.set(id, link);
    ep.association = id;
    this.attach(ep, link);
    const waitMs = Math.ceil((this.options.connectTimeoutMs ?? 5000) * this.scale);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NetworkTargetError(NETWORK_TARGET_ERR.connect, `no association to udp:${this.options.host}:${udpPort} within ${waitMs} ms`)), waitMs);
      a.once('up', () => {
        clearTimeout(timer);
        resolve();
      });
      a.once('down', (d) => {
        clearTimeout(timer);
        reject(new NetworkTargetError(NETWORK_TARGET_ERR.connect, `association to udp:${this.options.host}:${udpPort} failed (${d.reason}${d.detail ? `: ${d.detail}` : ''})`));
      });
    });
    this.record('event', ep, 'association', id, 0, new Uint8Array(0), `${protocol} association ${id} up (udp ${transport.local.address}:${transport.local.port} → ${this.options.host}:${udpPort})`, 'up', a);
    return ep;
  }

  /** Routes an association's messages and its end to the endpoint. */
  private attach(ep: NetworkEndpoint, link: Link): void {
    link.sctp.on('message', (m) => {
      const p: 'asap' | 'enrp' = m.ppid === PPID.enrp ? 'enrp' : m.ppid === PPID.asap ? 'asap' : link.protocol;
      this.record('fromTarget', ep, link.channel, link.id, m.ppid, m.bytes, describeBytes(m.bytes, p), undefined, link.sctp);
      const decoded = decodeAs(m.bytes, p);
      if (decoded === undefined) return; // a driver cannot read it either; the trace shows it
      ep.deliver({ message: decoded, bytes: m.bytes, ppid: m.ppid, channel: link.channel, association: link.id, at: this.now() });
    });
    link.sctp.on('down', (d) => ep.lost(link, `${d.reason}${d.detail ? `: ${d.detail}` : ''}`, d.reason !== 'shutdown'));
  }

  /** Where inbound associations are accepted once the socket is bound (its real port when `listen.port` was 0). */
  listening(): UdpAddress | undefined {
    return this.listener === undefined ? undefined : { host: this.listener.local.address, port: this.listener.local.port };
  }

  /** Binds the socket for inbound associations now (it is bound on first use otherwise). */
  async startListening(): Promise<UdpAddress> {
    const l = await this.openListener();
    return { host: l.local.address, port: l.local.port };
  }

  /** The socket for inbound associations, bound once per target. */
  private openListener(): Promise<UdpSctpTransport> {
    if (this.listener !== undefined) return Promise.resolve(this.listener);
    const where = this.options.listen;
    if (where === undefined) return Promise.reject(new NetworkTargetError(NETWORK_TARGET_ERR.listen, 'no local=udp:HOST:PORT configured'));
    this.listenerOpening ??= UdpSctpTransport.open({ host: where.host, port: where.port }).then(
      (t) => {
        this.listener = t;
        t.endpoint.on('up', (a) => this.accepted(a));
        return t;
      },
      (e: unknown) => {
        this.listenerOpening = undefined;
        throw new NetworkTargetError(NETWORK_TARGET_ERR.listen, `cannot accept associations on ${udpText(where)}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return this.listenerOpening;
  }

  /**
   * An association the registrar opened (T-6): it belongs to the live endpoint whose SCTP port it
   * was opened to. The protocol follows the registrar's source port (its ENRP port 9901, else ASAP).
   */
  private accepted(a: Association): void {
    const ep = this.endpoints.find((e) => e.port === a.localPort);
    if (ep === undefined) {
      // Only ports of live endpoints are listened on, so this is a race with the end of a case.
      a.abort('no driver endpoint on this port');
      return;
    }
    const protocol = a.remotePort === PORT.enrp ? 'enrp' : a.remotePort === PORT.asap ? 'asap' : ep.role === 'peer' ? 'enrp' : 'asap';
    const link: Link = { id: this.nextAssociation++, sctp: a, channel: 'incoming', protocol };
    ep.links.set(link.id, link);
    // A passive endpoint's first inbound association becomes its main one (as in-process).
    if (ep.association === undefined) ep.association = link.id;
    this.record('event', ep, 'incoming', link.id, 0, new Uint8Array(0), `${protocol} association ${link.id} opened by the target (udp ${a.remote.address}:${a.remote.port}, SCTP ${a.remotePort} → ${a.localPort})`, 'up', a);
    this.attach(ep, link);
  }

  sleep(ms: number): Promise<void> {
    if (this.interrupted !== undefined) return Promise.resolve();
    const settle = Math.ceil((this.options.settleMs ?? 0) * this.scale);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms, settle));
      this.sleepers.add(done);
    });
  }

  /** Why the current case was interrupted ({@link interrupt}), until the case ends. */
  get interrupted(): string | undefined {
    return this.interruptedBy;
  }

  /** See {@link Target.interrupt}: the registrar is gone, so the case stops waiting for it. */
  interrupt(reason: string): void {
    this.interruptedBy = reason;
    for (const ep of this.endpoints) ep.wake();
    for (const s of [...this.sleepers]) s();
  }

  async multicast(_message: Message, _from: Endpoint): Promise<void> {
    throw new CaseSkip(`${this.describe().name} cannot multicast to the registrar (multicastSend is false)`);
  }

  async receiveMulticast(_withinMs: number): Promise<Received | undefined> {
    throw new CaseSkip(`${this.describe().name} does not see the registrar's multicast announces (multicastListen is false)`);
  }

  async beginCase(_caseId: string): Promise<void> {
    await this.closeEndpoints();
    this.trace = [];
    this.interruptedBy = undefined;
  }

  async endCase(): Promise<readonly TraceEntry[]> {
    await this.closeEndpoints();
    const t = this.trace;
    this.trace = [];
    // The sanity exchange after a case runs outside any case: it must reach the target again.
    this.interruptedBy = undefined;
    return t;
  }

  async dispose(): Promise<void> {
    await this.endCase();
    const l = this.listener;
    this.listener = undefined;
    this.listenerOpening = undefined;
    await l?.close({ graceful: true, timeoutMs: Math.ceil(1000 * this.scale) }).catch(() => undefined);
  }

  /**
   * Orderly shutdown of every endpoint's associations (bounded; what is left is aborted), then the
   * sockets go. Inbound ones share the listener socket, which stays; their ports stop listening.
   */
  private async closeEndpoints(): Promise<void> {
    const eps = this.endpoints;
    this.endpoints = [];
    const waitMs = Math.ceil(1000 * this.scale);
    const inbound: Association[] = [];
    for (const ep of eps) {
      ep.close();
      this.listener?.endpoint.unlisten(ep.port);
      for (const l of ep.links.values()) if (l.channel === 'incoming' && l.sctp.state !== 'closed') inbound.push(l.sctp);
    }
    const inboundDone = Promise.all(
      inbound.map(
        (a) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              if (a.state !== 'closed') a.abort('driver endpoint closed');
              resolve();
            }, waitMs);
            a.once('down', () => {
              clearTimeout(timer);
              resolve();
            });
            a.shutdown();
          }),
      ),
    );
    await Promise.all([
      inboundDone,
      ...eps.map((ep) => ep.transport?.close({ graceful: true, timeoutMs: waitMs }).catch(() => undefined)),
    ]);
  }

  /** Appends to the case's trace; `sctp` gives the association's real ports and peer. */
  record(
    direction: TraceEntry['direction'],
    ep: NetworkEndpoint,
    channel: Channel,
    association: number,
    ppid: number,
    bytes: Uint8Array,
    text: string,
    associationEvent?: TraceEntry['associationEvent'],
    sctp?: Association,
  ): void {
    const enrp = ep.role === 'peer';
    const local = { address: ep.addresses[0] ?? ipAddress(ep.transport?.local.address ?? '127.0.0.1'), port: ep.port };
    const remote = sctp !== undefined && channel === 'incoming' ? { address: this.remoteAddress, port: sctp.remotePort } : { address: this.remoteAddress, port: enrp ? PORT.enrp : PORT.asap };
    this.trace.push({
      at: this.now(),
      direction,
      endpoint: ep.name,
      channel,
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
