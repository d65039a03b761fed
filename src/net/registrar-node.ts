/**
 * The reference registrar ({@link Registrar}) on the network: ASAP (and optionally ENRP) over the
 * userland SCTP stack on UDP sockets. This module only carries events in and actions out.
 *
 * ASAP and ENRP may share one UDP socket (`enrp` equal to `asap`): SCTP over UDP (RFC 6951) has
 * one encapsulation port per host, so a peer behind a NAT (the lab's slirp) reaches every SCTP
 * port of ours through that one UDP port. The SCTP ports then tell the protocols apart.
 */
import { performance } from 'node:perf_hooks';
import { encode, PPID, PORT, type Message } from '../../codecs/index.js';
import { Registrar, type RegistrarAction, type RegistrarConfig } from '../registrar/index.js';
import { UdpSctpTransport, type Association, type AssociationOptions, type RemoteAddress } from '../transport/sctp/index.js';
import { ipAddress, type UdpEndpointAddress } from './address.js';
import type { NetLogger } from './log.js';

/** How to run the networked registrar. */
export interface RegistrarNodeOptions {
  readonly config: RegistrarConfig;
  /** UDP socket of the ASAP endpoint (SCTP port 3863 inside). */
  readonly asap: UdpEndpointAddress;
  /** UDP socket of the ENRP endpoint (SCTP port 9901 inside); none: no ENRP. */
  readonly enrp?: UdpEndpointAddress;
  /** Where peer registrars are, by server ID (for ENRP messages the registrar addresses to them). */
  readonly peers?: ReadonlyMap<number, UdpEndpointAddress>;
  readonly log: NetLogger;
  readonly association?: Partial<AssociationOptions>;
  /** Sees every UDP datagram of the registrar's sockets (e.g. {@link import('./pcap-tap.js').PcapTap}). */
  readonly tap?: DatagramTap;
}

/** One UDP datagram (an encapsulated SCTP packet) in or out of a registrar socket. */
export type DatagramTap = (direction: 'in' | 'out', bytes: Uint8Array, local: RemoteAddress, remote: RemoteAddress) => void;

/** Whether two endpoints are the same socket (an ephemeral port 0 never is). */
export function sameUdpEndpoint(a: UdpEndpointAddress, b: UdpEndpointAddress): boolean {
  return a.port !== 0 && a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}

/**
 * Which protocol an association of a shared ASAP + ENRP socket carries: the SCTP port it was
 * accepted on, or, for associations we opened (towards peers: an ephemeral local port), the
 * remote port.
 */
export function protocolOf(localPort: number, remotePort: number): 'asap' | 'enrp' {
  if (localPort === PORT.asap) return 'asap';
  if (localPort === PORT.enrp) return 'enrp';
  return remotePort === PORT.enrp ? 'enrp' : 'asap';
}

/** The Sending Server ID of an ENRP message (common header: type, flags, length, then the ID), if long enough. */
function enrpSenderId(bytes: Uint8Array): number | undefined {
  if (bytes.length < 12) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
}

/** A running registrar; stop it with {@link RegistrarNode.stop}. */
export class RegistrarNode {
  private timer: NodeJS.Timeout | undefined;
  private readonly peerAssociations = new Map<number, Association>();
  private stopped = false;

  private constructor(
    readonly registrar: Registrar,
    readonly asap: UdpSctpTransport,
    readonly enrp: UdpSctpTransport | undefined,
    private readonly options: RegistrarNodeOptions,
    private readonly clock: () => number,
  ) {}

