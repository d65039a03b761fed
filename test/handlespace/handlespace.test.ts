/**
 * Handlespace operations one by one: pool consistency (REG-3 … REG-6) with both causes,
 * registration and update, deregistration, timers, ownership, associations, handle table
 * paging, pool ranks.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE, RSPLIB_CAUSE } from '../../codecs/constants.js';
import type { TransportParameter } from '../../codecs/types.js';
import { Handlespace, type PoolElementEntry, REFUSALS } from '../../src/handlespace/index.js';
import { element, handle, policy, sctp } from './fixtures.js';

const P = handle('P');
const rr = policy('roundRobin');
const tcp: TransportParameter = {
  transport: 'tcp',
  port: 80,
  transportUse: 'dataPlusControl',
  addresses: [{ family: 'ipv4', address: '10.0.0.2' }],
};
const udp: TransportParameter = { transport: 'udp', port: 80, addresses: [{ family: 'ipv4', address: '10.0.0.2' }] };

function entries(hs: Handlespace): string[] {
  return [...hs.entries()].map((e) => `${new TextDecoder().decode(e.poolHandle)}/${e.peId}`);
}

describe('pool consistency (REG-3 … REG-6)', () => {
  it('the first PE fixes policy, transport and transport use', () => {
    const hs = new Handlespace({ seed: 1 });
    const r = hs.register(P, element(1, rr, { transport: sctp(1, 'dataOnly') }), 'expiry', 0);
    expect(r.ok && r.created && r.poolCreated).toBe(true);
    const pool = hs.findPool(P);
    expect([pool?.policy.name, pool?.transport, pool?.controlChannel]).toEqual(['roundRobin', 'sctp', false]);
  });

  it('refuses a different transport type: RFC 0x0007, rsplib 0x100a (REG-5)', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'expiry', 0);
    const r = hs.register(P, element(2, rr, { transport: tcp }), 'expiry', 0);
    expect(r).toEqual(REFUSALS.transportType);
    expect(r.ok ? 0 : [r.rfcCause, r.rsplibCause, r.requirement]).toEqual([
      CAUSE.inconsistentTransportType,
      RSPLIB_CAUSE.wrongProtocol,
      'REG-5',
    ]);
    expect(hs.size).toBe(1);
  });

  it('refuses a different transport use: 0x0008 in both profiles (REG-6)', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'expiry', 0);
    const r = hs.register(P, element(2, rr, { transport: sctp(1, 'dataOnly') }), 'expiry', 0);
    expect(r.ok ? 0 : [r.violation, r.rfcCause, r.rsplibCause]).toEqual([
      'transportUse',
      CAUSE.inconsistentDataControlConfiguration,
      CAUSE.inconsistentDataControlConfiguration,
    ]);
    // UDP has no control channel: a UDP pool is data-only.
    const u = new Handlespace({ seed: 1 });
    u.register(P, element(1, rr, { transport: udp }), 'expiry', 0);
    expect(u.findPool(P)?.controlChannel).toBe(false);
  });

  it('refuses a different policy type, whatever the values: 0x0005 (REG-4)', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, policy('leastUsed', { load: 5 })), 'expiry', 0);
    expect(hs.register(P, element(2, policy('leastUsed', { load: 9 })), 'expiry', 0).ok).toBe(true);
    const r = hs.register(P, element(3, rr), 'expiry', 0);
    expect(r.ok ? 0 : [r.violation, r.rfcCause, r.rsplibCause, r.requirement]).toEqual([
      'policyType',
      CAUSE.inconsistentPoolingPolicy,
      CAUSE.inconsistentPoolingPolicy,
      'REG-4',
    ]);
  });

  it('reports transport type before transport use before policy (rsplib order)', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'expiry', 0);
    const r = hs.register(P, element(2, policy('random'), { transport: tcp }), 'expiry', 0);
    expect(r.ok ? undefined : r.violation).toBe('transportType');
  });

  it('checks a re-registration against the pool too (unlike rsplib, RR-2), changing nothing', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'expiry', 0);
    const r = hs.register(P, element(1, policy('random')), 'expiry', 9);
    expect(r.ok).toBe(false);
    expect(hs.find(P, 1)?.policy.name).toBe('roundRobin');
    expect(hs.find(P, 1)?.timerAt).toBe(0);
  });
});

describe('registration, update, deregistration', () => {
  it('updates an existing PE in place (RR-1): data, home, association, timer', () => {
    const hs = new Handlespace({ seed: 1 });
    const first = hs.register(P, element(1, rr, { home: 5, life: 100 }), 'keepAliveTransmission', 10, 1);
    const e = first.ok ? first.entry : undefined;
    const again = hs.register(P, element(1, rr, { home: 6, life: 200, transport: sctp(99) }), 'expiry', 20, 2);
    expect(again.ok && !again.created && again.entry === e).toBe(true);
    expect([e?.homeRegistrarId, e?.registrationLife, e?.association, e?.timerKind, e?.timerAt]).toEqual([
      6, 200, 2, 'expiry', 20,
    ]);
    expect(e?.userTransport.port).toBe(99);
    expect(hs.firstOfAssociation(1)).toBeNull();
    expect(hs.firstOfAssociation(2)).toBe(e);
    expect(hs.ownedCount(5)).toBe(0);
    expect(hs.verify()).toEqual([]);
  });

  it('copies the pool handle, so a reused receive buffer cannot change it', () => {
    const hs = new Handlespace({ seed: 1 });
    const buffer = handle('XY');
    hs.register(buffer, element(1, rr), 'expiry', 0);
    buffer[0] = 0x41;
    expect(hs.findPool(handle('XY'))).toBeDefined();
    expect(hs.verify()).toEqual([]);
  });

  it('deregistration removes the PE everywhere and the pool with its last PE', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'expiry', 0, 7);
    hs.register(P, element(2, rr), 'expiry', 0, 7);
    const removed = hs.deregister(P, 1) as PoolElementEntry;
    expect(removed.peId).toBe(1);
    expect(removed.live).toBe(false);
    expect(() => hs.scheduleTimer(removed, 'expiry', 1)).toThrow(/removed/);
    expect(hs.deregister(P, 1)).toBeUndefined();
    expect(hs.deregister(handle('other'), 2)).toBeUndefined();
    hs.deregister(P, 2);
    expect(hs.findPool(P)).toBeUndefined();
    expect(hs.size).toBe(0);
    expect(hs.nextTimer()).toBeNull();
    expect(hs.verify()).toEqual([]);
  });

  it('rejects malformed identifiers as programming errors', () => {
    const hs = new Handlespace({ seed: 1 });
    expect(() => hs.register(P, element(-1, rr), 'expiry', 0)).toThrow(RangeError);
    expect(() => hs.register(P, element(2 ** 32, rr), 'expiry', 0)).toThrow(RangeError);
    expect(() => hs.register(new Uint8Array(0), element(1, rr), 'expiry', 0)).toThrow(RangeError);
  });
});

describe('timers', () => {
  it('each PE has one timer; the schedule yields the earliest, ties in creation order', () => {
    const hs = new Handlespace({ seed: 1 });
    hs.register(P, element(1, rr), 'keepAliveTransmission', 50);
    hs.register(P, element(2, rr), 'expiry', 50);
    hs.register(P, element(3, rr), 'keepAliveTimeout', 10);
    expect(hs.nextTimer()?.peId).toBe(3);
    hs.scheduleTimer(hs.find(P, 3) as PoolElementEntry, 'keepAliveTransmission', 60);
    expect([...hs.timers].map((e) => e.peId)).toEqual([1, 2, 3]);
    expect(hs.timers.size).toBe(3);
    expect(hs.find(P, 3)?.timerKind).toBe('keepAliveTransmission');
  });
});

describe('ownership and associations', () => {
  function populated(): Handlespace {
    const hs = new Handlespace({ seed: 1 });
    hs.register(handle('BB'), element(2, rr, { home: 7 }), 'expiry', 0, 1);
    hs.register(handle('A'), element(9, rr, { home: 7 }), 'expiry', 0, 1);
    hs.register(handle('A'), element(3, rr, { home: 8 }), 'expiry', 0, 2);
    hs.register(handle('BB'), element(1, rr, { home: 7 }), 'expiry', 0);
    return hs;
  }

  it('walks one owner in handle-table order', () => {
    const hs = populated();
    const owned: string[] = [];
    for (let e = hs.firstOwnedBy(7); e !== null; e = hs.nextOwnedBy(e)) owned.push(`${e.pool.handle.length}/${e.peId}`);
    expect(owned).toEqual(['1/9', '2/1', '2/2']);
    expect(hs.firstOwnedBy(99)).toBeNull();
  });

  it('takeover: moves all PEs of an owner, or deletes them', () => {
    const hs = populated();
    expect(hs.transferOwnership(7, 8)).toBe(3);
    expect(hs.ownedCount(8)).toBe(4);
    expect(hs.removeOwnedBy(8).length).toBe(4);
    expect(hs.size).toBe(0);
    expect(hs.verify()).toEqual([]);
  });

  it('closing an association deregisters exactly its PEs (T-4)', () => {
    const hs = populated();
    expect(hs.removeAssociation(1).map((e) => e.peId)).toEqual([2, 9]);
    expect(hs.removeAssociation(1)).toEqual([]);
    expect(entries(hs)).toEqual(['A/3', 'BB/1']);
    hs.setAssociation(hs.find(handle('BB'), 1) as PoolElementEntry, 2);
    expect(hs.removeAssociation(2).map((e) => e.peId)).toEqual([3, 1]);
    expect(hs.verify()).toEqual([]);
  });
});

describe('handle table paging (HT-2)', () => {
  function many(): Handlespace {
    const hs = new Handlespace({ seed: 1 });
    for (const name of ['Echo', 'A', 'Discard', 'ZZ']) {
      for (let id = 1; id <= 5; id++) hs.register(handle(name), element(id * 11, rr, { home: id % 2 }), 'expiry', 0);
    }
    return hs;
  }

  it('pages the whole table in pool handle then PE ID order', () => {
    const hs = many();
    const out: PoolElementEntry[] = [];
    const seen: string[] = [];
    let page = hs.readHandleTable(null, 3, out);
    seen.push(...out.map((e) => `${new TextDecoder().decode(e.poolHandle)}/${e.peId}`));
    while (!page.exhausted) {
      page = hs.readHandleTable(page.cursor, 3, out);
      seen.push(...out.map((e) => `${new TextDecoder().decode(e.poolHandle)}/${e.peId}`));
    }
    expect(seen).toEqual(entries(hs));
    expect(seen[0]).toBe('A/11');
    expect(seen.at(-1)).toBe('Discard/55');
  });

  it('a full last page says whether anything follows', () => {
    const hs = many();
    const out: PoolElementEntry[] = [];
    expect(hs.readHandleTable(null, 20, out).exhausted).toBe(true);
    expect(hs.readHandleTable(null, 19, out).exhausted).toBe(false);
    expect(hs.readHandleTable({ poolHandle: handle('zzzzzzzzzzzz'), peId: 0 }, 5, out)).toEqual({
      count: 0,
      cursor: null,
      exhausted: true,
    });
  });

  it('resumes after a cursor whose PE or pool has gone', () => {
    const hs = many();
    const out: PoolElementEntry[] = [];
    const first = hs.readHandleTable(null, 7, out);
    expect(first.cursor).toEqual({ poolHandle: handle('ZZ'), peId: 22 });
    hs.deregister(handle('ZZ'), 22);
    hs.readHandleTable(first.cursor, 2, out);
    expect(out.map((e) => e.peId)).toEqual([33, 44]);
    for (let id = 1; id <= 5; id++) hs.deregister(handle('ZZ'), id * 11);
    hs.readHandleTable(first.cursor, 1, out);
    expect(new TextDecoder().decode(out[0].poolHandle)).toBe('Echo');
  });

  it('W = 1 pages hold only the owner’s PEs', () => {
    const hs = many();
    const out: PoolElementEntry[] = [];
    const got: number[] = [];
    let page = hs.readHandleTable(null, 4, out, 1);
    got.push(...out.map((e) => e.peId));
    while (!page.exhausted) {
      page = hs.readHandleTable(page.cursor, 4, out, 1);
      got.push(...out.map((e) => e.peId));
    }
    expect(got.length).toBe(12);
    expect(got.every((id) => (id / 11) % 2 === 1)).toBe(true);
    // A cursor into a pool that no longer exists continues with the next pool.
    hs.removeOwnedBy(0);
    const after = hs.readHandleTable({ poolHandle: handle('B'), peId: 0 }, 10, out, 1);
    expect(out[0].pool.handle.length).toBe(2);
    expect(after.count).toBe(9);
  });
});

describe('pool ranks', () => {
  it('survive renumbering when many pools arrive in order', () => {
    const hs = new Handlespace({ seed: 1 });
    // Appending pools in handle order halves the free rank space each time: forces renumbering.
    for (let i = 0; i < 80; i++) {
      const name = `p${String(i).padStart(3, '0')}`;
      hs.register(handle(name), element(1, rr, { home: 3 }), 'expiry', i);
      hs.register(handle(name), element(2, rr, { home: 3 }), 'expiry', i);
    }
    expect(hs.verify()).toEqual([]);
    const owned: string[] = [];
    for (let e = hs.firstOwnedBy(3); e !== null; e = hs.nextOwnedBy(e)) owned.push(new TextDecoder().decode(e.poolHandle));
    expect(owned.length).toBe(160);
    expect([...owned].sort()).toEqual(owned);
  });
});
