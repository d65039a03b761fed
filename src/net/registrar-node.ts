/**
 * The reference registrar ({@link Registrar}) on the network: ASAP (and optionally ENRP) over the
 * userland SCTP stack on UDP sockets. This module only carries events in and actions out.
 */
import { performance } from 'node:perf_hooks';
import { encode, PPID, PORT, type Message } from '../../codecs/index.js';
import { Registrar, type RegistrarAction, type RegistrarConfig } from '../registrar/index.js';
import { UdpSctpTransport, type Association, type AssociationOptions } from '../transport/sctp/index.js';
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

  /** Binds the sockets and starts the registrar. */
  static async start(options: RegistrarNodeOptions): Promise<RegistrarNode> {
    const clock = (): number => performance.now();
    const asap = await UdpSctpTransport.open({ host: options.asap.host, port: options.asap.port, clock, association: options.association });
    let enrp: UdpSctpTransport | undefined;
    try {
      if (options.enrp !== undefined) enrp = await UdpSctpTransport.open({ host: options.enrp.host, port: options.enrp.port, clock, association: options.association });
    } catch (e) {
      await asap.close();
      throw e;
    }
    const node = new RegistrarNode(new Registrar(options.config, clock), asap, enrp, options, clock);
    node.wire(asap, 'asap');
    if (enrp !== undefined) node.wire(enrp, 'enrp');
    asap.endpoint.listen(PORT.asap);
    enrp?.endpoint.listen(PORT.enrp);
    options.log({ level: 'info', event: 'registrarStarted', detail: { serverId: options.config.serverId, asap: `udp:${asap.local.address}:${asap.local.port}`, ...(enrp ? { enrp: `udp:${enrp.local.address}:${enrp.local.port}` } : {}) } });
    node.run(node.registrar.start());
    return node;
  }

  private wire(t: UdpSctpTransport, protocol: 'asap' | 'enrp'): void {
    const ep = t.endpoint;
    const up = (a: Association): void => {
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
      this.run(this.registrar.handle({ kind: 'associationDown', association: this.number(protocol, a) }));
      up(a);
    });
    ep.on('down', (a, d) => {
      this.options.log({ level: 'debug', event: 'associationDown', detail: { association: a.id, protocol, reason: d.reason } });
      for (const [id, pa] of this.peerAssociations) if (pa === a) this.peerAssociations.delete(id);
      this.run(this.registrar.handle({ kind: 'associationDown', association: this.number(protocol, a) }));
    });
    ep.on('message', (a, m) => {
      const association = this.number(protocol, a);
      if (protocol === 'asap') this.run(this.registrar.handle({ kind: 'asap', association, message: m.bytes, ppid: m.ppid }));
      else this.run(this.registrar.handle({ kind: 'enrp', association, message: m.bytes, ppid: m.ppid }));
    });
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
          const where = this.options.peers?.get(action.peerId);
          if (where === undefined || this.enrp === undefined) {
            this.options.log({ level: 'debug', event: 'peerUnknown', detail: { peerId: action.peerId, message: action.message.type } });
            break;
          }
          let a = this.peerAssociations.get(action.peerId);
          if (a === undefined || a.state === 'closed') {
            try {
              a = this.enrp.endpoint.connect({ address: where.host, udpPort: where.port, sctpPort: PORT.enrp });
            } catch (e) {
              this.options.log({ level: 'warn', event: 'peerConnectFailed', detail: { peerId: action.peerId, error: e instanceof Error ? e.message : String(e) } });
              break;
            }
            this.peerAssociations.set(action.peerId, a);
          }
          this.sendOn(a, action.message);
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
    await Promise.all([this.asap.close({ graceful: true, timeoutMs: 2000 }), this.enrp?.close({ graceful: true, timeoutMs: 2000 })]);
    this.options.log({ level: 'info', event: 'registrarStopped' });
  }
}