  /** Binds the sockets and starts the registrar. With `enrp` equal to `asap` one socket serves both. */
  static async start(options: RegistrarNodeOptions): Promise<RegistrarNode> {
    const clock = (): number => performance.now();
    const asap = await UdpSctpTransport.open({ host: options.asap.host, port: options.asap.port, clock, association: options.association });
    const shared = options.enrp !== undefined && sameUdpEndpoint(options.asap, options.enrp);
    let enrp: UdpSctpTransport | undefined;
    try {
      if (shared) enrp = asap;
      else if (options.enrp !== undefined) enrp = await UdpSctpTransport.open({ host: options.enrp.host, port: options.enrp.port, clock, association: options.association });
    } catch (e) {
      await asap.close();
      throw e;
    }
    const node = new RegistrarNode(new Registrar(options.config, clock), asap, enrp, options, clock);
    if (options.tap !== undefined) {
      tapTransport(asap, options.tap);
      if (enrp !== undefined && !shared) tapTransport(enrp, options.tap);
    }
    if (shared) node.wire(asap, (a) => protocolOf(a.localPort, a.remotePort));
    else {
      node.wire(asap, () => 'asap');
      if (enrp !== undefined) node.wire(enrp, () => 'enrp');
    }
    asap.endpoint.listen(PORT.asap);
    enrp?.endpoint.listen(PORT.enrp);
    options.log({ level: 'info', event: 'registrarStarted', detail: { serverId: options.config.serverId, asap: `udp:${asap.local.address}:${asap.local.port}`, ...(enrp ? { enrp: `udp:${enrp.local.address}:${enrp.local.port}` } : {}) } });
    node.run(node.registrar.start());
    return node;
  }

  private wire(t: UdpSctpTransport, protocolFor: (a: Association) => 'asap' | 'enrp'): void {
    const ep = t.endpoint;
    const up = (a: Association): void => {
      const protocol = protocolFor(a);
      this.options.log({ level: 'debug', event: 'associationUp', detail: { association: a.id, protocol, peer: `${a.remote.address}:${a.remotePort}` } });
      this.run(
        this.registrar.handle({
          kind: 'associationUp',
          association: this.number(protocol, a),
          protocol,
          peerAddresses: [ipAddress(a.remote.address), ...a.peerAddresses.filter((x) => x !== a.remote.address).map(ipAddress)],
          peerPort: a.remotePort,
        }),
      );
    };
    ep.on('up', up);
    // A peer restart (RFC 9260 §5.2.4 A) is a new association for the registrar.
    ep.on('restart', (a) => {
      this.run(this.registrar.handle({ kind: 'associationDown', association: this.number(protocolFor(a), a) }));
      up(a);
    });
    ep.on('down', (a, d) => {
      const protocol = protocolFor(a);
      this.options.log({ level: 'debug', event: 'associationDown', detail: { association: a.id, protocol, reason: d.reason } });
      for (const [id, pa] of this.peerAssociations) if (pa === a) this.peerAssociations.delete(id);
      this.run(this.registrar.handle({ kind: 'associationDown', association: this.number(protocol, a) }));
    });
    ep.on('message', (a, m) => {
      const protocol = protocolFor(a);
      const association = this.number(protocol, a);
      // What arrived, by message type, so interop runs can tell e.g. an Endpoint Unreachable apart.
      this.options.log({ level: 'debug', event: 'messageReceived', detail: { association: a.id, protocol, type: m.bytes[0] ?? -1, ppid: m.ppid } });
      if (protocol === 'asap') this.run(this.registrar.handle({ kind: 'asap', association, message: m.bytes, ppid: m.ppid }));
      else {
        this.learnPeer(a, m.bytes);
        this.run(this.registrar.handle({ kind: 'enrp', association, message: m.bytes, ppid: m.ppid }));
      }
    });
  }

  /**
   * A peer that opened an ENRP association to us is reached on it (T-6) as long as we have none
   * of our own to it: without this, messages the registrar addresses to a peer by ID (List and
   * Handle Table Requests, Handle Updates, Presence) could only go to peers configured with an
   * address, and a peer that found us (its static `-peer` entry) would never hear from us.
   */
  private learnPeer(a: Association, bytes: Uint8Array): void {
    const id = enrpSenderId(bytes);
    if (id === undefined || id === 0 || id === this.options.config.serverId) return;
    const known = this.peerAssociations.get(id);
    if (known !== undefined && known.state !== 'closed') return;
    this.peerAssociations.set(id, a);
    this.options.log({ level: 'debug', event: 'peerAssociationLearned', detail: { peerId: id, association: a.id, peer: `${a.remote.address}:${a.remotePort}` } });
  }

