/**
 * Every tunable of the reference registrar, with the RFC value (RFC 5352 §"Timers, Variables,
 * and Thresholds", RFC 5353 §4; all UNCONFIRMED, `registrar-behaviour.md` §2.2) as default and
 * rsplib's option name next to it (§2.1). {@link RSPLIB_PRESET} holds rsplib's values.
 */
import type { TransportParameter } from '../../codecs/types.js';

/** Which Operation Error causes the registrar writes where the RFC and rsplib differ. */
export type CauseProfile = 'rfc' | 'rsplib';

/** Lowest address scope a PE may register (rsplib `-minaddressscope`). */
export type AddressScope = 'loopback' | 'siteLocal' | 'global';

/** The registrar's configuration; see {@link defaultConfig}. */
export interface RegistrarConfig {
  /** This PR's server ID (ST-1; rsplib `-identifier`). Never 0. */
  readonly serverId: number;
  /** Seed of every random choice (announce jitter, random policies). */
  readonly seed: number;
  /** Causes written where RFC and rsplib differ (REG-5, REG-7, REG-8, ER-3). */
  readonly causeProfile: CauseProfile;
  /** Decoder strictness for raw bytes: strict = RFC, lenient = what rsplib accepts. */
  readonly decodeMode: 'strict' | 'lenient';
  /** T6-Serverannounce, ms (rsplib `-serverannouncecycle`, 1000). */
  readonly serverAnnounceCycle: number;
  /** Send ASAP Server Announces at all (rsplib `-asapannounce=off` disables). */
  readonly asapAnnounce: boolean;
  /** Multicast a copy of each Presence (rsplib `-enrpannounce`). */
  readonly enrpAnnounce: boolean;
  /** Delay from registration / last Ack to the next Keep-Alive, ms (rsplib `-endpointkeepalivetransmissioninterval`, 5000). */
  readonly keepAliveTransmissionInterval: number;
  /** Time a PE has to answer a Keep-Alive, ms (rsplib `-endpointkeepalivetimeoutinterval`, 5000). */
  readonly keepAliveTimeoutInterval: number;
  /** MAX-BAD-PE-REPORT (rsplib `-maxbadpereports`, 3; both 3). */
  readonly maxBadPeReports: number;
  /** PEs per Handle Resolution Response when the PU does not ask (rsplib `-maxhresitems`, 3). */
  readonly maxHandleResolutionItems: number;
  /** MaxIncrement of the selection policies (rsplib `-maxincrement`, 0 = policy default). */
  readonly maxIncrement: number;
  /** PEs per Handle Table Response page (rsplib `-maxelementsperhtrequest`, 128). */
  readonly maxElementsPerHandleTableResponse: number;
  /** PEER-HEARTBEAT-CYCLE, ms (RFC 30 s UNCONFIRMED; rsplib `-peerheartbeatcycle` 2444.444). */
  readonly peerHeartbeatCycle: number;
  /** MAX-TIME-LAST-HEARD, ms (RFC 61 s UNCONFIRMED; rsplib `-peermaxtimelastheard` 5000). */
  readonly peerMaxTimeLastHeard: number;
  /** MAX-TIME-NO-RESPONSE, ms (RFC 5 s UNCONFIRMED; rsplib `-peermaxtimenoresponse` 5000). */
  readonly peerMaxTimeNoResponse: number;
  /** MENTOR-HUNT-TIMEOUT, ms (RFC 5 s UNCONFIRMED; rsplib `-mentordiscoverytimeout` 5000). */
  readonly mentorDiscoveryTimeout: number;
  /** TAKEOVER-EXPIRE-INTERVAL, ms (RFC not recalled, RSPSIM 30 s; rsplib `-takeoverexpiryinterval` 5000). */
  readonly takeoverExpiryInterval: number;
  /**
   * What a takeover with nobody to wait for does (TO-6). `complete`: the RFC reading (UNCONFIRMED),
   * all zero Acks are in. `abandon`: rsplib never completes it and gives up at expiry.
   */
  readonly takeoverWithoutPeers: 'complete' | 'abandon';
  /** Most PEs one pool may hold; more are refused with Lack of Resources (rsplib: unlimited). */
  readonly maxPoolElementsPerPool: number;
  /** Longest pool handle in octets (rsplib MAX_POOLHANDLESIZE 32, REG-11). */
  readonly maxPoolHandleSize: number;
  /** Most addresses in a user transport (rsplib MAX_PE_TRANSPORTADDRESSES 64, REG-8). */
  readonly maxAddresses: number;
  /** Check PE addresses against the association's (REG-8; rsplib always does). */
  readonly checkAddresses: boolean;
  /** Lowest accepted address scope (REG-8; rsplib `-minaddressscope`, site-local). */
  readonly minAddressScope: AddressScope;
  /**
   * REG-7: how to treat a registration of an existing (pool handle, PE ID) that arrives on another
   * association than the one the PE is bound to. `update`: rsplib, always an update.
   * `reject`: the RFC reading (UNCONFIRMED how the RFC tells PEs apart) — Non-unique PE Identifier.
   */
  readonly duplicatePeId: 'update' | 'reject';
  /** Abort an association after this many undecodable messages (0 = never, as rsplib). */
  readonly abortAfterMalformed: number;
  /**
   * Give up a Handle Table re-sync that got no final page after this many ms (0 = never, as
   * rsplib, which then stops auditing that peer for good — CK-2 step 2).
   */
  readonly syncTimeout: number;
  /**
   * HU-2: whether a DEL_PE may remove a PE whose recorded home is not the sender. `false` is
   * rsplib (no ownership check at all). `true` is the reading that only the home PR announces a
   * PE's removal (HU-1, DR-2; RFC wording UNCONFIRMED): a stale DEL_PE from a PR that was taken
   * over while partitioned must not delete the PE its new home monitors, or the handlespaces only
   * reconverge at the PE's next re-registration.
   */
  readonly delPeRequiresHome: boolean;
  /**
   * PP-2 / PP-4: keep retrying configured (static) peers after they were removed as dead or taken
   * over, so a PR cut off by a partition is found again when it heals even without multicast
   * Presence. rsplib's handling of static entries after failure is UNCONFIRMED (not verified in
   * the digest); without this, a healed partition never rejoins unless `enrpAnnounce` is on.
   */
  readonly retryStaticPeers: boolean;
  /** Peers known from configuration (PP-2), by server ID. */
  readonly staticPeers: readonly number[];
  /** This PR's ENRP endpoint, put into its Server Information. */
  readonly enrpTransport: TransportParameter;
}

