/**
 * The in-process target: the sans-IO reference registrar driven with a virtual clock, so timer
 * cases (keep-alive timeouts, lifetime expiry, takeover) run in milliseconds. Messages are still
 * encoded to octets and decoded again in both directions, as they would be on the wire.
 */
import { PPID, decode, encode, type Address, type Message } from '../../codecs/index.js';
import { Registrar, defaultConfig, type RegistrarAction, type RegistrarConfig, type RegistrarEvent } from '../registrar/index.js';
import { describeBytes } from './describe.js';
import type { Endpoint, OpenOptions, Received, Role, Target, TargetConfig, TargetDescription, TraceEntry } from './target.js';

/** What the in-process target needs of a registrar: the sans-IO surface (variants wrap it). */
export interface RegistrarLike {
  start(): RegistrarAction[];
  handle(event: RegistrarEvent): RegistrarAction[];
}

/** Builds the registrar of one case. */
export type RegistrarFactory = (config: RegistrarConfig, clock: () => number) => RegistrarLike;

/** Options of {@link InProcessTarget}. */
export interface InProcessOptions {
  /** Overrides of the RFC-profile configuration (server ID 0x5E5E0001 unless given). */
  readonly config?: Partial<RegistrarConfig>;
  /** Registrar construction (default: the reference registrar). */
  readonly factory?: RegistrarFactory;
  /** Fresh registrar for every case (default true). */
  readonly isolate?: boolean;
  /** Name in reports. */
  readonly name?: string;
}

const DEFAULT_SERVER_ID = 0x5e5e0001;
/** The registrar's own address as the driver sees it (documentation range, RFC 5737). */
const TARGET_ADDRESS: Address = { family: 'ipv4', address: '192.0.2.1' };

interface AssociationRecord {
  readonly id: number;
  readonly endpoint: InProcessEndpoint;
  readonly protocol: 'asap' | 'enrp';
  readonly channel: 'association' | 'incoming';
  open: boolean;
}

class InProcessEndpoint implements Endpoint {
  readonly inbox: Received[] = [];
  association: number | undefined;
  readonly associations: number[] = [];
  constructor(
    private readonly target: InProcessTarget,
    readonly name: string,
    readonly role: Role,
    readonly addresses: readonly Address[],
    readonly port: number,
    readonly serverId: number | undefined,
    readonly onMessage: OpenOptions['onMessage'],
  ) {}

  get closed(): boolean {
    return this.association === undefined || !this.target.isOpen(this.association);
  }
  now(): number {
    return this.target.now();
  }
  send(message: Message, on?: number): void {
    this.target.fromEndpoint(this, encode(message), message.protocol === 'asap' ? PPID.asap : PPID.enrp, on);
  }
  sendRaw(bytes: Uint8Array, ppid?: number, on?: number): void {
    this.target.fromEndpoint(this, bytes, ppid ?? (this.role === 'peer' ? PPID.enrp : PPID.asap), on);
  }
  receive(withinMs: number): Promise<Received | undefined> {
    return Promise.resolve(this.target.waitFor(this.inbox, withinMs));
  }
  close(): void {
    for (const a of this.associations) this.target.closeAssociation(a, 'closed by driver');
  }
  abort(): void {
    for (const a of this.associations) this.target.closeAssociation(a, 'aborted by driver');
  }
}

/** The reference registrar (or a variant) in-process, on a virtual clock. */
export class InProcessTarget implements Target {
  private registrar!: RegistrarLike;
  private clock = 0;
  private nextTimer = Number.POSITIVE_INFINITY;
  private nextAssociation = 1;
  private endpointCount = 0;
  private readonly associations = new Map<number, AssociationRecord>();
  private endpoints: InProcessEndpoint[] = [];
  private readonly multicastInbox: Received[] = [];
  private trace: TraceEntry[] = [];
  private readonly events: RegistrarEvent[] = [];
  private pumping = false;
  private readonly config: RegistrarConfig;
  private readonly factory: RegistrarFactory;

