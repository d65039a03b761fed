/**
 * SCTP over UDP (RFC 6951): one UDP socket carries every association of one {@link SctpEndpoint}.
 * The UDP payload is the SCTP packet, common header and CRC32c unchanged; the peer's encapsulation
 * port is learned from the UDP source port of its packets (RFC 6951 §5.4, in the association).
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { RemoteAddress } from './association.js';
import { SctpEndpoint, type EndpointOptions } from './endpoint.js';
import { SCTP_ERR, SctpError } from './errors.js';
import type { SctpTransport } from './transport.js';

/** Where to bind and how to run the endpoint. */
export interface UdpTransportOptions extends Omit<EndpointOptions, 'clock'> {
  /** Local address; default 127.0.0.1. An address with `:` opens an IPv6 socket. */
  readonly host?: string;
  /** Local UDP port; 0 (default) picks an ephemeral one. 9899 is the IANA port. */
  readonly port?: number;
  /** Clock override (ms). */
  readonly clock?: () => number;
}

/** UDP socket statistics. */
export interface UdpStats {
  datagramsIn: number;
  datagramsOut: number;
  sendErrors: number;
}

/** See the module comment. Create with {@link UdpSctpTransport.open}. */
export class UdpSctpTransport implements SctpTransport {
  /** Socket counters. */
  readonly stats: UdpStats = { datagramsIn: 0, datagramsOut: 0, sendErrors: 0 };
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly endpoint: SctpEndpoint,
    readonly local: RemoteAddress,
    private readonly clock: () => number,
  ) {}

  /** Binds the socket. Rejects with `RSP_ERR_SCTP_BIND_FAILED` when the address or port cannot be used. */
  static async open(options: UdpTransportOptions = {}): Promise<UdpSctpTransport> {
    const host = options.host ?? '127.0.0.1';
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.port ?? 0, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      throw new SctpError(SCTP_ERR.bind, `cannot bind UDP ${host}:${options.port ?? 0}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const clock = options.clock ?? (() => performance.now());
    const endpoint = new SctpEndpoint({ ...options, clock });
    const address = socket.address();
    const t = new UdpSctpTransport(socket, endpoint, { address: address.address, port: address.port }, clock);
    endpoint.output = (packet, to) => t.sendDatagram(packet, to);
    endpoint.wake = () => t.schedule();
    socket.on('message', (msg, rinfo) => {
      t.stats.datagramsIn++;
      endpoint.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port });
    });
    socket.on('error', () => {
      t.stats.sendErrors++;
    });
    return t;
  }

  private sendDatagram(packet: Uint8Array, to: RemoteAddress): void {
    if (this.closed) return;
    this.stats.datagramsOut++;
    this.socket.send(packet, to.port, to.address, (err) => {
      if (err) this.stats.sendErrors++;
    });
  }

  /** Arms one real timer for the endpoint's earliest deadline. */
  private schedule(): void {
    if (this.closed) return;
    const at = this.endpoint.nextDeadline();
    if (at === undefined) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer !== undefined && at >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.endpoint.tick();
      this.schedule();
    }, Math.max(0, Math.ceil(at - this.clock())));
  }

  /**
   * Closes: with `graceful`, shuts every association down and waits until they are gone (at most
   * `timeoutMs`, default 3000); whatever is left is aborted. Then the socket is released.
   */
  async close(options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    if (options.graceful === true && this.endpoint.associations().length > 0) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(done, options.timeoutMs ?? 3000);
        const off = this.endpoint.on('down', () => {
          if (this.endpoint.associations().length === 0) done();
        });
        function done(): void {
          clearTimeout(deadline);
          off();
          resolve();
        }
        for (const a of this.endpoint.associations()) a.shutdown();
        this.schedule();
      });
    }
    this.endpoint.close();
    // Let the last datagrams (SHUTDOWN COMPLETE, ABORTs) leave before the socket goes.
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