  /** Registrar association numbers: ASAP ones as is, ENRP ones offset so that the two never meet. */
  private number(protocol: 'asap' | 'enrp', a: Association): number {
    return protocol === 'asap' ? a.id : 0x40000000 + a.id;
  }

  private association(n: number): Association | undefined {
    const [t, id] = n >= 0x40000000 ? [this.enrp, n - 0x40000000] : [this.asap, n];
    return t?.endpoint.associations().find((a) => a.id === id);
  }

  private sendOn(a: Association, m: Message): void {
    const ppid = m.protocol === 'asap' ? PPID.asap : PPID.enrp;
    try {
      a.send(0, ppid, encode(m));
    } catch (e) {
      this.options.log({ level: 'warn', event: 'sendFailed', detail: { association: a.id, message: m.type, error: e instanceof Error ? e.message : String(e) } });
    }
  }

  private run(actions: readonly RegistrarAction[]): void {
    if (this.stopped) return;
    for (const action of actions) {
      switch (action.kind) {
        case 'log':
          this.options.log(action);
          break;
        case 'send': {
          const a = this.association(action.association);
          if (a !== undefined) this.sendOn(a, action.message);
          break;
        }
        case 'abort':
          this.association(action.association)?.abort(action.reason);
          break;
        case 'timer':
          this.arm(action.at);
          break;
        case 'sendPeer': {
          let a = this.peerAssociations.get(action.peerId);
          if (a !== undefined && a.state === 'closed') a = undefined;
          const where = this.options.peers?.get(action.peerId);
          if (a === undefined && (where === undefined || this.enrp === undefined)) {
            this.options.log({ level: 'debug', event: 'peerUnknown', detail: { peerId: action.peerId, message: action.message.type } });
            break;
          }
          if (a === undefined && where !== undefined && this.enrp !== undefined) {
            try {
              a = this.enrp.endpoint.connect({ address: where.host, udpPort: where.port, sctpPort: PORT.enrp });
            } catch (e) {
              this.options.log({ level: 'warn', event: 'peerConnectFailed', detail: { peerId: action.peerId, error: e instanceof Error ? e.message : String(e) } });
              break;
            }
            this.peerAssociations.set(action.peerId, a);
          }
          if (a !== undefined) this.sendOn(a, action.message);
          break;
        }
        case 'sendEndpoint':
        case 'multicast':
          // Multicast announces and takeover Keep-Alives to foreign PEs are not carried yet.
          this.options.log({ level: 'debug', event: 'actionNotCarried', detail: { kind: action.kind, message: action.message.type } });
          break;
      }
    }
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run(this.registrar.handle({ kind: 'time' }));
    }, Math.max(0, Math.ceil(at - this.clock())));
  }

  /** Shuts the associations down (bounded) and releases the sockets. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const enrp = this.enrp === this.asap ? undefined : this.enrp;
    await Promise.all([this.asap.close({ graceful: true, timeoutMs: 2000 }), enrp?.close({ graceful: true, timeoutMs: 2000 })]);
    this.options.log({ level: 'info', event: 'registrarStopped' });
  }
}

/**
 * Shows every datagram of a transport to `tap`, without changing the transport: the endpoint's
 * output hook and its `receive` entry (called by the socket for each datagram) are wrapped.
 */
function tapTransport(t: UdpSctpTransport, tap: DatagramTap): void {
  const ep = t.endpoint;
  const output = ep.output;
  ep.output = (packet, to) => {
    tap('out', packet, t.local, to);
    output(packet, to);
  };
  const receive = ep.receive.bind(ep);
  ep.receive = (bytes, from) => {
    tap('in', bytes, t.local, from);
    receive(bytes, from);
  };
}