  constructor(private readonly options: InProcessOptions = {}) {
    // The default ENRP transport has no address, which makes its Server Information undecodable:
    // give the registrar the address the driver sees it at.
    const enrpTransport = { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [TARGET_ADDRESS] } as const;
    this.config = defaultConfig(options.config?.serverId ?? DEFAULT_SERVER_ID, { enrpTransport, ...options.config });
    this.factory = options.factory ?? ((c, clock) => new Registrar(c, clock));
    this.fresh();
  }

  describe(): TargetDescription {
    const c = this.config;
    return {
      name: this.options.name ?? 'in-process',
      config: describeConfig(c),
      capabilities: { roles: ['pe', 'pu', 'peer'], virtualTime: true, multicastListen: true, multicastSend: true, acceptsIncoming: true },
    };
  }

  now(): number {
    return this.clock;
  }

  /** Whether an association is still open. */
  isOpen(association: number): boolean {
    return this.associations.get(association)?.open ?? false;
  }

  async open(role: Role, options: OpenOptions = {}): Promise<Endpoint> {
    const n = ++this.endpointCount;
    // Site-local addresses, one per endpoint, so REG-8 address checks see distinct PEs.
    const addresses = options.addresses ?? [{ family: 'ipv4', address: `10.${role === 'peer' ? 2 : 1}.${n >> 8}.${n & 0xff}` } as const];
    const ep = new InProcessEndpoint(this, options.name ?? `${role}${n}`, role, addresses, 40000 + n, options.serverId, options.onMessage);
    this.endpoints.push(ep);
    if (options.passive !== true) ep.association = this.connect(ep, role === 'peer' ? 'enrp' : 'asap', 'association');
    return ep;
  }

  async sleep(ms: number): Promise<void> {
    this.advanceTo(this.clock + Math.max(0, ms));
  }

  async multicast(message: Message, from: Endpoint): Promise<void> {
    const bytes = encode(message);
    const source = from.addresses[0] ?? { family: 'ipv4', address: '10.9.9.9' };
    this.record('toTarget', from.name, 'udp', 0, PPID.enrp, bytes, describeBytes(bytes, 'enrp'));
    this.events.push({ kind: 'announce', source, message: bytes });
    this.pump();
  }

  receiveMulticast(withinMs: number): Promise<Received | undefined> {
    return Promise.resolve(this.waitFor(this.multicastInbox, withinMs));
  }

  async beginCase(_caseId: string): Promise<void> {
    if (this.options.isolate !== false) this.fresh();
    this.trace = [];
    this.multicastInbox.length = 0;
  }

  async endCase(): Promise<readonly TraceEntry[]> {
    for (const ep of this.endpoints) ep.close();
    this.endpoints = [];
    const t = this.trace;
    this.trace = [];
    return t;
  }

  async dispose(): Promise<void> {
    await this.endCase();
  }

  /** A new registrar past its ENRP start-up phase, as a long-running one would be (ST-2). */
  private fresh(): void {
    this.clock = 0;
    this.nextTimer = Number.POSITIVE_INFINITY;
    this.associations.clear();
    this.endpoints = [];
    this.events.length = 0;
    this.registrar = this.factory(this.config, () => this.clock);
    this.apply(this.registrar.start());
    this.advanceTo(this.config.mentorDiscoveryTimeout + 1);
    this.multicastInbox.length = 0;
  }

  private connect(ep: InProcessEndpoint, protocol: 'asap' | 'enrp', channel: 'association' | 'incoming'): number {
    const id = this.nextAssociation++;
    this.associations.set(id, { id, endpoint: ep, protocol, channel, open: true });
    ep.associations.push(id);
    this.record('event', ep.name, channel, id, 0, new Uint8Array(0), `${protocol} association ${id} up (${channel})`, 'up');
    this.events.push({ kind: 'associationUp', association: id, protocol, peerAddresses: ep.addresses, peerPort: ep.port });
    this.pump();
    return id;
  }

