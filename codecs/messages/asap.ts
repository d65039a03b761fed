/** The fourteen ASAP messages, RFC 5352 §2.2.1–2.2.14 (layouts in wire-format §5). */
import { ASAP_TYPE } from '../constants.js';
import { readCookie, readHandleResolutionOption, writeCookie, writeHandleResolutionOption } from '../params/simple.js';
import { readTransport, transportLength, writeTransport, isTransport } from '../params/transport.js';
import type { AsapMessage, TransportParameter } from '../types.js';
import { pad4 } from '../wire.js';
import {
  asapRule,
  compact,
  opErrorLen,
  operationError,
  optionalOperationError,
  optionalPeId,
  optionalPolicy,
  PE_ID_LEN,
  peId,
  peLen,
  pesLen,
  phLen,
  polLen,
  poolElement,
  poolElements,
  poolHandle,
  requireSome,
  u32,
  writeOpError,
  writePe,
  writePeId,
  writePh,
  writePol,
} from './fields.js';
import { spec, type MessageSpec } from './spec.js';

type Of<T extends AsapMessage['type']> = Extract<AsapMessage, { type: T }>;

/** PE ↔ identifier messages: Pool Handle + PE Identifier. */
const handleAndId = (type: 'deregistration' | 'endpointKeepAliveAck' | 'endpointUnreachable') =>
  spec<Of<'deregistration'>>({
    code: ASAP_TYPE[type],
    type: type as 'deregistration',
    flagBits: {},
    fixedLength: 0,
    read: (i) => ({ type, poolHandle: poolHandle(i), peId: peId(i) }) as never,
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writePeId(w, m.peId, p);
    },
    bodyLength: (m) => phLen(m.poolHandle) + PE_ID_LEN,
  });

const cookieMessage = (type: 'cookie' | 'cookieEcho') =>
  spec<Of<'cookie'>>({
    code: ASAP_TYPE[type],
    type: type as 'cookie',
    flagBits: {},
    fixedLength: 0,
    read: (i) => ({ type, cookie: readCookie(i.ctx, i.params.expect('cookie', `${type}.cookie`), `${type}.cookie`) }) as never,
    write: (w, m, p) => writeCookie(w, m.cookie, `${p}.cookie`),
    bodyLength: (m) => pad4(4 + m.cookie.length),
  });

