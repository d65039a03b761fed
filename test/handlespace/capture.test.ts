/**
 * The PE checksum against rsplib on the wire: replays the registrations, deregistrations, Handle
 * Updates and Handle Table Responses of `rsplib-b_enrp_peering.pcap` into one handlespace per
 * registrar, and checks every ENRP Presence's PE Checksum — against the sender's own view of the
 * PEs it owns, and against the receiver's view of the sender's PEs (what rsplib audits, CK-2).
 *
 * The packets are read with tshark until the project's capture reader exists. Without tshark
 * (or without the capture) the test is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Handlespace } from '../../src/handlespace/index.js';
import { element, policy } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const CAPTURE = resolve(here, '../../../shared/captures/rsplib-b_enrp_peering.pcap');
const SCENARIO = CAPTURE.replace(/\.pcap$/, '.txt');

const hasTshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const hasCapture = existsSync(CAPTURE);
if (!hasTshark) console.warn('capture checksum test skipped: tshark not found (apt-get install -y tshark)');
else if (!hasCapture) console.warn(`capture checksum test skipped: ${CAPTURE} not found`);

const FIELDS = [
  'frame.number',
  'ip.src',
  'asap.message_type',
  'asap.pool_handle_pool_handle',
  'asap.pool_element_pe_identifier',
  'asap.pe_identifier',
  'asap.r_bit',
  'enrp.message_type',
  'enrp.sender_servers_id',
  'enrp.receiver_servers_id',
  'enrp.pe_checksum',
  'enrp.update_action',
  'enrp.w_bit',
  'enrp.m_bit',
  'enrp.parameter_type',
  'enrp.pool_handle_pool_handle',
  'enrp.pool_element_pe_identifier',
  'enrp.pool_element_home_enrp_server_identifier',
] as const;
type Row = Record<(typeof FIELDS)[number], string[]>;

function readRows(): Row[] {
  const args = ['-r', CAPTURE, '-Y', 'asap or enrp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of FIELDS) args.push('-e', f);
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`tshark failed: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(FIELDS.map((f, i) => [f, cells[i] ? cells[i].split(',') : []])) as Row;
    });
}

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const num = (s: string): number => Number(s);
const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >>> 8);

const rr = policy('roundRobin');

/** A PE as a Handle Update or Handle Table Response carries it. */
interface Announced {
  handle: Uint8Array;
  peId: number;
  home: number;
}

/** Pairs each PE of an ENRP message with the pool handle parameter before it. */
function announcedPes(row: Row): Announced[] {
  const result: Announced[] = [];
  let handleIndex = -1;
  let peIndex = 0;
  for (const type of row['enrp.parameter_type']) {
    if (num(type) === 0x0009) handleIndex++;
    else if (num(type) === 0x000a) {
      result.push({
        handle: hex(row['enrp.pool_handle_pool_handle'][handleIndex]),
        peId: num(row['enrp.pool_element_pe_identifier'][peIndex]),
        home: num(row['enrp.pool_element_home_enrp_server_identifier'][peIndex]),
      });
      peIndex++;
    }
  }
  return result;
}

