/**
 * The ASAP side of a PE or PU: one association to a registrar over the userland SCTP stack, with
 * encoded messages in and out (PPID 11, stream 0, transports.md §1).
 */
import { decode, encode, PPID, PORT, type AsapMessage } from '../../codecs/index.js';
import { UdpSctpTransport, type Association, type AssociationOptions, type DownInfo } from '../transport/sctp/index.js';
import type { UdpEndpointAddress } from './address.js';

/** Stable error codes of the networked PE / PU. */
export const NET_ERR = Object.freeze({
  unreachable: 'RSP_ERR_NET_REGISTRAR_UNREACHABLE',
  timeout: 'RSP_ERR_NET_TIMEOUT',
  refused: 'RSP_ERR_NET_REFUSED',
  lost: 'RSP_ERR_NET_ASSOCIATION_LOST',
} as const);

/** An error of the networked PE / PU. */
export class NetError extends Error {
  override readonly name = 'NetError';
  constructor(
    readonly code: (typeof NET_ERR)[keyof typeof NET_ERR],
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** One ASAP association to a registrar. */
export class AsapClient {
  private handlers = new Set<(m: AsapMessage) => void>();
  private downHandlers = new Set<(d: DownInfo) => void>();

  private constructor(
    readonly transport: UdpSctpTransport,
    readonly association: Association,
  ) {
    association.on('message', (m) => {
      if (m.ppid !== PPID.asap) return;
      let msg;
      try {
        msg = decode(m.bytes, { protocol: 'asap', mode: 'lenient', profile: 'auto' }).value;
      } catch {
        return;
      }
      if (msg.protocol === 'asap') for (const h of [...this.handlers]) h(msg);
    });
    association.on('down', (d) => {
      for (const h of [...this.downHandlers]) h(d);
    });
  }

  /** Connects (bounded by `timeoutMs`); rejects with {@link NetError} `RSP_ERR_NET_REGISTRAR_UNREACHABLE`. */
  static async connect(registrar: UdpEndpointAddress, options: { local?: UdpEndpointAddress; timeoutMs?: number; association?: Partial<AssociationOptions> } = {}): Promise<AsapClient> {
    const transport = await UdpSctpTransport.open({
      host: options.local?.host ?? (registrar.host.includes(':') ? '::1' : '127.0.0.1'),
      port: options.local?.port ?? 0,
      association: { heartbeatInterval: 5000, ...options.association },
    });
    const a = transport.endpoint.connect({ address: registrar.host, udpPort: registrar.port, sctpPort: PORT.asap });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new NetError(NET_ERR.unreachable, `no answer from udp:${registrar.host}:${registrar.port} within ${options.timeoutMs ?? 5000} ms`)), options.timeoutMs ?? 5000);
        a.once('up', () => {
          clearTimeout(timer);
          resolve();
        });
        a.once('down', (d) => {
          clearTimeout(timer);
          reject(new NetError(NET_ERR.unreachable, `association to udp:${registrar.host}:${registrar.port} failed (${d.reason}${d.detail ? `: ${d.detail}` : ''})`));
        });
      });
    } catch (e) {
      await transport.close();
      throw e;
    }
    return new AsapClient(transport, a);
  }

  /** Sends one ASAP message. */
  send(m: AsapMessage): void {
    this.association.send(0, PPID.asap, encode(m));
  }

  /** Listens for ASAP messages; returns the remover. */
  onMessage(h: (m: AsapMessage) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  /** Listens for the loss of the association. */
  onDown(h: (d: DownInfo) => void): () => void {
    this.downHandlers.add(h);
    return () => this.downHandlers.delete(h);
  }

  /** The first message `match` accepts, within `timeoutMs` (rejects with `RSP_ERR_NET_TIMEOUT` / `…_ASSOCIATION_LOST`). */
  waitFor<T extends AsapMessage>(match: (m: AsapMessage) => m is T, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        offM();
        offD();
      };
      const timer = setTimeout(() => {
        done();
        reject(new NetError(NET_ERR.timeout, `no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const offM = this.onMessage((m) => {
        if (match(m)) {
          done();
          resolve(m);
        }
      });
      const offD = this.onDown((d) => {
        done();
        reject(new NetError(NET_ERR.lost, `association lost while waiting for ${what} (${d.reason})`));
      });
    });
  }

  /** Graceful shutdown, bounded. */
  async close(): Promise<void> {
    await this.transport.close({ graceful: true, timeoutMs: 2000 });
  }
}