  /** Driver → registrar. */
  fromEndpoint(ep: InProcessEndpoint, bytes: Uint8Array, ppid: number, on?: number): void {
    const association = on ?? ep.association;
    const a = association === undefined ? undefined : this.associations.get(association);
    const protocol = a?.protocol ?? (ep.role === 'peer' ? 'enrp' : 'asap');
    if (a === undefined || !a.open) {
      this.record('event', ep.name, 'association', association ?? 0, ppid, bytes, `not sent, association closed: ${describeBytes(bytes, protocol)}`);
      return;
    }
    this.record('toTarget', ep.name, a.channel, a.id, ppid, bytes, describeBytes(bytes, protocol));
    this.events.push(protocol === 'asap' ? { kind: 'asap', association: a.id, message: bytes, ppid } : { kind: 'enrp', association: a.id, message: bytes, ppid });
    this.pump();
  }

  closeAssociation(association: number, why: string): void {
    const a = this.associations.get(association);
    if (a === undefined || !a.open) return;
    a.open = false;
    this.record('event', a.endpoint.name, a.channel, association, 0, new Uint8Array(0), `association ${association} ${why}`, why.startsWith('aborted') ? 'abortedByDriver' : 'closedByDriver');
    this.events.push({ kind: 'associationDown', association });
    this.pump();
  }

  /** Shifts the next item of `inbox`, letting target time run up to `withinMs` for it. */
  waitFor(inbox: Received[], withinMs: number): Received | undefined {
    const deadline = this.clock + Math.max(0, withinMs);
    for (;;) {
      const r = inbox.shift();
      if (r !== undefined) return r;
      if (this.nextTimer > deadline) {
        this.clock = deadline;
        return undefined;
      }
      this.fireTimer();
    }
  }

  private advanceTo(deadline: number): void {
    while (this.nextTimer <= deadline) this.fireTimer();
    this.clock = Math.max(this.clock, deadline);
  }

  private fireTimer(): void {
    this.clock = Math.max(this.clock, this.nextTimer);
    // The registrar only announces a changed due time; a stale one just gives a harmless extra event.
    this.nextTimer = Number.POSITIVE_INFINITY;
    this.events.push({ kind: 'time' });
    this.pump();
  }

