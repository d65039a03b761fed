/**
 * Typed values of every RSerPool message and parameter (RFC 5352, 5353, 5354, 5356).
 *
 * Byte strings are `Uint8Array`; addresses are their textual form (`10.0.0.1`, `2001:db8::1`).
 * Values are canonical: they carry no padding or length details, so `decode(encode(v))` equals `v`.
 */

/** Which of the two encodings a message uses: RFC 5354 numbering, or rsplib's pre-RFC one (2007). */
export type Profile = 'rfc' | 'legacy';

/** An IPv4 or IPv6 Address parameter (RFC 5354 §3.1, §3.2). */
export type Address =
  | { readonly family: 'ipv4'; readonly address: string }
  | { readonly family: 'ipv6'; readonly address: string };

/** Transport Use of SCTP and TCP transport parameters (RFC 5354 §3.4, §3.5). */
export type TransportUse = 'dataOnly' | 'dataPlusControl';

/** One of the five transport parameters (RFC 5354 §3.3–3.7). */
export type TransportParameter =
  | {
      readonly transport: 'sctp';
      readonly port: number;
      readonly transportUse: TransportUse;
      readonly addresses: readonly Address[];
    }
  | {
      readonly transport: 'tcp';
      readonly port: number;
      readonly transportUse: TransportUse;
      readonly addresses: readonly Address[];
    }
  | { readonly transport: 'udp'; readonly port: number; readonly addresses: readonly Address[] }
  | { readonly transport: 'udpLite'; readonly port: number; readonly addresses: readonly Address[] }
  | {
      readonly transport: 'dccp';
      readonly port: number;
      readonly serviceCode: number;
      readonly addresses: readonly Address[];
    };

/** Names of the selection policies of RFC 5356 and rsplib's 0xb000xxxx extras. */
export type PolicyName =
  | 'roundRobin'
  | 'weightedRoundRobin'
  | 'random'
  | 'weightedRandom'
  | 'priority'
  | 'leastUsed'
  | 'leastUsedDegradation'
  | 'priorityLeastUsed'
  | 'randomizedLeastUsed'
  | 'randomizedPriorityLeastUsed'
  | 'randomizedLeastUsedDegradation'
  | 'priorityLeastUsedDegradation'
  | 'randomizedPriorityLeastUsedDegradation'
  | 'weightedRandomDpf'
  | 'leastUsedDpf'
  | 'leastUsedDegradationDpf';

/** Words a policy may carry, all unsigned 32-bit (RFC 5356; `policies.md` §1). */
export interface PolicyValues {
  readonly weight?: number;
  readonly priority?: number;
  readonly load?: number;
  readonly loadDegradation?: number;
  readonly loadDpf?: number;
  readonly weightDpf?: number;
  readonly distance?: number;
}

/** Pool Member Selection Policy parameter (RFC 5354 §3.8) in RFC numbering. */
export type Policy = { readonly name: PolicyName } & PolicyValues;

/**
 * The pre-RFC policy parameter of the 2007 capture: an 8-bit type with 24-bit values, then
 * further 24-bit words (wire-format §7).
 */
export interface LegacyPolicy {
  readonly name: 'legacy';
  /** The 8-bit legacy type code. */
  readonly legacyType: number;
  /** The 24-bit value that shares the first word with the type. */
  readonly value: number;
  /** Further 32-bit words as sent (degradation policies: a pad octet and a 24-bit value). */
  readonly extraWords: readonly number[];
}

/** A policy as it can appear on the wire, in either profile. */
export type AnyPolicy = Policy | LegacyPolicy;

/** Pool Element parameter (RFC 5354 §3.10). */
export interface PoolElement {
  readonly peId: number;
  readonly homeRegistrarId: number;
  /** Registration Life in milliseconds (unsigned on the wire here; Wireshark shows it signed). */
  readonly registrationLife: number;
  readonly userTransport: TransportParameter;
  readonly policy: AnyPolicy;
  /** The PE's ASAP endpoint: present only in ENRP messages (and in legacy handle resolution responses). */
  readonly asapTransport?: TransportParameter;
}