/** Every ASAP message spec, by type name. */
export const ASAP_SPECS: readonly MessageSpec[] = [
  spec<Of<'registration'>>({
    code: ASAP_TYPE.registration,
    type: 'registration',
    flagBits: {},
    fixedLength: 0,
    // Pool Handle, then the Pool Element without ASAP transport (REG-9).
    read: (i) => ({ type: 'registration', poolHandle: poolHandle(i), poolElement: poolElement(i, asapRule(i)) }),
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writePe(w, m.poolElement, `${p}.poolElement`);
    },
    bodyLength: (m) => phLen(m.poolHandle) + peLen(m.poolElement),
  }),
  handleAndId('deregistration'),
  spec<Of<'registrationResponse'>>({
    code: ASAP_TYPE.registrationResponse,
    type: 'registrationResponse',
    flagBits: { R: 0x01 },
    fixedLength: 0,
    read: (i) =>
      compact({ type: 'registrationResponse' as const, poolHandle: poolHandle(i), peId: peId(i), operationError: optionalOperationError(i) }),
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writePeId(w, m.peId, p);
      writeOpError(w, m.operationError, p);
    },
    bodyLength: (m) => phLen(m.poolHandle) + PE_ID_LEN + opErrorLen(m.operationError),
  }),
  spec<Of<'deregistrationResponse'>>({
    code: ASAP_TYPE.deregistrationResponse,
    type: 'deregistrationResponse',
    flagBits: {},
    fixedLength: 0,
    read: (i) =>
      compact({ type: 'deregistrationResponse' as const, poolHandle: poolHandle(i), peId: peId(i), operationError: optionalOperationError(i) }),
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writePeId(w, m.peId, p);
      writeOpError(w, m.operationError, p);
    },
    bodyLength: (m) => phLen(m.poolHandle) + PE_ID_LEN + opErrorLen(m.operationError),
  }),
  spec<Of<'handleResolution'>>({
    code: ASAP_TYPE.handleResolution,
    type: 'handleResolution',
    flagBits: {},
    fixedLength: 0,
    read: (i) => {
      const ph = poolHandle(i);
      const opt = i.ctx.legacy ? null : i.params.optional('handleResolutionOption');
      return compact({
        type: 'handleResolution' as const,
        poolHandle: ph,
        items: opt ? readHandleResolutionOption(i.ctx, opt, 'handleResolution.items') : undefined,
      });
    },
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      if (m.items !== undefined) writeHandleResolutionOption(w, m.items, `${p}.items`);
    },
    bodyLength: (m) => phLen(m.poolHandle) + (m.items !== undefined ? 8 : 0),
  }),
  spec<Of<'handleResolutionResponse'>>({
    code: ASAP_TYPE.handleResolutionResponse,
    type: 'handleResolutionResponse',
    flagBits: {},
    fixedLength: 0,
    // Pool Handle, then either an Operation Error or an optional overall policy and the PEs.
    read: (i) => {
      const ph = poolHandle(i);
      const err = optionalOperationError(i);
      if (err) return { type: 'handleResolutionResponse' as const, poolHandle: ph, poolElements: [], operationError: err };
      const policy = optionalPolicy(i);
      return compact({ type: 'handleResolutionResponse' as const, poolHandle: ph, policy, poolElements: poolElements(i, asapRule(i)) });
    },
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writeOpError(w, m.operationError, p);
      writePol(w, m.policy, p);
      m.poolElements.forEach((pe, k) => writePe(w, pe, `${p}.poolElements[${k}]`));
    },
    bodyLength: (m) => phLen(m.poolHandle) + opErrorLen(m.operationError) + polLen(m.policy) + pesLen(m.poolElements),
  }),
  spec<Of<'endpointKeepAlive'>>({
    code: ASAP_TYPE.endpointKeepAlive,
    type: 'endpointKeepAlive',
    flagBits: { H: 0x01 },
    // Server Identifier precedes the parameters (wire-format §5).
    fixedLength: 4,
    read: (i) =>
      compact({
        type: 'endpointKeepAlive' as const,
        serverId: i.ctx.u32(i.fixed),
        poolHandle: poolHandle(i),
        peId: optionalPeId(i),
      }),
    write: (w, m, p) => {
      u32(w, m.serverId, `${p}.serverId`);
      writePh(w, m.poolHandle, p);
      if (m.peId !== undefined) writePeId(w, m.peId, p);
    },
    bodyLength: (m) => 4 + phLen(m.poolHandle) + (m.peId !== undefined ? PE_ID_LEN : 0),
  }),
  handleAndId('endpointKeepAliveAck'),
  handleAndId('endpointUnreachable'),
  spec<Of<'serverAnnounce'>>({
    code: ASAP_TYPE.serverAnnounce,
    type: 'serverAnnounce',
    flagBits: {},
    fixedLength: 4,
    read: (i) => {
      const transports: TransportParameter[] = [];
      for (let p = i.params.peek(); p !== null && isTransport(p.name); p = i.params.peek()) {
        i.params.take();
        transports.push(readTransport(i.ctx, p.tlv, p.name, `serverAnnounce.transports[${transports.length}]`));
      }
      return { type: 'serverAnnounce', serverId: i.ctx.u32(i.fixed), transports };
    },
    write: (w, m, p) => {
      u32(w, m.serverId, `${p}.serverId`);
      m.transports.forEach((t, k) => writeTransport(w, t, `${p}.transports[${k}]`));
    },
    bodyLength: (m) => 4 + m.transports.reduce((n, t) => n + transportLength(t), 0),
  }),
  cookieMessage('cookie'),
  cookieMessage('cookieEcho'),
  spec<Of<'businessCard'>>({
    code: ASAP_TYPE.businessCard,
    type: 'businessCard',
    flagBits: {},
    fixedLength: 0,
    read: (i) => {
      const ph = poolHandle(i);
      const policy = optionalPolicy(i);
      const pes = poolElements(i, asapRule(i));
      requireSome(i, pes, 'businessCard.poolElements');
      return compact({ type: 'businessCard' as const, poolHandle: ph, policy, poolElements: pes });
    },
    write: (w, m, p) => {
      writePh(w, m.poolHandle, p);
      writePol(w, m.policy, p);
      m.poolElements.forEach((pe, k) => writePe(w, pe, `${p}.poolElements[${k}]`));
    },
    bodyLength: (m) => phLen(m.poolHandle) + polLen(m.policy) + pesLen(m.poolElements),
  }),
  spec<Of<'error'>>({
    code: ASAP_TYPE.error,
    type: 'error',
    flagBits: {},
    fixedLength: 0,
    read: (i) => ({ type: 'error', operationError: operationError(i) }),
    write: (w, m, p) => writeOpError(w, m.operationError, p),
    bodyLength: (m) => opErrorLen(m.operationError),
  }),
] as unknown as readonly MessageSpec[];
