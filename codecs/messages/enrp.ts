/**
 * The ten ENRP messages, RFC 5353 §2 (layouts in wire-format §6). Every one starts with the
 * sending and receiving server IDs; the fields here come after those.
 */
import { ENRP_TYPE } from '../constants.js';
import { ERR } from '../errors.js';
import { readServerInformation, serverInformationLength, writeServerInformation } from '../params/server-information.js';
import { readPeChecksum, writePeChecksum } from '../params/simple.js';
import type { EnrpMessage, PoolEntry, ServerInformation } from '../types.js';
import { pad4 } from '../wire.js';
import { compact, enrpRule, operationError, opErrorLen, peLen, pesLen, phLen, poolElement, poolElements, poolHandle, u32, writeOpError, writePe, writePh } from './fields.js';
import { spec, type MessageSpec } from './spec.js';

type Of<T extends EnrpMessage['type']> = Extract<EnrpMessage, { type: T }>;

/** Octets of the two server IDs every ENRP message carries first. */
export const ENRP_IDS = 8;

/** Messages with no parameters and no fields beyond the IDs. */
const bare = (type: 'handleTableRequest' | 'listRequest', flagBits: Record<string, number>) =>
  spec<Of<'listRequest'>>({
    code: ENRP_TYPE[type],
    type: type as 'listRequest',
    flagBits,
    fixedLength: ENRP_IDS,
    read: () => ({ type }) as never,
    write: () => undefined,
    bodyLength: () => ENRP_IDS,
  });

/** The three takeover messages: a Target Server's ID after the IDs. */
const takeover = (type: 'initTakeover' | 'initTakeoverAck' | 'takeoverServer') =>
  spec<Of<'initTakeover'>>({
    code: ENRP_TYPE[type],
    type: type as 'initTakeover',
    flagBits: {},
    fixedLength: ENRP_IDS + 4,
    read: (i) => ({ type, targetId: i.ctx.u32(i.fixed + ENRP_IDS) }) as never,
    write: (w, m, p) => u32(w, m.targetId, `${p}.targetId`),
    bodyLength: () => ENRP_IDS + 4,
  });

/** Every ENRP message spec. */
export const ENRP_SPECS: readonly MessageSpec[] = [
  spec<Of<'presence'>>({
    code: ENRP_TYPE.presence,
    type: 'presence',
    flagBits: { R: 0x01 },
    fixedLength: ENRP_IDS,
    // PE Checksum, then Server Information (optional in the RFC reading; rsplib requires it).
    read: (i) => {
      const ck = i.params.expect('peChecksum', 'presence.peChecksum');
      const peChecksum = readPeChecksum(i.ctx, ck, 'presence.peChecksum');
      const si = i.params.optional('serverInformation');
      return compact({
        type: 'presence' as const,
        peChecksum,
        serverInformation: si ? readServerInformation(i.ctx, si, 'presence.serverInformation') : undefined,
      }) as never;
    },
    write: (w, m, p) => {
      writePeChecksum(w, m.peChecksum, `${p}.peChecksum`);
      if (m.serverInformation) writeServerInformation(w, m.serverInformation, `${p}.serverInformation`);
    },
    bodyLength: (m, legacy) =>
      ENRP_IDS + 8 + (m.serverInformation ? pad4(serverInformationLength(m.serverInformation, legacy)) : 0),
  }),
  bare('handleTableRequest', { W: 0x01 }),
  spec<Of<'handleTableResponse'>>({
    code: ENRP_TYPE.handleTableResponse,
    type: 'handleTableResponse',
    flagBits: { R: 0x01, M: 0x02 },
    fixedLength: ENRP_IDS,
    // Groups of a Pool Handle and its PEs; the same handle may recur (wire-format §6).
    read: (i) => {
      const pools: PoolEntry[] = [];
      while (i.params.peek() !== null) {
        const at = `handleTableResponse.pools[${pools.length}]`;
        const ph = poolHandle({ ...i, path: at });
        const pes = poolElements(i, enrpRule(i), `${at}.poolElements`);
        // A group with no PE says nothing; rsplib rejects it as "empty pool".
        if (pes.length === 0) i.ctx.fail(ERR.missingParameter, 'pool handle without any pool element', i.params.pos, `${at}.poolElements`);
        pools.push({ poolHandle: ph, poolElements: pes });
      }
      return { type: 'handleTableResponse' as const, pools } as never;
    },
    write: (w, m, p) =>
      m.pools.forEach((g, k) => {
        writePh(w, g.poolHandle, `${p}.pools[${k}]`);
        g.poolElements.forEach((pe, j) => writePe(w, pe, `${p}.pools[${k}].poolElements[${j}]`));
      }),
    bodyLength: (m) => ENRP_IDS + m.pools.reduce((n, g) => n + phLen(g.poolHandle) + pesLen(g.poolElements), 0),
  }),
  spec<Of<'handleUpdate'>>({
    code: ENRP_TYPE.handleUpdate,
    type: 'handleUpdate',
    flagBits: { T: 0x01 },
    // Update Action (16 bits) and Reserved (16 bits) after the IDs.
    fixedLength: ENRP_IDS + 4,
    read: (i) => {
      const reserved = i.ctx.u16(i.fixed + ENRP_IDS + 2);
      if (reserved !== 0) i.ctx.violation(ERR.reservedNonZero, `reserved is 0x${reserved.toString(16)}`, i.fixed + ENRP_IDS + 2, 'handleUpdate.reserved');
      return compact({
        type: 'handleUpdate' as const,
        updateAction: i.ctx.u16(i.fixed + ENRP_IDS),
        reserved: reserved !== 0 ? reserved : undefined,
        poolHandle: poolHandle(i),
        poolElement: poolElement(i, enrpRule(i)),
      }) as never;
    },
    write: (w, m, p) => {
      w.u16(m.updateAction & 0xffff, p);
      w.u16((m.reserved ?? 0) & 0xffff, p);
      writePh(w, m.poolHandle, p);
      writePe(w, m.poolElement, `${p}.poolElement`);
    },
    bodyLength: (m) => ENRP_IDS + 4 + phLen(m.poolHandle) + peLen(m.poolElement),
  }),
  bare('listRequest', {}),
  spec<Of<'listResponse'>>({
    code: ENRP_TYPE.listResponse,
    type: 'listResponse',
    flagBits: { R: 0x01 },
    fixedLength: ENRP_IDS,
    read: (i) => {
      const servers: ServerInformation[] = [];
      for (let tlv = i.params.optional('serverInformation'); tlv; tlv = i.params.optional('serverInformation')) {
        servers.push(readServerInformation(i.ctx, tlv, `listResponse.servers[${servers.length}]`));
      }
      return { type: 'listResponse' as const, servers } as never;
    },
    write: (w, m, p) => m.servers.forEach((s, k) => writeServerInformation(w, s, `${p}.servers[${k}]`)),
    bodyLength: (m, legacy) => ENRP_IDS + m.servers.reduce((n, s) => n + pad4(serverInformationLength(s, legacy)), 0),
  }),
  takeover('initTakeover'),
  takeover('initTakeoverAck'),
  takeover('takeoverServer'),
  spec<Of<'error'>>({
    code: ENRP_TYPE.error,
    type: 'error',
    flagBits: {},
    fixedLength: ENRP_IDS,
    read: (i) => ({ type: 'error' as const, operationError: operationError(i) }) as never,
    write: (w, m, p) => writeOpError(w, m.operationError, p),
    bodyLength: (m) => ENRP_IDS + opErrorLen(m.operationError),
  }),
] as unknown as readonly MessageSpec[];