/** Server Information parameter (RFC 5354 §3.11). */
export interface ServerInformation {
  readonly serverId: number;
  readonly transport: TransportParameter;
  /** Legacy profile only: the 32-bit flags word that followed the ID, as its four wire octets. */
  readonly legacyFlags?: Uint8Array;
}

/** One cause of an Operation Error parameter (RFC 5354 §3.12); `info` is kept as raw octets. */
export interface ErrorCause {
  readonly code: number;
  readonly info: Uint8Array;
}

/** Operation Error parameter: one or more causes. */
export interface OperationError {
  readonly causes: readonly ErrorCause[];
}

// ---------------------------------------------------------------------------------------------
// ASAP messages (RFC 5352 §2.2)

interface AsapBase {
  readonly protocol: 'asap';
  /** Set when the message uses the pre-RFC parameter numbering. Absent means RFC 5354. */
  readonly profile?: 'legacy';
  /** Flag bits this type does not define, as received; sent as 0 normally. */
  readonly reservedFlags?: number;
}

export interface AsapRegistration extends AsapBase {
  readonly type: 'registration';
  readonly poolHandle: Uint8Array;
  readonly poolElement: PoolElement;
}
export interface AsapDeregistration extends AsapBase {
  readonly type: 'deregistration';
  readonly poolHandle: Uint8Array;
  readonly peId: number;
}
export interface AsapRegistrationResponse extends AsapBase {
  readonly type: 'registrationResponse';
  readonly flags: { readonly R: boolean };
  readonly poolHandle: Uint8Array;
  readonly peId: number;
  readonly operationError?: OperationError;
}
export interface AsapDeregistrationResponse extends AsapBase {
  readonly type: 'deregistrationResponse';
  readonly poolHandle: Uint8Array;
  readonly peId: number;
  readonly operationError?: OperationError;
}
export interface AsapHandleResolution extends AsapBase {
  readonly type: 'handleResolution';
  readonly poolHandle: Uint8Array;
  /** Items of the Handle Resolution Option 0x803f (draft-dreibholz-rserpool-asap-hropt). */
  readonly items?: number;
}
export interface AsapHandleResolutionResponse extends AsapBase {
  readonly type: 'handleResolutionResponse';
  readonly poolHandle: Uint8Array;
  readonly policy?: AnyPolicy;
  readonly poolElements: readonly PoolElement[];
  readonly operationError?: OperationError;
}
export interface AsapEndpointKeepAlive extends AsapBase {
  readonly type: 'endpointKeepAlive';
  readonly flags: { readonly H: boolean };
  readonly serverId: number;
  readonly poolHandle: Uint8Array;
  /** rsplib's addition naming the probed PE. */
  readonly peId?: number;
}
export interface AsapEndpointKeepAliveAck extends AsapBase {
  readonly type: 'endpointKeepAliveAck';
  readonly poolHandle: Uint8Array;
  readonly peId: number;
}
export interface AsapEndpointUnreachable extends AsapBase {
  readonly type: 'endpointUnreachable';
  readonly poolHandle: Uint8Array;
  readonly peId: number;
}
export interface AsapServerAnnounce extends AsapBase {
  readonly type: 'serverAnnounce';
  readonly serverId: number;
  readonly transports: readonly TransportParameter[];
}
export interface AsapCookie extends AsapBase {
  readonly type: 'cookie';
  readonly cookie: Uint8Array;
}
export interface AsapCookieEcho extends AsapBase {
  readonly type: 'cookieEcho';
  readonly cookie: Uint8Array;
}
export interface AsapBusinessCard extends AsapBase {
  readonly type: 'businessCard';
  readonly poolHandle: Uint8Array;
  /** rsplib writes a policy parameter before the PEs; the RFC layout has none. */
  readonly policy?: AnyPolicy;
  readonly poolElements: readonly PoolElement[];
}
export interface AsapError extends AsapBase {
  readonly type: 'error';
  readonly operationError: OperationError;
}

