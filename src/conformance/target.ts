/**
 * The Target interface: everything a conformance case may do to a registrar under test. Cases
 * see only this; the in-process target (virtual clock, sans-IO reference registrar) and the
 * network target (SCTP over UDP, `network-target.ts`) implement it.
 */
import type { Address, Message } from '../../codecs/index.js';

/** The parts a case can play towards the registrar. */
export type Role = 'pe' | 'pu' | 'peer';

/**
 * The registrar's tunables a case may depend on. Everything is optional: a case reads them through
 * {@link resolveTargetConfig}, which fills in the RFC defaults (all UNCONFIRMED,
 * `registrar-behaviour.md` §2.2).
 */
export interface TargetConfig {
  readonly serverId?: number;
  readonly maxBadPeReports?: number;
  readonly maxHandleResolutionItems?: number;
  readonly keepAliveTransmissionInterval?: number;
  readonly keepAliveTimeoutInterval?: number;
  readonly serverAnnounceCycle?: number;
  readonly asapAnnounce?: boolean;
  readonly peerHeartbeatCycle?: number;
  readonly peerMaxTimeLastHeard?: number;
  readonly peerMaxTimeNoResponse?: number;
  readonly takeoverExpiryInterval?: number;
  readonly maxElementsPerHandleTableResponse?: number;
  /** Most PEs per pool; absent = no limit (cases needing a limit SKIP). */
  readonly maxPoolElementsPerPool?: number;
  /** Longest accepted pool handle, octets (rsplib 32). */
  readonly maxPoolHandleSize?: number;
}

/** {@link TargetConfig} with every default filled in. */
export type ResolvedTargetConfig = Required<Omit<TargetConfig, 'serverId' | 'maxPoolElementsPerPool'>> &
  Pick<TargetConfig, 'serverId' | 'maxPoolElementsPerPool'>;

/** RFC 5352 / 5353 defaults (UNCONFIRMED, digest §2.2). */
export const RFC_DEFAULTS: ResolvedTargetConfig = Object.freeze({
  maxBadPeReports: 3,
  maxHandleResolutionItems: 3,
  keepAliveTransmissionInterval: 5000,
  keepAliveTimeoutInterval: 5000,
  serverAnnounceCycle: 1000,
  asapAnnounce: true,
  peerHeartbeatCycle: 30_000,
  peerMaxTimeLastHeard: 61_000,
  peerMaxTimeNoResponse: 5000,
  takeoverExpiryInterval: 30_000,
  maxElementsPerHandleTableResponse: 128,
  maxPoolHandleSize: 32,
});

/** Fills the RFC defaults into a target's configuration. */
export function resolveTargetConfig(config: TargetConfig): ResolvedTargetConfig {
  const out: Record<string, unknown> = { ...RFC_DEFAULTS };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) out[k] = v;
  return out as ResolvedTargetConfig;
}

/** What a target can offer; a case needing more is SKIPped. */
export interface TargetCapabilities {
  /** Roles the driver can play towards this target. */
  readonly roles: readonly Role[];
  /** Time is simulated: long timer cases cost nothing. */
  readonly virtualTime: boolean;
  /** The driver sees the target's multicast announces (ASAP Server Announce, ENRP Presence). */
  readonly multicastListen: boolean;
  /** The driver can multicast an ENRP Presence to the target. */
  readonly multicastSend: boolean;
  /** The target can open associations to driver endpoints (peer PRs by ID, PEs by ASAP transport). */
  readonly acceptsIncoming: boolean;
}

/** A target's self-description, shown in reports. */
export interface TargetDescription {
  /** e.g. `in-process` or `udp:192.0.2.1:9899`. */
  readonly name: string;
  readonly config: TargetConfig;
  readonly capabilities: TargetCapabilities;
  /**
   * Slack, ms, that checks of the target's timing (intervals between its messages) allow on top of
   * the margin the rule itself gives: a real-time target's timers fire late by its scheduling
   * jitter, and each message is stamped on arrival after a path of its own. Absent or 0: exact
   * (virtual clock, where a timer fires exactly when due). See {@link DEFAULT_TIMING_TOLERANCE_MS}.
   */
  readonly timingToleranceMs?: number;
}

/**
 * Default {@link TargetDescription.timingToleranceMs} of real-time targets, ms. A registrar's
 * timer and the driver's arrival stamp each may lag by a scheduling hiccup of a loaded host or of an
 * emulated guest (rsplib under qemu/TCG: a Presence 1146 ms after the previous one with a 1000 ms
 * cycle, 20 ms past the 12.5 % margin); 100 ms covers several such hiccups, yet is only 10 % of the
 * shortest cycles the fast target configurations use (1000 ms), so an interval that is really too
 * long (e.g. 1.25 × the cycle) still fails. Not multiplied by --timeout-scale, which is for waiting,
 * not judging. A target description may set its own (`network.timingToleranceMs`).
 */
