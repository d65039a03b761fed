/**
 * Reading, writing and measuring the parameters that recur across messages, so each message spec
 * states only its own layout.
 */
import { EncodeError, ERR } from '../errors.js';
import { operationErrorLength, readOperationError, writeOperationError } from '../params/operation-error.js';
import { poolElementLength, readPoolElement, writePoolElement, type AsapTransportRule } from '../params/pool-element.js';
import { policyLength, readPolicy, writePolicy } from '../params/policy.js';
import { readPeIdentifier, readPoolHandle, writePeIdentifier, writePoolHandle } from '../params/simple.js';
import type { AnyPolicy, OperationError, PoolElement } from '../types.js';
import { pad4, type Writer } from '../wire.js';
import type { MessageInput } from './spec.js';

/** Mandatory Pool Handle. */
export const poolHandle = (i: MessageInput): Uint8Array => {
  const path = `${i.path}.poolHandle`;
  return readPoolHandle(i.ctx, i.params.expect('poolHandle', path), path);
};

/** Mandatory PE Identifier. */
export const peId = (i: MessageInput): number => {
  const path = `${i.path}.peId`;
  return readPeIdentifier(i.ctx, i.params.expect('peIdentifier', path), path);
};

/** Optional PE Identifier. */
export const optionalPeId = (i: MessageInput): number | undefined => {
  const tlv = i.params.optional('peIdentifier');
  return tlv ? readPeIdentifier(i.ctx, tlv, `${i.path}.peId`) : undefined;
};

/** Optional Operation Error. */
export const optionalOperationError = (i: MessageInput): OperationError | undefined => {
  const tlv = i.params.optional('operationError');
  return tlv ? readOperationError(i.ctx, tlv, `${i.path}.operationError`) : undefined;
};

/** Mandatory Operation Error. */
export const operationError = (i: MessageInput): OperationError => {
  const path = `${i.path}.operationError`;
  return readOperationError(i.ctx, i.params.expect('operationError', path), path);
};

/** Optional policy parameter. */
export const optionalPolicy = (i: MessageInput): AnyPolicy | undefined => {
  const tlv = i.params.optional('policy');
  return tlv ? readPolicy(i.ctx, tlv, `${i.path}.policy`) : undefined;
};

/** Where ASAP messages may carry a PE's ASAP transport: never, except the pre-RFC encoding. */
export const asapRule = (i: MessageInput): AsapTransportRule => (i.ctx.legacy ? 'optional' : 'forbidden');
/** ENRP messages must carry it (rsplib `scanPoolElementParameter()`); the pre-RFC ones as they were. */
export const enrpRule = (i: MessageInput): AsapTransportRule => (i.ctx.legacy ? 'optional' : 'required');

/** Mandatory Pool Element. */
export const poolElement = (i: MessageInput, rule: AsapTransportRule): PoolElement => {
  const path = `${i.path}.poolElement`;
  return readPoolElement(i.ctx, i.params.expect('poolElement', path), path, rule);
};

/** Zero or more Pool Elements in a row. */
export const poolElements = (i: MessageInput, rule: AsapTransportRule, at = `${i.path}.poolElements`): PoolElement[] => {
  const out: PoolElement[] = [];
  for (let tlv = i.params.optional('poolElement'); tlv; tlv = i.params.optional('poolElement')) {
    out.push(readPoolElement(i.ctx, tlv, `${at}[${out.length}]`, rule));
  }
  return out;
};

/** Fail unless at least one Pool Element was read. */
export function requireSome(i: MessageInput, pes: readonly PoolElement[], at: string): void {
  if (pes.length === 0) i.ctx.fail(ERR.missingParameter, 'at least one pool element is required', i.params.pos, at);
}

/**
 * Omit `undefined` values so optional fields are absent rather than present-and-undefined. Builds
 * a new object in the same key order: deleting from the middle of an object would switch it to
 * V8's slow dictionary representation, on every message decoded.
 */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

// --- writing -------------------------------------------------------------------------------------

/** Write a 32-bit fixed field, checked. */
export function u32(w: Writer, v: number, path: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError(`${v} is not an unsigned 32-bit integer`, path);
  w.u32(v, path);
}

export const writePh = (w: Writer, v: Uint8Array, p: string): void => writePoolHandle(w, v, `${p}.poolHandle`);
export const writePeId = (w: Writer, v: number, p: string): void => writePeIdentifier(w, v, `${p}.peId`);
export const writeOpError = (w: Writer, v: OperationError | undefined, p: string): void => {
  if (v) writeOperationError(w, v, `${p}.operationError`);
};
export const writePol = (w: Writer, v: AnyPolicy | undefined, p: string): void => {
  if (v) writePolicy(w, v, `${p}.policy`);
};
export const writePe = (w: Writer, v: PoolElement, p: string): void => writePoolElement(w, v, p);

// --- measuring (every parameter padded, as rsplib counts them in Message Length) -------------

export const phLen = (v: Uint8Array): number => pad4(4 + v.length);
export const PE_ID_LEN = 8;
export const opErrorLen = (v: OperationError | undefined): number => (v ? pad4(operationErrorLength(v)) : 0);
export const polLen = (v: AnyPolicy | undefined): number => (v ? policyLength(v) : 0);
export const peLen = (v: PoolElement): number => pad4(poolElementLength(v));
export const pesLen = (v: readonly PoolElement[]): number => v.reduce((n, pe) => n + peLen(pe), 0);
