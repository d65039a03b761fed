/**
 * A pool element on the network: registers with a registrar over ASAP, answers Endpoint
 * Keep-Alives, re-registers before the registration lifetime runs out and deregisters on stop
 * (RFC 5352 §3.1–§3.3, §3.7).
 */
import type { AsapMessage, AsapRegistrationResponse, AsapDeregistrationResponse, Policy } from '../../codecs/index.js';
import { ipAddress, type UdpEndpointAddress } from './address.js';
import { AsapClient, NET_ERR, NetError } from './asap-client.js';
import type { NetLogger } from './log.js';

/** PE settings. */
export interface PoolElementOptions {
  readonly registrar: UdpEndpointAddress;
  readonly pool: string;
  /** PE identifier (default random). */
  readonly peId: number;
  readonly policy: Policy;
  /** Registration life, ms (RFC 5352). Re-registration runs at half of it. */
  readonly lifetime: number;
  /** The PE's user transport: address advertised (must be an address of the association, REG-8) and port. */
  readonly userAddress: string;
  readonly userPort: number;
  readonly log: NetLogger;
  readonly timeoutMs?: number;
}

const isRegResponse = (m: AsapMessage): m is AsapRegistrationResponse => m.type === 'registrationResponse';
const isDeregResponse = (m: AsapMessage): m is AsapDeregistrationResponse => m.type === 'deregistrationResponse';

/** A registered PE; {@link PoolElementNode.stop} deregisters it. */
export class PoolElementNode {
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  private constructor(
    private readonly client: AsapClient,
    private readonly options: PoolElementOptions,
  ) {}

  /** Connects, registers and waits for the answer; rejects with `NetError` (`RSP_ERR_NET_REFUSED` when the registrar refuses). */
  static async start(options: PoolElementOptions): Promise<PoolElementNode> {
    const client = await AsapClient.connect(options.registrar, { timeoutMs: options.timeoutMs });
    const node = new PoolElementNode(client, options);
    client.onMessage((m) => node.onMessage(m));
    client.onDown((d) => {
      if (!node.stopping) options.log({ level: 'error', event: 'registrarLost', detail: { reason: d.reason, ...(d.detail ? { detail: d.detail } : {}) } });
    });
    try {
      await node.register();
    } catch (e) {
      await client.close();
      throw e;
    }
    return node;
  }

  private poolHandle(): Uint8Array {
    return new TextEncoder().encode(this.options.pool);
  }

  private async register(): Promise<void> {
    const o = this.options;
    const answer = this.client.waitFor(isRegResponse, o.timeoutMs ?? 5000, 'Registration Response');
    this.client.send({
      protocol: 'asap',
      type: 'registration',
      poolHandle: this.poolHandle(),
      poolElement: {
        peId: o.peId,
        homeRegistrarId: 0,
        registrationLife: o.lifetime,
        userTransport: { transport: 'sctp', port: o.userPort, transportUse: 'dataOnly', addresses: [ipAddress(o.userAddress)] },
        policy: o.policy,
      },
    });
    const r = await answer;
    if (r.flags.R || r.operationError !== undefined) {
      const causes = r.operationError?.causes.map((c) => c.code).join(',') ?? 'none';
      throw new NetError(NET_ERR.refused, `registration of PE ${o.peId.toString(16)} in pool ${o.pool} refused (R=${r.flags.R}, causes ${causes})`);
    }
    o.log({ level: 'info', event: 'registered', detail: { pool: o.pool, peId: `0x${o.peId.toString(16).padStart(8, '0')}`, lifetime: o.lifetime } });
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.register().catch((e: unknown) => o.log({ level: 'error', event: 'reregistrationFailed', detail: { error: e instanceof Error ? e.message : String(e) } }));
    }, Math.max(100, o.lifetime / 2));
  }

  private onMessage(m: AsapMessage): void {
    if (m.type === 'endpointKeepAlive') {
      // RFC 5352 §3.7: answer every Keep-Alive with a Keep-Alive Ack naming us.
      this.options.log({ level: 'debug', event: 'keepAlive', detail: { serverId: m.serverId } });
      this.client.send({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: this.poolHandle(), peId: this.options.peId });
    }
  }

  /** Deregisters (waits for the answer, bounded) and closes the association gracefully. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const o = this.options;
    try {
      const answer = this.client.waitFor(isDeregResponse, o.timeoutMs ?? 3000, 'Deregistration Response');
      this.client.send({ protocol: 'asap', type: 'deregistration', poolHandle: this.poolHandle(), peId: o.peId });
      const r = await answer;
      o.log({ level: r.operationError ? 'warn' : 'info', event: 'deregistered', detail: { pool: o.pool, peId: `0x${o.peId.toString(16).padStart(8, '0')}`, ok: r.operationError === undefined } });
    } catch (e) {
      o.log({ level: 'error', event: 'deregistrationFailed', detail: { error: e instanceof Error ? e.message : String(e) } });
    } finally {
      await this.client.close();
    }
  }
}