describe.skipIf(!hasTshark || !hasCapture)('PE checksum against the ENRP peering capture', () => {
  it('reproduces every Presence checksum for the PEs each registrar was seen to own', () => {
    const rows = readRows();
    // Registrar IDs by address, from the first Presence each address sends.
    const idOf = new Map<string, number>();
    for (const r of rows) {
      if (num(r['enrp.message_type'][0]) === 1 && !idOf.has(r['ip.src'][0])) {
        idOf.set(r['ip.src'][0], num(r['enrp.sender_servers_id'][0]));
      }
    }
    const views = new Map<number, Handlespace>();
    for (const id of idOf.values()) views.set(id, new Handlespace({ seed: id }));
    const learn = (view: Handlespace | undefined, pe: Announced): void => {
      if (view === undefined) return;
      const r = view.register(pe.handle, element(pe.peId, rr, { home: pe.home }), 'expiry', 0);
      expect(r.ok).toBe(true);
    };

    // A registrar that downloads the handlespace from a mentor at start-up (ST-2) has no view of
    // its peers until the last page arrives; it is audited only from then on.
    const starting = new Set(
      rows
        .filter((r) => num(r['enrp.message_type'][0]) === 2 && r['enrp.w_bit'][0] === '0')
        .map((r) => num(r['enrp.sender_servers_id'][0])),
    );

    let ownChecked = 0;
    let peerChecked = 0;
    for (const r of rows) {
      const at = `frame ${r['frame.number'][0]}`;
      const asap = r['asap.message_type'].map(num)[0];
      const enrp = r['enrp.message_type'].map(num)[0];
      if (asap === 3 && r['asap.r_bit'][0] === '0') {
        // Successful Registration Response: the answering registrar now owns the PE (REG-2).
        const registrar = idOf.get(r['ip.src'][0]) as number;
        const pe = { handle: hex(r['asap.pool_handle_pool_handle'][0]), peId: num(r['asap.pe_identifier'][0]), home: registrar };
        learn(views.get(registrar), pe);
      } else if (asap === 4) {
        const registrar = idOf.get(r['ip.src'][0]) as number;
        views.get(registrar)?.deregister(hex(r['asap.pool_handle_pool_handle'][0]), num(r['asap.pe_identifier'][0]));
      } else if (enrp === 4) {
        // Handle Update: ADD_PE adds or updates, DEL_PE removes (HU-2).
        const view = views.get(num(r['enrp.receiver_servers_id'][0]));
        for (const pe of announcedPes(r)) {
          if (num(r['enrp.update_action'][0]) === 0) learn(view, pe);
          else view?.deregister(pe.handle, pe.peId);
        }
      } else if (enrp === 3) {
        const receiver = num(r['enrp.receiver_servers_id'][0]);
        for (const pe of announcedPes(r)) if (pe.home !== receiver) learn(views.get(receiver), pe);
        if (r['enrp.m_bit'][0] === '0') starting.delete(receiver);
      } else if (enrp === 1) {
        const sender = num(r['enrp.sender_servers_id'][0]);
        const receiver = num(r['enrp.receiver_servers_id'][0]);
        const checksum = num(r['enrp.pe_checksum'][0]);
        const own = views.get(sender);
        if (own !== undefined) {
          expect(own.ownershipChecksum(sender), `${at}: own checksum of 0x${sender.toString(16)}`).toBe(checksum);
          expect(own.computeOwnershipChecksum(sender)).toBe(checksum);
          ownChecked++;
        }
        const peer = views.get(receiver);
        if (peer !== undefined && own !== undefined && !starting.has(receiver)) {
          expect(peer.ownershipChecksum(sender), `${at}: 0x${receiver.toString(16)}'s view of 0x${sender.toString(16)}`).toBe(
            checksum,
          );
          peerChecked++;
        }
      }
    }
    for (const view of views.values()) expect(view.verify()).toEqual([]);
    // All 64 Presences but hsdump's were checked against their sender; 56 also against the
    // receiver (the rest went to hsdump or to a registrar still in its start-up download).
    const presences = rows.filter((r) => num(r['enrp.message_type'][0]) === 1).length;
    expect(presences).toBe(64);
    expect(ownChecked).toBe(63);
    expect(peerChecked).toBe(56);
    // Non-trivial values were among them: PR1 with EchoPool/0x30000001, PR3 with DiscardPool.
    const seen = new Set(rows.filter((r) => num(r['enrp.message_type'][0]) === 1).map((r) => num(r['enrp.pe_checksum'][0])));
    expect([...seen].sort()).toEqual([0x624e, 0x6250, 0x76fc, 0xffff].sort());
  });

  it('matches hsdump’s view, whose printed checksums are host-order (byte-swapped on x86)', () => {
    const rows = readRows();
    const dump = rows.find((r) => num(r['enrp.message_type'][0]) === 3 && r['enrp.receiver_servers_id'][0] === '0x8385865c');
    expect(dump).toBeDefined();
    const view = new Handlespace({ seed: 1 });
    for (const pe of announcedPes(dump as Row)) view.register(pe.handle, element(pe.peId, rr, { home: pe.home }), 'expiry', 0);
    const text = readFileSync(SCENARIO, 'utf8');
    const printed = Number.parseInt(/Checksums: Handlespace=\$([0-9a-f]+)/.exec(text)?.[1] ?? '', 16);
    expect(view.size).toBe(3);
    expect(swap16(view.handlespaceChecksum())).toBe(printed);
    for (const [, peer, sum] of text.matchAll(/\$([0-9a-f]{8}) upd=\d+ chsum=\$([0-9a-f]+)/g)) {
      expect(swap16(view.ownershipChecksum(Number.parseInt(peer, 16)))).toBe(Number.parseInt(sum, 16));
    }
  });
});