export const DEFAULT_TIMING_TOLERANCE_MS = 100;

/** How a message reached a driver endpoint. */
export type Channel = 'association' | 'incoming' | 'multicast';

/** One message the target sent to a driver endpoint. */
export interface Received {
  readonly message: Message;
  /** The octets on the wire (payload of one SCTP DATA chunk or UDP datagram). */
  readonly bytes: Uint8Array;
  readonly ppid: number;
  readonly channel: Channel;
  /** The association it came on; reply on it with {@link Endpoint.send}'s `on`. */
  readonly association: number;
  /** Target time (ms) of arrival. */
  readonly at: number;
}

/** Options of {@link Target.open}. */
export interface OpenOptions {
  /** Name shown in traces, e.g. `pe1`. */
  readonly name?: string;
  /** Our addresses as the target should see them; the target may assign its own. */
  readonly addresses?: readonly Address[];
  /** Peer PRs: the server ID this endpoint claims (routing of the target's peer messages). */
  readonly serverId?: number;
  /** Open no association now: only listen for the target's incoming ones. */
  readonly passive?: boolean;
  /**
   * Handles messages as they arrive, also while time advances for another endpoint (a PE
   * answering Keep-Alives, a peer answering probes). Return true to consume the message.
   */
  readonly onMessage?: (r: Received, self: Endpoint) => boolean;
}

/** A driver endpoint (one PE, PU or peer PR) and its associations with the target. */
export interface Endpoint {
  readonly name: string;
  readonly role: Role;
  readonly addresses: readonly Address[];
  /** Our SCTP port (ASAP endpoints: where the target reaches the PE). */
  readonly port: number;
  readonly serverId: number | undefined;
  /** The association opened by {@link Target.open} (undefined while passive). */
  readonly association: number | undefined;
  /** Whether the target aborted (or we closed) the main association. */
  readonly closed: boolean;
  /** Current target time, ms. */
  now(): number;
  /** Sends a message (encoded with the codecs) on the main association or on `on`. */
  send(message: Message, on?: number): void;
  /** Sends raw octets with a PPID (default: the role's protocol). */
  sendRaw(bytes: Uint8Array, ppid?: number, on?: number): void;
  /** Next message (any channel) within `withinMs` of target time, or undefined. */
  receive(withinMs: number): Promise<Received | undefined>;
  /** Orderly close of the main association (SCTP SHUTDOWN). */
  close(): void;
  /** SCTP ABORT of the main association. */
  abort(): void;
}

/** One line of a case's exchange, for reports and pcap files. */
export interface TraceEntry {
  readonly at: number;
  readonly direction: 'toTarget' | 'fromTarget' | 'event';
  readonly endpoint: string;
  readonly channel: Channel | 'udp';
  readonly association: number;
  readonly ppid: number;
  readonly bytes: Uint8Array;
  /** Decoded summary, or the event text. */
  readonly text: string;
  /**
   * For `event` entries that change an association's state: what happened to `association`.
   * Capture writers replay it as SCTP handshake, SHUTDOWN or ABORT without parsing `text`.
   */
  readonly associationEvent?: 'up' | 'closedByDriver' | 'abortedByDriver' | 'abortedByTarget';
  /** Addresses/ports for capture files. */
  readonly local?: { readonly address: Address; readonly port: number };
  readonly remote?: { readonly address: Address; readonly port: number };
}

/** The registrar under test. */
export interface Target {
  describe(): TargetDescription;
  /** Current target time, ms. */
  now(): number;
  /** Opens an endpoint in a role (an ASAP association for PE/PU, ENRP for peers). */
  open(role: Role, options?: OpenOptions): Promise<Endpoint>;
  /** Lets `ms` of target time pass, delivering whatever arrives to the endpoints. */
  sleep(ms: number): Promise<void>;
  /** Multicasts an ENRP message (Presence) to the target's announce socket. */
  multicast(message: Message, from: Endpoint): Promise<void>;
  /** Next multicast message from the target within `withinMs`, or undefined. */
  receiveMulticast(withinMs: number): Promise<Received | undefined>;
  /** Start of a case: isolated targets start afresh; shared ones only reset the trace. */
  beginCase(caseId: string): Promise<void>;
  /** End of a case: closes every endpoint it opened; returns its trace. */
  endCase(): Promise<readonly TraceEntry[]>;
  /**
   * The target is known to be gone (its supervisor saw it exit): until the next {@link beginCase},
   * pending and further receives return at once, sleeps end at once and opening an endpoint fails,
   * so the case body gives up instead of waiting out its deadlines. Optional: targets that cannot
   * die this way (in-process) leave it out.
   */
  interrupt?(reason: string): void;
  dispose(): Promise<void>;
}