/** The RFC defaults (timer values UNCONFIRMED, `registrar-behaviour.md` §2.2). */
export function defaultConfig(serverId: number, overrides: Partial<RegistrarConfig> = {}): RegistrarConfig {
  return Object.freeze({
    serverId,
    seed: serverId,
    causeProfile: 'rfc',
    decodeMode: 'strict',
    serverAnnounceCycle: 1000,
    asapAnnounce: true,
    enrpAnnounce: true,
    keepAliveTransmissionInterval: 5000,
    keepAliveTimeoutInterval: 5000,
    maxBadPeReports: 3,
    maxHandleResolutionItems: 3,
    maxIncrement: 0,
    maxElementsPerHandleTableResponse: 128,
    peerHeartbeatCycle: 30_000,
    peerMaxTimeLastHeard: 61_000,
    peerMaxTimeNoResponse: 5000,
    mentorDiscoveryTimeout: 5000,
    takeoverExpiryInterval: 30_000,
    takeoverWithoutPeers: 'complete',
    maxPoolElementsPerPool: Number.POSITIVE_INFINITY,
    maxPoolHandleSize: 32,
    maxAddresses: 64,
    checkAddresses: true,
    minAddressScope: 'siteLocal',
    duplicatePeId: 'reject',
    abortAfterMalformed: 0,
    syncTimeout: 0,
    delPeRequiresHome: true,
    retryStaticPeers: true,
    staticPeers: [],
    // The unspecified address stands for "whatever the socket is bound to" (rsplib's "auto") until a
    // networked registrar fills in the addresses it listens on; a transport without any address
    // cannot be encoded.
    enrpTransport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '0.0.0.0' }] },
    ...overrides,
  } satisfies RegistrarConfig);
}

/** rsplib's values (`registrar-behaviour.md` §2.1): faster timers, private causes, lenient decoding. */
export const RSPLIB_PRESET: Partial<RegistrarConfig> = Object.freeze({
  causeProfile: 'rsplib',
  decodeMode: 'lenient',
  peerHeartbeatCycle: 2444.444,
  peerMaxTimeLastHeard: 5000,
  peerMaxTimeNoResponse: 5000,
  takeoverExpiryInterval: 5000,
  takeoverWithoutPeers: 'abandon',
  duplicatePeId: 'update',
  delPeRequiresHome: false,
} satisfies Partial<RegistrarConfig>);

/** rsplib's configuration for `serverId`. */
export function rsplibConfig(serverId: number, overrides: Partial<RegistrarConfig> = {}): RegistrarConfig {
  return defaultConfig(serverId, { ...RSPLIB_PRESET, ...overrides });
}
