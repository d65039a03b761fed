/**
 * fast-check arbitraries for every parameter and message, producing canonical values (so that
 * `decode(encode(v))` equals `v`). Shared by the property tests and the fuzzers.
 */
import fc from 'fast-check';
import { POLICY_WORDS } from './constants.js';
import { ipv6ToText } from './ip-text.js';
import type {
  Address,
  AsapMessage,
  EnrpMessage,
  ErrorCause,
  Message,
  OperationError,
  Policy,
  PolicyName,
  PoolElement,
  PoolEntry,
  ServerInformation,
  TransportParameter,
} from './types.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Omit keys whose value is undefined (absent optional fields). */
function drop<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** IPv4 or IPv6 address, textual and canonical. */
export const address: fc.Arbitrary<Address> = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c, d]): Address => ({ family: 'ipv4', address: `${a}.${b}.${c}.${d}` })),
  bytes(16, 16).map((b): Address => ({ family: 'ipv6', address: ipv6ToText(b) })),
);

const transportUse = fc.constantFrom('dataOnly' as const, 'dataPlusControl' as const);

/** Any of the five transport parameters, with the address count each allows. */
export const transport: fc.Arbitrary<TransportParameter> = fc.oneof(
  fc.record({ transport: fc.constant('sctp' as const), port: u16, transportUse, addresses: fc.array(address, { minLength: 1, maxLength: 4 }) }),
  fc.record({ transport: fc.constant('tcp' as const), port: u16, transportUse, addresses: fc.array(address, { minLength: 1, maxLength: 1 }) }),
  fc.record({ transport: fc.constant('udp' as const), port: u16, addresses: fc.array(address, { minLength: 1, maxLength: 1 }) }),
  fc.record({ transport: fc.constant('udpLite' as const), port: u16, addresses: fc.array(address, { minLength: 1, maxLength: 1 }) }),
  fc.record({ transport: fc.constant('dccp' as const), port: u16, serviceCode: u32, addresses: fc.array(address, { minLength: 1, maxLength: 1 }) }),
);

/** An SCTP transport (the only kind a PE's ASAP transport or a server's ENRP transport should be). */
export const sctpTransport: fc.Arbitrary<TransportParameter> = fc.record({
  transport: fc.constant('sctp' as const),
  port: u16,
  transportUse,
  addresses: fc.array(address, { minLength: 1, maxLength: 3 }),
});

/** Every RFC 5356 / rsplib policy with its words. */
export const policy: fc.Arbitrary<Policy> = fc
  .constantFrom(...(Object.keys(POLICY_WORDS) as PolicyName[]))
  .chain((name) =>
    fc.array(u32, { minLength: POLICY_WORDS[name].length, maxLength: POLICY_WORDS[name].length }).map((words) => {
      const p: Record<string, unknown> = { name };
      POLICY_WORDS[name].forEach((w, i) => {
        p[w] = words[i];
      });
      return p as unknown as Policy;
    }),
  );

/** A pool handle: 1–48 arbitrary octets (identity is octets and length). */
export const poolHandle: fc.Arbitrary<Uint8Array> = bytes(1, 48);

/** A Pool Element; `withAsap` decides whether the ASAP transport is present (ENRP) or not (ASAP). */
export const poolElement = (withAsap: boolean): fc.Arbitrary<PoolElement> =>
  fc
    .record({
      peId: u32,
      homeRegistrarId: u32,
      registrationLife: u32,
      userTransport: transport,
      policy,
      asapTransport: withAsap ? sctpTransport : fc.constant(undefined),
    })
    .map(drop) as fc.Arbitrary<PoolElement>;

/** Server Information with an SCTP transport. */
export const serverInformation: fc.Arbitrary<ServerInformation> = fc.record({ serverId: u32, transport: sctpTransport });

/** One cause with raw info. */
export const errorCause: fc.Arbitrary<ErrorCause> = fc.record({ code: u16, info: bytes(0, 24) });
/** Operation Error with 1–3 causes. */
export const operationError: fc.Arbitrary<OperationError> = fc.record({ causes: fc.array(errorCause, { minLength: 1, maxLength: 3 }) });

const asap = <T extends object>(a: fc.Arbitrary<T>) => a.map((m) => drop({ protocol: 'asap' as const, ...m }));