  /** Feeds queued events to the registrar; handlers that answer enqueue more. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let e = this.events.shift(); e !== undefined; e = this.events.shift()) this.apply(this.registrar.handle(e));
    } finally {
      this.pumping = false;
    }
  }

  private apply(actions: readonly RegistrarAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'timer':
          this.nextTimer = a.at;
          break;
        case 'send': {
          const rec = this.associations.get(a.association);
          if (rec !== undefined && rec.open) this.deliver(rec, a.message);
          break;
        }
        case 'sendPeer': {
          const ep = this.endpoints.find((e) => e.role === 'peer' && e.serverId === a.peerId);
          if (ep === undefined) {
            const bytes = encode(a.message);
            this.record('event', `peer ${a.peerId}`, 'incoming', 0, PPID.enrp, bytes, `undeliverable (no such driver peer): ${describeBytes(bytes, 'enrp')}`);
            break;
          }
          let assoc = ep.associations.map((id) => this.associations.get(id)).find((r) => r !== undefined && r.open && r.protocol === 'enrp');
          if (assoc === undefined) {
            const id = this.connect(ep, 'enrp', 'incoming');
            if (ep.association === undefined) ep.association = id;
            assoc = this.associations.get(id);
          }
          if (assoc !== undefined) this.deliver(assoc, a.message);
          break;
        }
        case 'sendEndpoint': {
          const t = a.transport;
          const ep = this.endpoints.find(
            (e) => e.role === 'pe' && e.port === t.port && e.addresses.some((x) => t.addresses.some((y) => y.address === x.address)),
          );
          if (ep === undefined) {
            const bytes = encode(a.message);
            this.record('event', `endpoint :${t.port}`, 'incoming', 0, PPID.asap, bytes, `undeliverable (no such driver PE): ${describeBytes(bytes, 'asap')}`);
            break;
          }
          const id = this.connect(ep, 'asap', 'incoming');
          const rec = this.associations.get(id);
          if (rec !== undefined) this.deliver(rec, a.message);
          break;
        }
        case 'multicast': {
          const bytes = encode(a.message);
          this.record('fromTarget', 'multicast', 'multicast', 0, a.message.protocol === 'asap' ? PPID.asap : PPID.enrp, bytes, describeBytes(bytes, a.message.protocol));
          const decoded = decodeAs(bytes, a.message.protocol);
          if (decoded !== undefined) this.multicastInbox.push({ message: decoded, bytes, ppid: 0, channel: 'multicast', association: 0, at: this.clock });
          break;
        }
        case 'abort': {
          const rec = this.associations.get(a.association);
          if (rec !== undefined && rec.open) {
            rec.open = false;
            this.record('event', rec.endpoint.name, rec.channel, rec.id, 0, new Uint8Array(0), `association ${rec.id} ABORTed by the target: ${a.reason}`, 'abortedByTarget');
          }
          break;
        }
        case 'log':
          break;
      }
    }
  }

  private deliver(rec: AssociationRecord, message: Message): void {
    const bytes = encode(message);
    const ppid = message.protocol === 'asap' ? PPID.asap : PPID.enrp;
    this.record('fromTarget', rec.endpoint.name, rec.channel, rec.id, ppid, bytes, describeBytes(bytes, message.protocol));
    const decoded = decodeAs(bytes, message.protocol);
    if (decoded === undefined) return; // a driver cannot read it either; the trace shows it
    const r: Received = { message: decoded, bytes, ppid, channel: rec.channel, association: rec.id, at: this.clock };
    const ep = rec.endpoint;
    if (ep.onMessage !== undefined && ep.onMessage(r, ep)) return;
    ep.inbox.push(r);
  }

  private record(
    direction: TraceEntry['direction'],
    endpoint: string,
    channel: TraceEntry['channel'],
    association: number,
    ppid: number,
    bytes: Uint8Array,
    text: string,
    associationEvent?: TraceEntry['associationEvent'],
  ): void {
    const ep = this.endpoints.find((e) => e.name === endpoint);
    const local = ep !== undefined && ep.addresses[0] !== undefined ? { address: ep.addresses[0], port: ep.port } : undefined;
    // Event entries carry no PPID, so the association's protocol picks the port (an ENRP association's "up" is on 9901).
    const protocol = this.associations.get(association)?.protocol ?? (ppid === PPID.enrp ? 'enrp' : 'asap');
    const remote = { address: TARGET_ADDRESS, port: protocol === 'enrp' ? 9901 : 3863 };
    this.trace.push({
      at: this.clock,
      direction,
      endpoint,
      channel,
      association,
      ppid,
      bytes,
      text,
      ...(local ? { local } : {}),
      remote,
      ...(associationEvent !== undefined ? { associationEvent } : {}),
    });
  }
}

function decodeAs(bytes: Uint8Array, protocol: 'asap' | 'enrp'): Message | undefined {
  try {
    return decode(bytes, { protocol, mode: 'lenient', profile: 'auto' }).value;
  } catch {
    return undefined;
  }
}

/** What the cases are told about the registrar (the {@link TargetConfig} view of its tunables). */
export function describeConfig(c: RegistrarConfig): TargetConfig {
  return {
    serverId: c.serverId,
    maxBadPeReports: c.maxBadPeReports,
    maxHandleResolutionItems: c.maxHandleResolutionItems,
    keepAliveTransmissionInterval: c.keepAliveTransmissionInterval,
    keepAliveTimeoutInterval: c.keepAliveTimeoutInterval,
    serverAnnounceCycle: c.serverAnnounceCycle,
    asapAnnounce: c.asapAnnounce,
    peerHeartbeatCycle: c.peerHeartbeatCycle,
    peerMaxTimeLastHeard: c.peerMaxTimeLastHeard,
    peerMaxTimeNoResponse: c.peerMaxTimeNoResponse,
    takeoverExpiryInterval: c.takeoverExpiryInterval,
    maxElementsPerHandleTableResponse: c.maxElementsPerHandleTableResponse,
    maxPoolHandleSize: c.maxPoolHandleSize,
    ...(Number.isFinite(c.maxPoolElementsPerPool) ? { maxPoolElementsPerPool: c.maxPoolElementsPerPool } : {}),
  };
}
