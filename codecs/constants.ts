/**
 * Read-only enumerations of the RSerPool wire formats. Each table names where it comes from.
 */

/** SCTP Payload Protocol Identifiers (IANA; rsplib `PPID_ASAP`/`PPID_ENRP`). */
export const PPID = Object.freeze({
  asap: 11,
  enrp: 12,
  /** rsplib used these before IANA assigned 11/12. */
  legacyAsap: 0xfaeeb5d1,
  legacyEnrp: 0xfaeeb5d2,
} as const);

/** Well-known ports (IANA): ASAP 3863 (SCTP/TCP/UDP), ENRP 9901 (SCTP/UDP). */
export const PORT = Object.freeze({ asap: 3863, enrp: 9901, sctpOverUdp: 9899 } as const);

/** ASAP message types, RFC 5352 §2.2.1–2.2.14. */
export const ASAP_TYPE = Object.freeze({
  registration: 0x01,
  deregistration: 0x02,
  registrationResponse: 0x03,
  deregistrationResponse: 0x04,
  handleResolution: 0x05,
  handleResolutionResponse: 0x06,
  endpointKeepAlive: 0x07,
  endpointKeepAliveAck: 0x08,
  endpointUnreachable: 0x09,
  serverAnnounce: 0x0a,
  cookie: 0x0b,
  cookieEcho: 0x0c,
  businessCard: 0x0d,
  error: 0x0e,
} as const);

/** ENRP message types, RFC 5353 §2 (subsection numbers unconfirmed; codes confirmed by rsplib and Wireshark). */
export const ENRP_TYPE = Object.freeze({
  presence: 0x01,
  handleTableRequest: 0x02,
  handleTableResponse: 0x03,
  handleUpdate: 0x04,
  listRequest: 0x05,
  listResponse: 0x06,
  initTakeover: 0x07,
  initTakeoverAck: 0x08,
  takeoverServer: 0x09,
  error: 0x0a,
} as const);

/** Parameter types, RFC 5354 §3 (plus the Handle Resolution Option of draft-dreibholz-rserpool-asap-hropt). */
export const PARAM = Object.freeze({
  ipv4Address: 0x0001,
  ipv6Address: 0x0002,
  dccpTransport: 0x0003,
  sctpTransport: 0x0004,
  tcpTransport: 0x0005,
  udpTransport: 0x0006,
  udpLiteTransport: 0x0007,
  policy: 0x0008,
  poolHandle: 0x0009,
  poolElement: 0x000a,
  serverInformation: 0x000b,
  operationError: 0x000c,
  cookie: 0x000d,
  peIdentifier: 0x000e,
  peChecksum: 0x000f,
  /** 0x003f with action bits 10 ("skip"), as rsplib and Wireshark put it on the wire. */
  handleResolutionOption: 0x803f,
} as const);

/** The same parameters in rsplib's pre-RFC numbering (2007; wire-format §7). Absent ones did not exist. */
export const LEGACY_PARAM = Object.freeze({
  ipv4Address: 0x0001,
  ipv6Address: 0x0002,
  sctpTransport: 0x0003,
  tcpTransport: 0x0004,
  udpTransport: 0x0005,
  policy: 0x0006,
  poolHandle: 0x0007,
  poolElement: 0x0008,
  serverInformation: 0x0009,
  operationError: 0x000a,
  cookie: 0x000b,
  peIdentifier: 0x000c,
  peChecksum: 0x000d,
} as const);

/** Parameter names as keys of {@link PARAM}. */
export type ParamName = keyof typeof PARAM;

/** The two high bits of a parameter type: what to do with an unrecognised one (RFC 5354 §2; same scheme as SCTP). */
export const ACTION = Object.freeze({
  mask: 0xc000,
  /** 00: stop processing, discard silently. */
  stop: 0x0000,
  /** 01: stop, discard, report in an Operation Error with cause Unrecognized Parameter. */
  stopAndReport: 0x4000,
  /** 10: skip this parameter and go on. */
  skip: 0x8000,
  /** 11: skip, go on, and report it. */
  skipAndReport: 0xc000,
} as const);

/** Operation Error cause codes, RFC 5354 §3.12 (names as Wireshark's `cause_code_values`). */
export const CAUSE = Object.freeze({
  unspecifiedError: 0x0000,
  unrecognizedParameter: 0x0001,
  unrecognizedMessage: 0x0002,
  invalidValues: 0x0003,
  nonUniquePeIdentifier: 0x0004,
  inconsistentPoolingPolicy: 0x0005,
  lackOfResources: 0x0006,
  inconsistentTransportType: 0x0007,
  inconsistentDataControlConfiguration: 0x0008,
  unknownPoolHandle: 0x0009,
  rejectedSecurity: 0x000a,
} as const);

/**
 * Private error numbers rsplib writes into the Cause Code field (rsplib `src/rserpoolerror.h`).
 * They are not RFC values; decoders name them as vendor values.
 */
