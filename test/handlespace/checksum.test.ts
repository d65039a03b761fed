/**
 * The PE checksum of registrar-behaviour.md §9: the worked values, the odd-length padding trap,
 * and incremental maintenance through ownership changes.
 */
import { describe, expect, it } from 'vitest';
import {
  Handlespace,
  checksumAdd,
  checksumSub,
  computeChecksum,
  finishChecksum,
  peChecksumWords,
  poolHandleWordSum,
} from '../../src/handlespace/index.js';
import { element, handle, policy } from './fixtures.js';

const calc = { poolHandle: handle('CalcAppPool'), peId: 0x5562e917 };
const echo1 = { poolHandle: handle('EchoPool'), peId: 0x00000001 };
const echo2 = { poolHandle: handle('EchoPool'), peId: 0x12345678 };

describe('PE checksum (registrar-behaviour §9)', () => {
  it('reproduces the worked values', () => {
    expect(computeChecksum([])).toBe(0xffff);
    expect(computeChecksum([calc])).toBe(0x8490);
    expect(computeChecksum([echo1])).toBe(0x9250);
    expect(computeChecksum([echo1, echo2])).toBe(0xbbf5);
    expect(computeChecksum([calc, echo1, echo2])).toBe(0x4086);
    expect(computeChecksum([calc, echo2])).toBe(0xae35);
  });

  it('pads an odd-length handle instead of summing the concatenation (trap value 0x48CC)', () => {
    const bytes = [...handle('CalcAppPool'), 0x55, 0x62, 0xe9, 0x17];
    let unpadded = 0;
    for (let i = 0; i < bytes.length; i += 2) unpadded += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
    expect(finishChecksum(unpadded)).toBe(0x48cc);
    expect(finishChecksum(peChecksumWords(poolHandleWordSum(calc.poolHandle), calc.peId))).toBe(0x8490);
  });

  it('keeps unfolded sums modulo 2^32, so removing is exact', () => {
    const w = peChecksumWords(poolHandleWordSum(calc.poolHandle), calc.peId);
    let acc = 0xfffffff0;
    acc = checksumAdd(acc, w);
    expect(checksumSub(acc, w)).toBe(0xfffffff0);
    expect(finishChecksum(0)).toBe(0xffff);
    expect(finishChecksum(0x1ffff)).toBe(~0x1 & 0xffff);
  });

  it('is kept per owner through registration, ownership moves and removal', () => {
    const hs = new Handlespace({ seed: 1 });
    const rr = policy('roundRobin');
    const A = 0x7a17c2ff;
    const B = 0xca4297ed;
    expect(hs.ownershipChecksum(A)).toBe(0xffff);
    hs.register(calc.poolHandle, element(calc.peId, rr, { home: A }), 'expiry', 0);
    hs.register(echo1.poolHandle, element(echo1.peId, rr, { home: A }), 'expiry', 0);
    hs.register(echo2.poolHandle, element(echo2.peId, rr, { home: A }), 'expiry', 0);
    expect(hs.ownershipChecksum(A)).toBe(0x4086);
    // A load update never changes the checksum; a change of home moves the contribution.
    hs.register(echo1.poolHandle, element(echo1.peId, rr, { home: B }), 'expiry', 0);
    expect(hs.ownershipChecksum(A)).toBe(0xae35);
    expect(hs.ownershipChecksum(B)).toBe(0x9250);
    expect(hs.transferOwnership(B, A)).toBe(1);
    expect(hs.ownershipChecksum(A)).toBe(0x4086);
    expect(hs.ownershipChecksum(B)).toBe(0xffff);
    hs.deregister(echo1.poolHandle, echo1.peId);
    expect(hs.ownershipChecksum(A)).toBe(0xae35);
    expect(hs.computeOwnershipChecksum(A)).toBe(0xae35);
    expect(hs.handlespaceChecksum()).toBe(0xae35);
    expect(hs.verify()).toEqual([]);
  });
});
