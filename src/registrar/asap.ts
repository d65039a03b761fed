/**
 * ASAP towards PEs and PUs (RFC 5352; `registrar-behaviour.md` §4, §5).
 */
import {
  CAUSE,
  RSPLIB_CAUSE,
  dccpTransport,
  policyParameter,
  sctpTransport,
  tcpTransport,
  udpLiteTransport,
  udpTransport,
  type AsapDeregistration,
  type AsapEndpointKeepAliveAck,
  type AsapEndpointUnreachable,
  type AsapHandleResolution,
  type AsapMessage,
  type AsapRegistration,
  type ErrorCause,
  type Policy,
  type TransportParameter,
} from '../../codecs/index.js';
import type { PoolElementEntry } from '../handlespace/index.js';
import { sameAddress, scopeAllowed } from './addresses.js';
import { type AssociationState, RegistrarCore, hexOf } from './core.js';

/** Dispatches one decoded ASAP message received on `association`. */
export function handleAsap(core: RegistrarCore, association: number, m: AsapMessage): void {
  switch (m.type) {
    case 'registration':
      return register(core, association, m);
    case 'deregistration':
      return deregister(core, association, m);
    case 'handleResolution':
      return resolve(core, association, m);
    case 'endpointKeepAliveAck':
      return keepAliveAck(core, association, m);
    case 'endpointUnreachable':
      return unreachable(core, m);
    case 'error':
      // ER-3: a received Error is parsed and dropped, never answered.
      core.log('info', 'asap.errorReceived', 'ER-3', { association, causes: m.operationError.causes.map((c) => c.code).join(',') });
      return;
    default:
      // ER-3: valid messages a registrar does not expect (responses, announces, Keep-Alives) are ignored.
      core.log('debug', 'asap.ignored', 'ER-3', { association, type: m.type });
  }
}

function registrationResponse(core: RegistrarCore, association: number, m: AsapRegistration, cause?: number | ErrorCause): void {
  const c = typeof cause === 'number' ? RegistrarCore.bare(cause) : cause;
  core.send(association, {
    protocol: 'asap',
    type: 'registrationResponse',
    flags: { R: c !== undefined },
    poolHandle: m.poolHandle,
    peId: m.poolElement.peId,
    ...(c !== undefined ? { operationError: { causes: [c] } } : {}),
  });
}

function refuse(core: RegistrarCore, association: number, m: AsapRegistration, cause: number | ErrorCause, requirement: string, why: string): void {
  const code = typeof cause === 'number' ? cause : cause.code;
  core.log('info', 'registration.refused', requirement, { association, peId: m.poolElement.peId, cause: code, why });
  registrationResponse(core, association, m, cause);
}

/**
 * REG-4 / REG-5 (RFC 5354 §3.12): Inconsistent Pooling Policy carries the offending policy
 * parameter and Inconsistent Transport Type the offending transport parameter as cause info.
 * rsplib sends both without info, so its profile keeps them bare.
 */
function refusalCause(core: RegistrarCore, code: number, violation: string, pe: { policy: Policy; userTransport: TransportParameter }): ErrorCause {
  if (core.config.causeProfile !== 'rfc') return RegistrarCore.bare(code);
  if (violation === 'policyType') return { code, info: policyParameter.encode(pe.policy) };
  if (violation === 'transportType') {
    const codec = TRANSPORT_CODECS[pe.userTransport.transport];
    return { code, info: codec.encode(pe.userTransport) };
  }
  return RegistrarCore.bare(code);
}

const TRANSPORT_CODECS = {
  sctp: sctpTransport,
  tcp: tcpTransport,
  udp: udpTransport,
  udpLite: udpLiteTransport,
  dccp: dccpTransport,
} as const;

function asapErrorReply(core: RegistrarCore, association: number, cause: number, requirement: string, why: string): void {
  core.log('warn', 'asap.error', requirement, { association, cause, why });
  core.send(association, core.asapError(RegistrarCore.bare(cause)));
}

/** REG-8: the user transport restricted to addresses of the association in an allowed scope. */
function checkedUserTransport(core: RegistrarCore, t: TransportParameter, a: AssociationState): TransportParameter {
  if (!core.config.checkAddresses) return t;
  const addresses = t.addresses.filter(
    (x) => scopeAllowed(x, core.config.minAddressScope) && a.peerAddresses.some((p) => sameAddress(p, x)),
  );
  return { ...t, addresses };
}

/** REG-8: the PE's ASAP endpoint is the association's remote side. */
function asapTransportOf(core: RegistrarCore, a: AssociationState): TransportParameter {
  const addresses = core.config.checkAddresses
    ? a.peerAddresses.filter((x) => scopeAllowed(x, core.config.minAddressScope))
    : a.peerAddresses;
  return { transport: 'sctp', port: a.peerPort, transportUse: 'dataOnly', addresses };
}

