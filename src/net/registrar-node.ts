/**
 * The reference registrar ({@link Registrar}) on the network: ASAP (and optionally ENRP) over the
 * userland SCTP stack on UDP sockets. This module only carries events in and actions out.
 *
 * ASAP and ENRP may share one UDP socket (`enrp` equal to `asap`): SCTP over UDP (RFC 6951) has
 * one encapsulation port per host, so a peer behind a NAT (the lab's slirp) reaches every SCTP
 * port of ours through that one UDP port. The SCTP ports then tell the protocols apart.
 *
 * Messages to a PE we have no association with (the Endpoint Keep-Alive with H = 1 after a
 * takeover, TO-3; KA-1 to a taken-over PE) open one on demand to the PE's ASAP transport (its
 * SCTP port, one of its addresses). Where an address is reached is looked up in the reach map:
 * behind a NAT (qemu slirp) the addresses a PE or peer lists are not routable from here, and
 * every SCTP port of the far host shares one forwarded UDP port. Unmapped addresses are reached
 * directly at the RFC 6951 encapsulation port 9899.
 */
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { encode, PPID, PORT, type Address, type AsapMessage, type Message, type TransportParameter } from '../../codecs/index.js';
import { Registrar, type RegistrarAction, type RegistrarConfig } from '../registrar/index.js';
import { SCTP_UDP_PORT, UdpSctpTransport, type Association, type AssociationOptions, type RemoteAddress } from '../transport/sctp/index.js';
import { ipAddress, parseUdpEndpoint, type UdpEndpointAddress } from './address.js';
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
  /**
   * Where remote IP addresses are reached (NAT / slirp), for PEs and peers alike; see
   * {@link ReachMap}. Addresses not in it are reached directly (UDP port 9899 for PEs).
   */
  readonly reach?: ReachMap;
  /** Milliseconds, monotonic (default `performance.now`); tests inject a skewed one. */
  readonly clock?: () => number;
}

/**
 * Remote IP address (text, as {@link reachKey} normalises it) → the UDP endpoint that stands in
 * for it. Behind qemu's slirp NAT the guest's 10.0.2.15 is not routable from the host side: the
 * guest is reached only through the forwarded 127.0.0.1:<hostfwd port>, which carries every
 * SCTP port of the guest (RFC 6951: one encapsulation port per host).
 */
export type ReachMap = ReadonlyMap<string, UdpEndpointAddress>;

/** Stable error code of a bad `--reach` entry. */
export const NET_ERR_BAD_REACH = 'RSP_ERR_NET_BAD_REACH';

