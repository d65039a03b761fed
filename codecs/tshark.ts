/**
 * The `tshark` view of a message: every field Wireshark's ASAP/ENRP dissectors
 * (`packet-asap+enrp-common.c`) show, keyed by their display-filter abbreviations, each with its raw
 * octets in hex in wire order — what `tshark -T json -x` prints as `<field>_raw`. Users diff it
 * against tshark; the tests use tshark as the oracle for it.
 *
 * It walks the canonical encoding of the message, which for rsplib's traffic equals the captured
 * octets (tested on every shared capture).
 */
import { CAUSE, PARAM, POLICY } from './constants.js';
import { encode } from './message.js';
import type { Message } from './types.js';
import { pad4 } from './wire.js';

/** Field abbreviation → raw hex values, in the order they appear on the wire. */
export type TsharkFields = Record<string, string[]>;

/**
 * Policy types whose words Wireshark decodes into named fields, and the field of each word.
 * Others (rsplib's RPLU, RLUD, RPLUD, LUD-DPF, and PLUD) appear as one raw `…_value` (wire-format §4.4).
 */
const POLICY_FIELDS: ReadonlyMap<number, readonly string[]> = new Map([
  [POLICY.roundRobin, []],
  [POLICY.weightedRoundRobin, ['weight']],
  [POLICY.random, []],
  [POLICY.weightedRandom, ['weight']],
  [POLICY.priority, ['priority']],
  [POLICY.leastUsed, ['load']],
  [POLICY.leastUsedDegradation, ['load', 'degradation']],
  [POLICY.priorityLeastUsed, ['load', 'degradation']],
  [POLICY.randomizedLeastUsed, ['load']],
  [POLICY.weightedRandomDpf, ['weight', 'weight_dpf', 'distance']],
  [POLICY.leastUsedDpf, ['load', 'load_dpf', 'distance']],
]);

/**
 * Causes whose info Wireshark dissects as the offending parameter (RFC 5354 §3.12), showing its
 * fields instead of a raw `cause_info`.
 */
const TLV_INFO_CAUSES: ReadonlySet<number> = new Set([CAUSE.unrecognizedParameter, CAUSE.invalidValues, CAUSE.inconsistentPoolingPolicy, CAUSE.inconsistentTransportType]);
/** Causes the RFC defines without info: Wireshark shows none, even when octets are present. */
const NO_INFO_CAUSES: ReadonlySet<number> = new Set([
  CAUSE.nonUniquePeIdentifier,
  CAUSE.lackOfResources,
  CAUSE.inconsistentDataControlConfiguration,
  CAUSE.unknownPoolHandle,
  CAUSE.rejectedSecurity,
]);

/** Parameter types (RFC numbering, all 16 bits as Wireshark compares them) that hold nested parameters after a fixed part. */
const CONTAINERS: ReadonlyMap<number, number> = new Map([
  [PARAM.sctpTransport, 4],
  [PARAM.tcpTransport, 4],
  [PARAM.udpTransport, 4],
  [PARAM.udpLiteTransport, 4],
  [PARAM.dccpTransport, 8],
  [PARAM.poolElement, 12],
  [PARAM.serverInformation, 4],
]);

/**
 * Build the tshark field map of a message (RFC numbering only: tshark does not know the legacy one).
 * `wire` may pass the octets the message was decoded from when they are its canonical encoding
 * (as for all rsplib traffic); otherwise the message is encoded here.
 */