/** Every ASAP message, discriminated by `type`. */
export type AsapMessage =
  | AsapRegistration
  | AsapDeregistration
  | AsapRegistrationResponse
  | AsapDeregistrationResponse
  | AsapHandleResolution
  | AsapHandleResolutionResponse
  | AsapEndpointKeepAlive
  | AsapEndpointKeepAliveAck
  | AsapEndpointUnreachable
  | AsapServerAnnounce
  | AsapCookie
  | AsapCookieEcho
  | AsapBusinessCard
  | AsapError;

// ---------------------------------------------------------------------------------------------
// ENRP messages (RFC 5353 §2)

interface EnrpBase {
  readonly protocol: 'enrp';
  readonly profile?: 'legacy';
  readonly reservedFlags?: number;
  readonly senderId: number;
  readonly receiverId: number;
}

export interface EnrpPresence extends EnrpBase {
  readonly type: 'presence';
  readonly flags: { readonly R: boolean };
  readonly peChecksum: number;
  readonly serverInformation?: ServerInformation;
}
export interface EnrpHandleTableRequest extends EnrpBase {
  readonly type: 'handleTableRequest';
  readonly flags: { readonly W: boolean };
}
/** One pool group of a Handle Table Response: a Pool Handle followed by its PEs. */
export interface PoolEntry {
  readonly poolHandle: Uint8Array;
  readonly poolElements: readonly PoolElement[];
}
export interface EnrpHandleTableResponse extends EnrpBase {
  readonly type: 'handleTableResponse';
  readonly flags: { readonly R: boolean; readonly M: boolean };
  readonly pools: readonly PoolEntry[];
}
export interface EnrpHandleUpdate extends EnrpBase {
  readonly type: 'handleUpdate';
  readonly flags: { readonly T: boolean };
  /** 0 = ADD_PE, 1 = DEL_PE; other values are carried as received. */
  readonly updateAction: number;
  readonly reserved?: number;
  readonly poolHandle: Uint8Array;
  readonly poolElement: PoolElement;
}
export interface EnrpListRequest extends EnrpBase {
  readonly type: 'listRequest';
}
export interface EnrpListResponse extends EnrpBase {
  readonly type: 'listResponse';
  readonly flags: { readonly R: boolean };
  readonly servers: readonly ServerInformation[];
}
export interface EnrpInitTakeover extends EnrpBase {
  readonly type: 'initTakeover';
  readonly targetId: number;
}
export interface EnrpInitTakeoverAck extends EnrpBase {
  readonly type: 'initTakeoverAck';
  readonly targetId: number;
}
export interface EnrpTakeoverServer extends EnrpBase {
  readonly type: 'takeoverServer';
  readonly targetId: number;
}
export interface EnrpError extends EnrpBase {
  readonly type: 'error';
  readonly operationError: OperationError;
}

/** Every ENRP message, discriminated by `type`. */
export type EnrpMessage =
  | EnrpPresence
  | EnrpHandleTableRequest
  | EnrpHandleTableResponse
  | EnrpHandleUpdate
  | EnrpListRequest
  | EnrpListResponse
  | EnrpInitTakeover
  | EnrpInitTakeoverAck
  | EnrpTakeoverServer
  | EnrpError;

/** Any RSerPool message. */
export type Message = AsapMessage | EnrpMessage;

/** The protocol a message belongs to; decided by the SCTP PPID (11/12) or the UDP port. */
export type Protocol = Message['protocol'];

/** Result of every codec's `decode`: the value and how many octets it consumed. */
export interface Decoded<T> {
  readonly value: T;
  readonly bytesRead: number;
}