/** The key of an IP address in a {@link ReachMap} (IPv6 in lower case, brackets dropped). */
export function reachKey(address: string): string {
  return address.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Parses one `IP=udp:HOST:PORT` reach entry. Throws Error with {@link NET_ERR_BAD_REACH}. */
export function parseReach(text: string): [string, UdpEndpointAddress] {
  const eq = text.indexOf('=');
  const ip = eq < 0 ? '' : reachKey(text.slice(0, eq));
  if (isIP(ip) === 0) throw new Error(`${NET_ERR_BAD_REACH}: expected IP=udp:HOST:PORT, e.g. 10.0.2.15=udp:127.0.0.1:9920, got ${JSON.stringify(text)}`);
  let to: UdpEndpointAddress;
  try {
    // No default port: a NAT's forwarded port is never guessable.
    to = parseUdpEndpoint(text.slice(eq + 1), -1);
  } catch (e) {
    throw new Error(`${NET_ERR_BAD_REACH}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (to.port <= 0) throw new Error(`${NET_ERR_BAD_REACH}: ${JSON.stringify(text)} needs a UDP port other than 0`);
  return [ip, to];
}

/** Where one remote SCTP endpoint is sent to: IP address and UDP encapsulation port. */
export interface ReachTarget {
  /** The address as the PE or peer listed it. */
  readonly listed: string;
  /** Where the UDP datagrams go. */
  readonly address: string;
  readonly udpPort: number;
  /** Through a reach map entry, or straight to the listed address. */
  readonly via: 'reach' | 'direct';
}

/**
 * Picks the address of a PE's (or peer's) transport to send to: the first one with a reach entry,
 * else the first one our socket's family can send to, at `defaultUdpPort` (RFC 6951: 9899).
 * Undefined when none is usable.
 */
export function reachTarget(addresses: readonly Address[], reach: ReachMap, family: 'ipv4' | 'ipv6', defaultUdpPort = SCTP_UDP_PORT): ReachTarget | undefined {
  const fits = (host: string): boolean => (host.includes(':') ? 'ipv6' : 'ipv4') === family;
  for (const a of addresses) {
    const to = reach.get(reachKey(a.address));
    if (to !== undefined && fits(to.host)) return { listed: a.address, address: to.host, udpPort: to.port, via: 'reach' };
  }
  // An unspecified address ("bound to all", e.g. a Server Information of 0.0.0.0) names no host.
  const direct = addresses.find((a) => a.family === family && a.address !== '0.0.0.0' && a.address !== '::');
  return direct === undefined ? undefined : { listed: direct.address, address: direct.address, udpPort: defaultUdpPort, via: 'direct' };
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
  /** Peer ID → when the next connect attempt may go out, after one that never came up. */
  private readonly peerRetryAt = new Map<number, number>();
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
    const clock = options.clock ?? ((): number => performance.now());
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
          const where = this.whereIsPeer(action.peerId);
          if (a === undefined && (where === undefined || this.enrp === undefined)) {
            this.options.log({ level: 'debug', event: 'peerUnknown', detail: { peerId: action.peerId, message: action.message.type } });
            break;
          }
          if (a === undefined && where !== undefined && this.enrp !== undefined) {
            // A peer that is gone (e.g. an hsdump that asked once and left, still listed as a
            // peer) refuses every INIT: without a pause each message would open one more.
            if (this.clock() < (this.peerRetryAt.get(action.peerId) ?? 0)) {
              this.options.log({ level: 'debug', event: 'peerConnectDeferred', detail: { peerId: action.peerId, message: action.message.type } });
              break;
            }
            try {
              a = this.enrp.endpoint.connect({ address: where.host, udpPort: where.port, sctpPort: where.sctpPort });
            } catch (e) {
              this.options.log({ level: 'warn', event: 'peerConnectFailed', detail: { peerId: action.peerId, error: e instanceof Error ? e.message : String(e) } });
              break;
            }
            this.peerAssociations.set(action.peerId, a);
            this.options.log({ level: 'debug', event: 'peerAssociationOpened', detail: { peerId: action.peerId, association: a.id, to: `udp:${where.host}:${where.port}`, sctpPort: where.sctpPort } });
            const peerId = action.peerId;
            let up = false;
            a.once('up', () => {
              up = true;
              this.peerRetryAt.delete(peerId);
            });
            // At most one attempt per Presence cycle (PP-1) towards a peer that does not answer.
            a.once('down', () => {
              if (!up) this.peerRetryAt.set(peerId, this.clock() + Math.max(1000, this.options.config.peerHeartbeatCycle));
            });
          }
          if (a !== undefined) this.sendOn(a, action.message);
          break;
        }
        case 'sendEndpoint':
          this.sendToEndpoint(action.transport, action.message);
          break;
        case 'multicast':
          // Multicast announces are not carried yet.
          this.options.log({ level: 'debug', event: 'actionNotCarried', detail: { kind: action.kind, message: action.message.type } });
          break;
      }
    }
  }

  /**
   * Where to open an ENRP association to a peer: its `--peer` endpoint as configured (already
   * "where it is reached"), else the Server Information it announced (PP-5), whose addresses go
   * through the reach map like a PE's: a peer behind a NAT lists addresses not routable from here.
   */
  private whereIsPeer(peerId: number): (UdpEndpointAddress & { sctpPort: number }) | undefined {
    const configured = this.options.peers?.get(peerId);
    if (configured !== undefined) return { ...configured, sctpPort: PORT.enrp };
    const t = this.registrar.peerTransport(peerId);
    if (t === undefined || t.transport !== 'sctp' || t.port === 0 || this.enrp === undefined) return undefined;
    const family = this.enrp.local.address.includes(':') ? 'ipv6' : 'ipv4';
    const to = reachTarget(t.addresses, this.options.reach ?? new Map(), family);
    return to === undefined ? undefined : { host: to.address, port: to.udpPort, sctpPort: t.port };
  }

  /**
   * TO-3 / KA-1: an ASAP message to a PE we hold no association with goes to its ASAP transport,
   * on an association of ours to it: an existing one (opened for an earlier message, or the PE's
   * own), else a new one. It is opened from our ASAP port 3863, as rsplib's registrar sends from
   * its ASAP socket, so that on a shared socket the PE's answers on it (Keep-Alive Ack,
   * re-registrations) are ASAP by port ({@link protocolOf}); the `up` event makes it an ordinary
   * ASAP association for the registrar, which then monitors the PE on it (KA-2). A failure to
   * connect is only logged: the PE's Keep-Alive timeout, already running, removes it (TO-3, KA-3).
   */
  private sendToEndpoint(transport: TransportParameter, m: AsapMessage): void {
    const family = this.asap.local.address.includes(':') ? 'ipv6' : 'ipv4';
    const detail = { message: m.type, port: transport.port, addresses: transport.addresses.map((x) => x.address).join(',') };
    // ASAP runs over SCTP only (RFC 5352 §2.1); a TCP ASAP transport is not reachable from here.
    const target = transport.transport === 'sctp' ? reachTarget(transport.addresses, this.options.reach ?? new Map(), family) : undefined;
    if (target === undefined) {
      this.options.log({ level: 'warn', event: 'endpointUnreachable', detail: { ...detail, transport: transport.transport, why: transport.transport === 'sctp' ? `no ${family} address and no --reach entry` : 'not SCTP' } });
      return;
    }
    const ep = this.asap.endpoint;
    let a = ep.associations().find((x) => x.state !== 'closed' && x.localPort === PORT.asap && x.remotePort === transport.port && reachKey(x.remote.address) === reachKey(target.address));
    if (a === undefined) {
      try {
        a = ep.connect({ address: target.address, udpPort: target.udpPort, sctpPort: transport.port, localPort: PORT.asap });
      } catch (e) {
        this.options.log({ level: 'warn', event: 'endpointConnectFailed', detail: { ...detail, error: e instanceof Error ? e.message : String(e) } });
        return;
      }
      const opened = a;
      this.options.log({ level: 'info', event: 'endpointAssociationOpened', detail: { ...detail, association: opened.id, listed: target.listed, to: `udp:${target.address}:${target.udpPort}`, via: target.via } });
      // Only a failure to come up is news here (the PE is gone or unreachable, e.g. a missing
      // --reach entry); the endpoint-wide handlers report the rest.
      let up = false;
      opened.once('up', () => (up = true));
      opened.once('down', (d) => {
        if (!up) this.options.log({ level: 'warn', event: 'endpointAssociationFailed', detail: { ...detail, association: opened.id, to: `udp:${target.address}:${target.udpPort}`, reason: d.reason, ...(d.detail ? { error: d.detail } : {}) } });
      });
    }
    this.options.log({ level: 'debug', event: 'endpointSend', detail: { ...detail, association: a.id } });
    this.sendOn(a, m);
  }

  /**
   * Delivers a `time` event once the clock has reached `at`, never before: the registrar asks for
   * a timer only when its next deadline changes, so a `time` event that comes early (nothing due
   * yet, the same deadline again) would get no new request and the registrar would stall until
   * some message arrived: no peer checks (PP-4), no takeover (TO-1), no Keep-Alives (KA-1).
   * `setTimeout` does fire early against `performance.now` under load: libuv measures the delay
   * from its cached loop time, which lags the real clock.
   */
  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.clock() < at) return this.arm(at);
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