export function tsharkFields(m: Message, wire?: Uint8Array): TsharkFields {
  const b = wire ?? encode(m);
  const p = m.protocol;
  const out: TsharkFields = {};
  // Hex once, slice per field: far cheaper than converting every field on its own.
  const all = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  const hex = (from: number, to: number) => all.slice(2 * from, 2 * to);
  const put = (field: string, from: number, to: number) => {
    (out[`${p}.${field}`] ??= []).push(hex(from, to));
  };

  put('message_type', 0, 1);
  put('message_flags', 1, 2);
  put('message_length', 2, 4);
  let o = 4;
  const flagsFor: Record<string, string[]> = {
    'asap.registrationResponse': ['r_bit'],
    'asap.endpointKeepAlive': ['h_bit'],
    'enrp.presence': ['r_bit'],
    'enrp.handleTableRequest': ['w_bit'],
    'enrp.handleTableResponse': ['m_bit', 'r_bit'],
    'enrp.handleUpdate': ['t_bit'],
    'enrp.listResponse': ['r_bit'],
  };
  const flagMask: Record<string, number> = { r_bit: 1, h_bit: 1, w_bit: 1, t_bit: 1, m_bit: 2 };
  for (const f of flagsFor[`${p}.${m.type}`] ?? []) (out[`${p}.${f}`] ??= []).push(b[1]! & flagMask[f]! ? '1' : '0');

  if (p === 'enrp') {
    put('sender_servers_id', 4, 8);
    put('receiver_servers_id', 8, 12);
    o = 12;
    if (m.type === 'handleUpdate') {
      put('update_action', 12, 14);
      put('reserved', 14, 16);
      o = 16;
    } else if (m.type === 'initTakeover' || m.type === 'initTakeoverAck' || m.type === 'takeoverServer') {
      put('target_servers_id', 12, 16);
      o = 16;
    }
  } else if (m.type === 'endpointKeepAlive' || m.type === 'serverAnnounce') {
    put('server_identifier', 4, 8);
    o = 8;
  }

  const tlvs = (start: number, end: number): void => {
    let at = start;
    while (at + 4 <= end) {
      const type = (b[at]! << 8) | b[at + 1]!;
      const length = (b[at + 2]! << 8) | b[at + 3]!;
      put('parameter_type', at, at + 2);
      put('parameter_length', at + 2, at + 4);
      const v = at + 4;
      const e = at + length;
      param(type, v, e);
      const next = Math.min(at + pad4(length), end);
      if (next > e) put('parameter_padding', e, next);
      at = next;
    }
  };

  const param = (type: number, v: number, e: number): void => {
    switch (type) {
      case PARAM.ipv4Address:
        put('ipv4_address', v, e);
        return;
      case PARAM.ipv6Address:
        put('ipv6_address', v, e);
        return;
      case PARAM.sctpTransport:
      case PARAM.tcpTransport: {
        const kind = type === PARAM.sctpTransport ? 'sctp' : 'tcp';
        put(`${kind}_transport_port`, v, v + 2);
        put('transport_use', v + 2, v + 4);
        break;
      }
      case PARAM.udpTransport:
      case PARAM.udpLiteTransport: {
        const kind = type === PARAM.udpTransport ? 'udp' : 'udp_lite';
        put(`${kind}_transport_port`, v, v + 2);
        put(`${kind}_transport_reserved`, v + 2, v + 4);
        break;
      }
      case PARAM.dccpTransport:
        put('dccp_transport_port', v, v + 2);
        put('dccp_transport_reserved', v + 2, v + 4);
        put('dccp_transport_service_code', v + 4, v + 8);
        break;
      case PARAM.policy: {
        put('pool_member_selection_policy_type', v, v + 4);
        const code = ((b[v]! << 24) | (b[v + 1]! << 16) | (b[v + 2]! << 8) | b[v + 3]!) >>> 0;
        const words = POLICY_FIELDS.get(code);
        if (words === undefined) {
          if (e > v + 4) put('pool_member_selection_policy_value', v + 4, e);
        } else {
          words.forEach((w, i) => put(`pool_member_selection_policy_${w}`, v + 4 + 4 * i, v + 8 + 4 * i));
        }
        return;
      }
      case PARAM.poolHandle:
        put('pool_handle_pool_handle', v, e);
        return;
      case PARAM.poolElement:
        put('pool_element_pe_identifier', v, v + 4);
        put('pool_element_home_enrp_server_identifier', v + 4, v + 8);
        put('pool_element_registration_life', v + 8, v + 12);
        break;
      case PARAM.serverInformation:
        put(p === 'enrp' ? 'server_information_server_identifier' : 'server_identifier', v, v + 4);
        break;
      case PARAM.operationError: {
        let c = v;
        while (c + 4 <= e) {
          const len = (b[c + 2]! << 8) | b[c + 3]!;
          put('cause_code', c, c + 2);
          put('cause_length', c + 2, c + 4);
          const code = (b[c]! << 8) | b[c + 1]!;
          if (len > 4 && TLV_INFO_CAUSES.has(code)) tlvs(c + 4, c + len);
          else if (len > 4 && !NO_INFO_CAUSES.has(code)) put('cause_info', c + 4, c + len);
          const next = Math.min(c + pad4(len), e);
          if (next > c + len) put('cause_padding', c + len, next);
          c = next;
        }
        return;
      }
      case PARAM.cookie:
        put('cookie', v, e);
        return;
      case PARAM.peIdentifier:
        put('pe_identifier', v, e);
        return;
      case PARAM.peChecksum:
        put('pe_checksum', v, e);
        return;
      case PARAM.handleResolutionOption:
        put('hropt_items', v, e);
        return;
      default:
        put('parameter_value', v, e);
        return;
    }
    const fixed = CONTAINERS.get(type);
    if (fixed !== undefined) tlvs(v + fixed, e);
  };

  tlvs(o, b.length);
  return out;
}