export const RSPLIB_CAUSE = Object.freeze({
  invalidMessage: 0x0010,
  invalidValue: 0x0011,
  wrongProtocol: 0x100a,
  unsupportedPoolPolicy: 0x100b,
  invalidId: 0xf000,
  invalidPoolPolicy: 0xf003,
  invalidPoolHandle: 0xf004,
  invalidAddresses: 0xf005,
  invalidRegistrator: 0xf006,
  noUsableAsapAddresses: 0xf007,
  noUsableUserAddresses: 0xf008,
} as const);

const CAUSE_NAMES: ReadonlyMap<number, string> = new Map([
  ...Object.entries(CAUSE).map(([k, v]) => [v, k] as const),
  ...Object.entries(RSPLIB_CAUSE).map(([k, v]) => [v, `rsplib:${k}`] as const),
]);

/** Name of a cause code: the RFC name, `rsplib:<name>` for rsplib's private numbers, else `unknown`. */
export function causeName(code: number): string {
  return CAUSE_NAMES.get(code) ?? 'unknown';
}

/** Policy type codes, RFC 5356 and rsplib `src/rserpool-policytypes.h` (`policies.md` §2). */
export const POLICY = Object.freeze({
  roundRobin: 0x00000001,
  weightedRoundRobin: 0x00000002,
  random: 0x00000003,
  weightedRandom: 0x00000004,
  priority: 0x00000005,
  leastUsed: 0x40000001,
  leastUsedDegradation: 0x40000002,
  priorityLeastUsed: 0x40000003,
  randomizedLeastUsed: 0x40000004,
  randomizedPriorityLeastUsed: 0xb0001001,
  randomizedLeastUsedDegradation: 0xb0001002,
  priorityLeastUsedDegradation: 0xb0001003,
  randomizedPriorityLeastUsedDegradation: 0xb0001004,
  weightedRandomDpf: 0xb0002001,
  leastUsedDpf: 0xb0002002,
  leastUsedDegradationDpf: 0xb0002003,
} as const);

/**
 * The words each policy carries after its type, in wire order (`policies.md` §2, wire-format §4.4).
 * A policy TLV is 8 + 4 × words long.
 */
export const POLICY_WORDS: Readonly<Record<keyof typeof POLICY, readonly (keyof import('./types.js').PolicyValues)[]>> =
  Object.freeze({
    roundRobin: [],
    weightedRoundRobin: ['weight'],
    random: [],
    weightedRandom: ['weight'],
    priority: ['priority'],
    leastUsed: ['load'],
    leastUsedDegradation: ['load', 'loadDegradation'],
    priorityLeastUsed: ['load', 'loadDegradation'],
    randomizedLeastUsed: ['load'],
    randomizedPriorityLeastUsed: ['load', 'loadDegradation'],
    randomizedLeastUsedDegradation: ['load', 'loadDegradation'],
    priorityLeastUsedDegradation: ['load', 'loadDegradation'],
    randomizedPriorityLeastUsedDegradation: ['load', 'loadDegradation'],
    weightedRandomDpf: ['weight', 'weightDpf', 'distance'],
    leastUsedDpf: ['load', 'loadDpf', 'distance'],
    leastUsedDegradationDpf: ['load', 'loadDegradation', 'loadDpf', 'distance'],
  });

/** Legacy 8-bit policy codes of the 2007 encoding (wire-format §7). */
export const LEGACY_POLICY = Object.freeze({
  roundRobin: 0x01,
  weightedRoundRobin: 0x02,
  random: 0x03,
  weightedRandom: 0x04,
  leastUsed: 0x05,
  leastUsedDegradation: 0x06,
  randomizedLeastUsed: 0x07,
  randomizedLeastUsedDegradation: 0x08,
  priorityLeastUsed: 0x09,
  priorityLeastUsedDegradation: 0x0a,
  randomizedPriorityLeastUsed: 0x0b,
  randomizedPriorityLeastUsedDegradation: 0x0c,
  weightedRandomDpf: 0x20,
  leastUsedDpf: 0x21,
  leastUsedDegradationDpf: 0x22,
} as const);

/** ENRP Handle Update actions (RFC 5353; rsplib `PNUP_ADD_PE`/`PNUP_DEL_PE`). */
export const UPDATE_ACTION = Object.freeze({ addPe: 0x0000, delPe: 0x0001 } as const);

/** Transport Use values (RFC 5354 §3.4). */
export const TRANSPORT_USE = Object.freeze({ dataOnly: 0x0000, dataPlusControl: 0x0001 } as const);

/** rsplib's limits that the codecs check in strict mode or report (rsplib `MAX_POOLHANDLESIZE`, `MAX_PE_TRANSPORTADDRESSES`). */
export const LIMITS = Object.freeze({ maxPoolHandle: 32, maxAddresses: 64 } as const);

/** Invert a name→code table into code→name. */
export function invert<K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as number, k as K]));
}
