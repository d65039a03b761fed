/** A pool user on the network: Handle Resolution over ASAP (RFC 5352 §3.5). */
import type { AsapHandleResolutionResponse, AsapMessage, PoolElement } from '../../codecs/index.js';
import type { UdpEndpointAddress } from './address.js';
import { AsapClient, NET_ERR, NetError } from './asap-client.js';

const isResolution = (m: AsapMessage): m is AsapHandleResolutionResponse => m.type === 'handleResolutionResponse';

/** Resolves `pool` `count` times (`interval` ms apart); calls `each` with the PEs of every answer. */
export async function resolvePool(
  registrar: UdpEndpointAddress,
  pool: string,
  options: { count: number; interval: number; items?: number; timeoutMs?: number; each: (pes: readonly PoolElement[], index: number) => void },
): Promise<void> {
  const client = await AsapClient.connect(registrar, { timeoutMs: options.timeoutMs });
  try {
    for (let i = 0; i < options.count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, options.interval));
      const answer = client.waitFor(isResolution, options.timeoutMs ?? 5000, 'Handle Resolution Response');
      client.send({ protocol: 'asap', type: 'handleResolution', poolHandle: new TextEncoder().encode(pool), ...(options.items ? { items: options.items } : {}) });
      const r = await answer;
      if (r.operationError !== undefined) {
        const causes = r.operationError.causes.map((c) => c.code).join(',');
        throw new NetError(NET_ERR.refused, `pool ${JSON.stringify(pool)} could not be resolved (causes ${causes}; unknown pool or no PE)`);
      }
      options.each(r.poolElements, i);
    }
  } finally {
    await client.close();
  }
}