/** Arbitraries for each ASAP message type. */
export const asapMessages: Readonly<Record<AsapMessage['type'], fc.Arbitrary<AsapMessage>>> = {
  registration: asap(fc.record({ type: fc.constant('registration' as const), poolHandle, poolElement: poolElement(false) })),
  deregistration: asap(fc.record({ type: fc.constant('deregistration' as const), poolHandle, peId: u32 })),
  registrationResponse: asap(
    fc.record({ type: fc.constant('registrationResponse' as const), flags: fc.record({ R: fc.boolean() }), poolHandle, peId: u32, operationError: maybe(operationError) }),
  ),
  deregistrationResponse: asap(
    fc.record({ type: fc.constant('deregistrationResponse' as const), poolHandle, peId: u32, operationError: maybe(operationError) }),
  ),
  handleResolution: asap(fc.record({ type: fc.constant('handleResolution' as const), poolHandle, items: maybe(u32) })),
  handleResolutionResponse: asap(
    fc.oneof(
      fc.record({ type: fc.constant('handleResolutionResponse' as const), poolHandle, poolElements: fc.constant([]), operationError }),
      fc.record({
        type: fc.constant('handleResolutionResponse' as const),
        poolHandle,
        policy: maybe(policy),
        poolElements: fc.array(poolElement(false), { maxLength: 4 }),
      }),
    ),
  ),
  endpointKeepAlive: asap(
    fc.record({ type: fc.constant('endpointKeepAlive' as const), flags: fc.record({ H: fc.boolean() }), serverId: u32, poolHandle, peId: maybe(u32) }),
  ),
  endpointKeepAliveAck: asap(fc.record({ type: fc.constant('endpointKeepAliveAck' as const), poolHandle, peId: u32 })),
  endpointUnreachable: asap(fc.record({ type: fc.constant('endpointUnreachable' as const), poolHandle, peId: u32 })),
  serverAnnounce: asap(fc.record({ type: fc.constant('serverAnnounce' as const), serverId: u32, transports: fc.array(transport, { maxLength: 3 }) })),
  cookie: asap(fc.record({ type: fc.constant('cookie' as const), cookie: bytes(1, 64) })),
  cookieEcho: asap(fc.record({ type: fc.constant('cookieEcho' as const), cookie: bytes(1, 64) })),
  businessCard: asap(
    fc.record({ type: fc.constant('businessCard' as const), poolHandle, policy: maybe(policy), poolElements: fc.array(poolElement(false), { minLength: 1, maxLength: 3 }) }),
  ),
  error: asap(fc.record({ type: fc.constant('error' as const), operationError })),
} as Record<AsapMessage['type'], fc.Arbitrary<AsapMessage>>;

const ids = { senderId: u32, receiverId: u32 };
const enrp = <T extends object>(a: fc.Arbitrary<T>) => a.map((m) => drop({ protocol: 'enrp' as const, ...m }));
const poolEntry: fc.Arbitrary<PoolEntry> = fc.record({ poolHandle, poolElements: fc.array(poolElement(true), { minLength: 1, maxLength: 3 }) });

/** Arbitraries for each ENRP message type. */
export const enrpMessages: Readonly<Record<EnrpMessage['type'], fc.Arbitrary<EnrpMessage>>> = {
  presence: enrp(fc.record({ type: fc.constant('presence' as const), flags: fc.record({ R: fc.boolean() }), ...ids, peChecksum: u16, serverInformation: maybe(serverInformation) })),
  handleTableRequest: enrp(fc.record({ type: fc.constant('handleTableRequest' as const), flags: fc.record({ W: fc.boolean() }), ...ids })),
  handleTableResponse: enrp(
    fc.record({ type: fc.constant('handleTableResponse' as const), flags: fc.record({ R: fc.boolean(), M: fc.boolean() }), ...ids, pools: fc.array(poolEntry, { maxLength: 3 }) }),
  ),
  handleUpdate: enrp(
    fc.record({
      type: fc.constant('handleUpdate' as const),
      flags: fc.record({ T: fc.boolean() }),
      ...ids,
      updateAction: fc.oneof(fc.constantFrom(0, 1), u16),
      poolHandle,
      poolElement: poolElement(true),
    }),
  ),
  listRequest: enrp(fc.record({ type: fc.constant('listRequest' as const), ...ids })),
  listResponse: enrp(fc.record({ type: fc.constant('listResponse' as const), flags: fc.record({ R: fc.boolean() }), ...ids, servers: fc.array(serverInformation, { maxLength: 4 }) })),
  initTakeover: enrp(fc.record({ type: fc.constant('initTakeover' as const), ...ids, targetId: u32 })),
  initTakeoverAck: enrp(fc.record({ type: fc.constant('initTakeoverAck' as const), ...ids, targetId: u32 })),
  takeoverServer: enrp(fc.record({ type: fc.constant('takeoverServer' as const), ...ids, targetId: u32 })),
  error: enrp(fc.record({ type: fc.constant('error' as const), ...ids, operationError })),
} as Record<EnrpMessage['type'], fc.Arbitrary<EnrpMessage>>;

/** Any ASAP or ENRP message. */
export const message: fc.Arbitrary<Message> = fc.oneof(...Object.values(asapMessages), ...Object.values(enrpMessages));
