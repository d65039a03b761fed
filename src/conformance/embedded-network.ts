/**
 * `--embedded network`: the networked reference registrar ({@link RegistrarNode}, the same code as
 * `rserpool-harness registrar`) started in this process on loopback UDP ports the OS picks, with
 * short timers, and a {@link NetworkTarget} pointed at it. The suite then runs over the userland
 * SCTP/UDP stack in real time, as against any external registrar: it exercises the network target
 * and the networked registrar end to end, which the (faster) virtual-clock in-process default does
 * not.
 *
 * Wiring: ASAP and ENRP get a socket each (port 0, so two runs never collide); the target accepts
 * the registrar's own associations (Keep-Alive H = 1 after a takeover, Presence to a peer learned
 * from a List Response) on a third loopback socket, and the registrar's reach map sends everything
 * it addresses to 127.0.0.1 (the address every driver endpoint advertises) there.
 *
 * The timers are those of the rsplib lab target (conformance/targets/rsplib-3.4.4.json), which the
 * suite is known to fit: every case's deadline holds with them, and the whole suite takes about two
 * minutes. A pool size limit is set (large enough for every other case's pools) so that the case
 * needing one runs instead of SKIPping; Handle Table pages are kept small so paging is cheap.
 */
import { describeConfig } from './in-process-target.js';
import { defaultConfig, type RegistrarConfig } from '../registrar/index.js';
import { RegistrarNode } from '../net/registrar-node.js';
import type { UdpEndpointAddress } from '../net/address.js';
import type { NetLogger } from '../net/log.js';
import { NetworkTarget } from './network-target.js';

/** Server ID of the embedded networked registrar (any non-zero ID; fixed so traces are comparable). */
export const EMBEDDED_NETWORK_SERVER_ID = 0x5e5e0003;

/** Loopback address of every socket of the embedded network run. */
const LOOPBACK = '127.0.0.1';

/**
 * The registrar's tunables in an embedded network run: RFC behaviour (as the in-process default),
 * the short timers of the rsplib lab target, loopback PE addresses accepted (REG-8: on loopback the
 * association's address is 127.0.0.1), no multicast announces (the network target carries none).
 */
export function embeddedNetworkConfig(serverId = EMBEDDED_NETWORK_SERVER_ID): RegistrarConfig {
  return defaultConfig(serverId, {
    checkAddresses: true,
    minAddressScope: 'loopback',
    asapAnnounce: false,
    enrpAnnounce: false,
    // Past the mentor hunt at once: there is no other registrar to find.
    mentorDiscoveryTimeout: 10,
    keepAliveTransmissionInterval: 1000,
    keepAliveTimeoutInterval: 1000,
    peerHeartbeatCycle: 1000,
    peerMaxTimeLastHeard: 3000,
    peerMaxTimeNoResponse: 1000,
    takeoverExpiryInterval: 2000,
    // paging-m-flag registers max + 3 PEs: 19 instead of 131 associations' worth of traffic.
    maxElementsPerHandleTableResponse: 16,
    // pool-full fills one pool to the limit; no other case puts more than 3 PEs into one pool.
    maxPoolElementsPerPool: 32,
    enrpTransport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: LOOPBACK }] },
  });
}


/** Options of {@link startEmbeddedNetwork}. */
export interface EmbeddedNetworkOptions {
  /** The registrar's configuration (default {@link embeddedNetworkConfig}). */
  readonly config?: RegistrarConfig;
  /** As `--timeout-scale` (default 1). */
  readonly timeoutScale?: number;
  /** As `--sctp-port-base`. */
  readonly firstSctpPort?: number;
  /** The registrar's log (default: dropped). */
  readonly log?: NetLogger;
}

/** A running embedded network target; {@link EmbeddedNetwork.dispose} stops both sides. */
export interface EmbeddedNetwork {
  readonly target: NetworkTarget;
  readonly node: RegistrarNode;
  /** Disposes of the target (closing the driver's associations first), then stops the registrar. */
  dispose(): Promise<void>;
}

/**
 * Starts the networked reference registrar on loopback and a network target for it (see the
 * module comment). Throws what binding a socket throws (e.g. no loopback interface).
 */
export async function startEmbeddedNetwork(options: EmbeddedNetworkOptions = {}): Promise<EmbeddedNetwork> {
  const config = options.config ?? embeddedNetworkConfig();
  // Filled in once the target's inbound socket is bound; the node reads it at send time.
  const reach = new Map<string, UdpEndpointAddress>();
  const node = await RegistrarNode.start({
    config,
    asap: { host: LOOPBACK, port: 0 },
    enrp: { host: LOOPBACK, port: 0 },
    reach,
    log: options.log ?? (() => undefined),
  });
  let target: NetworkTarget | undefined;
  try {
    const asapPort = node.asap.local.port;
    const enrpPort = node.enrp?.local.port ?? asapPort;
    target = new NetworkTarget({
      host: LOOPBACK,
      asapPort,
      enrpPort,
      listen: { host: LOOPBACK, port: 0 },
      config: describeConfig(config),
      ...(options.timeoutScale !== undefined ? { timeoutScale: options.timeoutScale } : {}),
      ...(options.firstSctpPort !== undefined ? { firstSctpPort: options.firstSctpPort } : {}),
      name: `embedded network (reference registrar at udp:${LOOPBACK}:${asapPort},enrp=${enrpPort})`,
    });
    const inbound = await target.startListening();
    // Everything the registrar opens towards a driver endpoint (all advertise 127.0.0.1) arrives
    // at the target's inbound socket, which demultiplexes by SCTP port (RFC 6951: one UDP port).
    reach.set(LOOPBACK, { host: LOOPBACK, port: inbound.port });
    // Past the mentor hunt (mentorDiscoveryTimeout) before the first case.
    await new Promise((resolve) => setTimeout(resolve, Math.max(20, config.mentorDiscoveryTimeout * 2)));
  } catch (e) {
    await target?.dispose().catch(() => undefined);
    await node.stop();
    throw e;
  }
  const t = target;
  return {
    target: t,
    node,
    async dispose() {
      await t.dispose();
      await node.stop();
    },
  };
}

export { describeConfig };