function register(core: RegistrarCore, association: number, m: AsapRegistration): void {
  const cfg = core.config;
  const pe = m.poolElement;
  const a = core.associations.get(association);
  if (a === undefined) return;
  // REG-9: a Registration must not carry an ASAP transport; rsplib answers ASAP_ERROR 0xf006.
  if (pe.asapTransport !== undefined) {
    return asapErrorReply(core, association, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.invalidRegistrator), 'REG-9', 'ASAP transport in registration');
  }
  // REG-11: empty handles are invalid values; longer than the limit is rsplib's "invalid value".
  if (m.poolHandle.length === 0) return asapErrorReply(core, association, CAUSE.invalidValues, 'REG-11', 'empty pool handle');
  if (m.poolHandle.length > cfg.maxPoolHandleSize) {
    return asapErrorReply(core, association, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.invalidValue), 'REG-11', 'pool handle too long');
  }
  // REG-10: the pre-RFC policy numbering is not registrable here (UNCONFIRMED which RFC cause fits;
  // the RFC profile uses Invalid Values, rsplib its "unsupported pool policy").
  if (pe.policy.name === 'legacy') {
    return asapErrorReply(core, association, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.unsupportedPoolPolicy), 'REG-10', 'legacy policy');
  }
  const policy: Policy = pe.policy;
  // REG-10 (rsplib-only): DCCP and UDP-Lite user transports are dropped without any answer.
  if (cfg.causeProfile === 'rsplib' && (pe.userTransport.transport === 'dccp' || pe.userTransport.transport === 'udpLite')) {
    core.log('info', 'registration.dropped', 'REG-10', { association, transport: pe.userTransport.transport });
    return;
  }
  // REG-7: PE ID 0 is never valid (rsplib 0xf000; RFC profile: Invalid Values, UNCONFIRMED).
  if (pe.peId === 0) return refuse(core, association, m, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.invalidId), 'REG-7', 'PE ID 0');
  // REG-8: user port 0, no addresses or too many (rsplib 0xf005).
  const ut = pe.userTransport;
  if (ut.port === 0 || ut.addresses.length === 0 || ut.addresses.length > cfg.maxAddresses) {
    return refuse(core, association, m, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.invalidAddresses), 'REG-8', 'bad user transport port or address count');
  }
  // REG-8: keep only addresses that are the association's own and wide enough in scope.
  const userTransport = checkedUserTransport(core, ut, a);
  if (userTransport.addresses.length === 0) {
    return refuse(core, association, m, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.noUsableUserAddresses), 'REG-8', 'no usable user address');
  }
  const asapTransport = asapTransportOf(core, a);
  if (asapTransport.addresses.length === 0) {
    return refuse(core, association, m, core.cause(CAUSE.invalidValues, RSPLIB_CAUSE.noUsableAsapAddresses), 'REG-8', 'no usable ASAP address');
  }
  const hs = core.handlespace;
  const existing = hs.find(m.poolHandle, pe.peId);
  // REG-7: the same PE ID bound to another live association of this PR is another PE
  // (RFC reading, UNCONFIRMED); rsplib applies it as an update regardless.
  if (
    cfg.duplicatePeId === 'reject' &&
    existing !== undefined &&
    existing.association !== undefined &&
    existing.association !== association &&
    core.associations.has(existing.association)
  ) {
    return refuse(core, association, m, CAUSE.nonUniquePeIdentifier, 'REG-7', 'PE ID in use by another PE');
  }
  // Resource limit: a pool holds at most maxPoolElementsPerPool PEs (Lack of Resources).
  const pool = hs.findPool(m.poolHandle);
  if (existing === undefined && pool !== undefined && pool.size >= cfg.maxPoolElementsPerPool) {
    return refuse(core, association, m, CAUSE.lackOfResources, 'REG-1', 'pool full');
  }
  const now = core.now();
  // REG-2: this PR becomes home, whatever Home ID the PE sent. REG-14: Keep-Alive due after the interval.
  const outcome = hs.register(
    m.poolHandle,
    { ...pe, policy, userTransport, asapTransport, homeRegistrarId: core.id },
    'keepAliveTransmission',
    now + cfg.keepAliveTransmissionInterval,
    association,
  );
  if (!outcome.ok) {
    // REG-4 … REG-6; REG-5 differs: RFC 0x0007, rsplib 0x100a.
    const code = core.cause(outcome.rfcCause, outcome.rsplibCause);
    return refuse(core, association, m, refusalCause(core, code, outcome.violation, { policy, userTransport }), outcome.requirement, outcome.violation);
  }
  // REG-1: success answer with the same handle and PE ID.
  registrationResponse(core, association, m);
  // REG-13 / RR-1 / HU-1: announce every registration and re-registration with ADD_PE.
  core.announceUpdate(outcome.entry, 'add');
  core.log('info', outcome.created ? 'pe.registered' : 'pe.reregistered', outcome.created ? 'REG-2' : 'RR-1', {
    association,
    peId: pe.peId,
    pool: hexOf(m.poolHandle),
    poolCreated: outcome.poolCreated,
  });
}

function deregister(core: RegistrarCore, association: number, m: AsapDeregistration): void {
  // DR-3 (rsplib): any association may deregister any PE; no ownership check.
  const e = core.handlespace.find(m.poolHandle, m.peId);
  if (e !== undefined) {
    // DR-2: every removal this PR performs goes out as DEL_PE.
    core.removePe(e, 'deregistration', 'DR-1', true);
  }
  // DR-1: answered with success, also for an unknown PE (rsplib; the RFC case is UNCONFIRMED).
  core.send(association, { protocol: 'asap', type: 'deregistrationResponse', poolHandle: m.poolHandle, peId: m.peId });
}

function resolve(core: RegistrarCore, association: number, m: AsapHandleResolution): void {
  // HR-3: the Items option (0 or absent = default, 0xFFFFFFFF = all; the handlespace caps at 128).
  const items = m.items === undefined || m.items === 0 ? core.config.maxHandleResolutionItems : m.items;
  const chosen: PoolElementEntry[] = [];
  const found = core.handlespace.resolve(m.poolHandle, items, chosen);
  if (found === undefined) {
    // HR-2: Unknown Pool Handle, no PEs, no policy.
    core.send(association, {
      protocol: 'asap',
      type: 'handleResolutionResponse',
      poolHandle: m.poolHandle,
      poolElements: [],
      operationError: { causes: [RegistrarCore.bare(CAUSE.unknownPoolHandle)] },
    });
    core.log('info', 'resolution.unknownPool', 'HR-2', { association, pool: hexOf(m.poolHandle) });
    return;
  }
  const first = chosen[0];
  // HR-1 / policies.md §3.7: one policy TLV copied from the first PE, then the PEs without ASAP transport.
  core.send(association, {
    protocol: 'asap',
    type: 'handleResolutionResponse',
    poolHandle: m.poolHandle,
    ...(first !== undefined ? { policy: first.policy } : {}),
    poolElements: chosen.map((e) => core.poolElementOf(e, false)),
  });
  core.log('debug', 'resolution.answered', 'HR-1', { association, count: chosen.length });
}

function keepAliveAck(core: RegistrarCore, association: number, m: AsapEndpointKeepAliveAck): void {
  const e = core.handlespace.find(m.poolHandle, m.peId);
  // KA-2: an Ack for an unknown PE, or one this PR does not monitor, is ignored.
  if (e === undefined || e.homeRegistrarId !== core.id) return;
  // A PE taken over (TO-3) answers on the new association: monitor it there from now on.
  if (e.association === undefined) core.handlespace.setAssociation(e, association);
  // KA-2: any Ack, solicited or not, restarts the transmission timer.
  core.handlespace.scheduleTimer(e, 'keepAliveTransmission', core.now() + core.config.keepAliveTransmissionInterval);
}

function unreachable(core: RegistrarCore, m: AsapEndpointUnreachable): void {
  const e = core.handlespace.find(m.poolHandle, m.peId);
  if (e === undefined) return; // EU-2: unknown PE ignored, no answer ever.
  // EU-2: every report counts (duplicates too) and the count never resets while the entry lives.
  e.unreachabilityReports++;
  if (e.unreachabilityReports < core.config.maxBadPeReports) return;
  // EU-2: at the threshold an own PE is announced with DEL_PE; a foreign one only disappears here.
  core.removePe(e, 'unreachable', 'EU-2', e.homeRegistrarId === core.id);
}

/** PE timers: Keep-Alive transmission / timeout (KA-1, KA-3) and foreign expiry (REG-12). */
export function runPeTimer(core: RegistrarCore, e: PoolElementEntry, onAbort: (association: number, reason: string) => void): void {
  const now = core.now();
  const cfg = core.config;
  switch (e.timerKind) {
    case 'keepAliveTransmission': {
      // KA-1: Keep-Alive with H = 0 and rsplib's PE Identifier, on the registration association.
      const ka: AsapMessage = { protocol: 'asap', type: 'endpointKeepAlive', flags: { H: false }, serverId: core.id, poolHandle: e.poolHandle, peId: e.peId };
      if (e.association !== undefined) core.send(e.association, ka);
      else if (e.asapTransport !== undefined) core.emit({ kind: 'sendEndpoint', transport: e.asapTransport, message: ka });
      core.handlespace.scheduleTimer(e, 'keepAliveTimeout', now + cfg.keepAliveTimeoutInterval);
      return;
    }
    case 'keepAliveTimeout': {
      // KA-3: no Ack in time: the PE is dead; rsplib aborts its association, then DEL_PE.
      const association = e.association;
      core.removePe(e, 'keepAliveTimeout', 'KA-3', true);
      if (association !== undefined) onAbort(association, 'keep-alive timeout');
      return;
    }
    case 'expiry':
      // REG-12: a foreign PE not refreshed within its Registration Life disappears locally.
      core.removePe(e, 'expired', 'REG-12', false);
      return;
  }
}
