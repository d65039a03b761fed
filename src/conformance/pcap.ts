/**
 * Turns a conformance case's trace into a pcapng file that Wireshark / tshark decode as ASAP and
 * ENRP: every association of the trace becomes a scripted SCTP association (handshake, DATA with
 * PPID 11 / 12, SHUTDOWN or ABORT), and multicast traffic becomes UDP datagrams to a group.
 *
 * The trace is what the driver saw, not a capture: there are no retransmissions, and SACKs and
 * tags are invented (deterministically, from a seed) so the file is well-formed SCTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PPID, type Address } from '../../codecs/index.js';
import type { CaptureTimestamp } from '../capture/index.js';
import { LINKTYPE } from '../capture/link-types.js';
import { SCTP_CHUNK } from '../capture/sctp-chunk-types.js';
import {
  CaptureClock,
  CaptureInterface,
  IP_PROTO,
  MemorySink,
  SctpAssociation,
  openCaptureWriter,
  sctpChunk,
  sctpPacket,
  type SctpSide,
} from '../capture/write/index.js';
import type { CaseResult, RunReport } from './runner.js';
import type { TraceEntry } from './target.js';

/** Options of {@link tracePcapng}. */
export interface TracePcapOptions {
  /** Wall-clock time of target time 0 (default 2024-01-01T00:00:00Z, so files are reproducible). */
  readonly start?: CaptureTimestamp;
  /** Seed of the invented SCTP tags and TSNs (default 1). */
  readonly seed?: number;
}

const DEFAULT_START: CaptureTimestamp = { seconds: 1_704_067_200, nanos: 0 };
/** Where the target stands when a trace names no address (IPv4 / IPv6 documentation ranges). */
const FALLBACK_TARGET: Readonly<Record<Address['family'], string>> = { ipv4: '192.0.2.1', ipv6: '2001:db8::1' };
const FALLBACK_DRIVER: Readonly<Record<Address['family'], string>> = { ipv4: '10.9.9.9', ipv6: '2001:db8::9' };
/**
 * Multicast groups of the announces. The trace does not say which group the target used, so these
 * are illustrative administratively scoped groups; only the ports (3863 / 9901) matter to decoders.
 */
const GROUP: Readonly<Record<Address['family'], Readonly<Record<'asap' | 'enrp', string>>>> = {
  ipv4: { asap: '239.0.0.50', enrp: '239.0.0.51' },
  ipv6: { asap: 'ff05::50', enrp: 'ff05::51' },
};
const PORT_OF = { asap: 3863, enrp: 9901 } as const;
const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;

interface ReplayedAssociation {
  readonly sctp: SctpAssociation;
  /** Which scripted side the target plays: the server of driver-opened associations, the client of incoming ones. */
  readonly targetSide: SctpSide;
  readonly driver: { readonly address: string; readonly port: number };
  readonly target: { readonly address: string; readonly port: number };
  open: boolean;
}

/**
 * Builds a pcapng file (Ethernet, one interface) from a case's trace. Entries that never reached
 * the wire (undeliverable messages, sends on a closed association, empty payloads) are left out.
 */
export function tracePcapng(trace: readonly TraceEntry[], options: TracePcapOptions = {}): Uint8Array {
  const sink = new MemorySink();
  const writer = openCaptureWriter(sink, {
    format: 'pcapng',
    interfaces: [{ linkType: LINKTYPE.ethernet, name: 'conformance', tsresol: 9 }],
    application: 'rserpool-harness conformance',
  });
  const start = options.start ?? DEFAULT_START;
  const clock = new CaptureClock(start);
  const seed = options.seed ?? 1;
  const iface = new CaptureInterface(writer, clock, { seed });
  const associations = new Map<number, ReplayedAssociation>();

  // Frames move the clock on by a small gap, so only move it when the trace is ahead of it.
  const catchUp = (atMs: number): void => {
    const now = clock.now();
    const elapsed = (now.seconds - start.seconds) * NS_PER_S + (now.nanos - start.nanos);
    const wanted = Math.round(atMs * NS_PER_MS);
    if (wanted > elapsed) clock.advanceNanos(wanted - elapsed);
  };

  const association = (e: TraceEntry, create: boolean): ReplayedAssociation | undefined => {
    const known = associations.get(e.association);
    if (known !== undefined || !create || e.association === 0) return known;
    const family = e.local?.address.family ?? e.remote?.address.family ?? 'ipv4';
    const driver = { address: e.local?.address.address ?? FALLBACK_DRIVER[family], port: e.local?.port ?? 40000 };
    const wellKnown = e.remote?.port ?? PORT_OF.asap;
    const targetAddress = e.remote !== undefined && e.remote.address.family === family ? e.remote.address.address : FALLBACK_TARGET[family];
    // The target opens incoming associations (to a peer or a PE's transport) from an ephemeral
    // port, as a real stack would; that also keeps them apart from the driver's own association
    // between the same two addresses.
    const incoming = e.channel === 'incoming';
    const target = { address: targetAddress, port: incoming ? 49152 + (e.association % 16384) : wellKnown };
    const targetSide: SctpSide = incoming ? 'client' : 'server';
    const ends = incoming ? { client: target, server: driver } : { client: driver, server: target };
    const sctp = new SctpAssociation(iface, {
      client: { addresses: [ends.client.address], port: ends.client.port },
      server: { addresses: [ends.server.address], port: ends.server.port },
      seed: (seed * 7919 + e.association) >>> 0,
    });
    sctp.start();
    const a: ReplayedAssociation = { sctp, targetSide, driver, target, open: true };
    associations.set(e.association, a);
    return a;
  };

  for (const e of trace) {
    catchUp(e.at);
    if (e.direction === 'event') {
      if (e.associationEvent === 'up') association(e, true);
      else if (e.associationEvent !== undefined) close(association(e, false), e.associationEvent, iface);
      continue;
    }
    if (e.bytes.length === 0) continue; // SCTP cannot carry an empty user message
    if (e.channel === 'udp' || e.channel === 'multicast') {
      writeDatagram(iface, e);
      continue;
    }
    // A message on an association the trace never opened (not expected): open it on the spot.
    const a = association(e, true);
    if (a === undefined || !a.open) continue;
    const from: SctpSide = e.direction === 'fromTarget' ? a.targetSide : other(a.targetSide);
    a.sctp.send(from, { ppid: e.ppid, bytes: e.bytes });
  }
  // Associations the trace left open end with an orderly shutdown, as endCase would do.
  for (const a of associations.values()) close(a, 'closedByDriver', iface);
  writer.close();
  return sink.bytes();
}

function other(side: SctpSide): SctpSide {
  return side === 'client' ? 'server' : 'client';
}

/** Shuts an association down, or writes one ABORT from whichever side aborted. */
function close(a: ReplayedAssociation | undefined, how: NonNullable<TraceEntry['associationEvent']>, iface: CaptureInterface): void {
  if (a === undefined || !a.open) return;
  a.open = false;
  const driverSide = other(a.targetSide);
  if (how === 'closedByDriver') {
    a.sctp.shutdown(driverSide);
    return;
  }
  // The scripted association has no ABORT, so write the packet here with the receiver's tag.
  const byTarget = how === 'abortedByTarget';
  const [src, dst] = byTarget ? [a.target, a.driver] : [a.driver, a.target];
  const receiverSide = byTarget ? driverSide : a.targetSide;
  const packet = sctpPacket({ srcPort: src.port, dstPort: dst.port, verificationTag: a.sctp.tags[receiverSide] }, [sctpChunk(SCTP_CHUNK.abort, 0, new Uint8Array(0))]);
  iface.sendIp({ src: src.address, dst: dst.address, protocol: IP_PROTO.sctp, payload: packet });
}

/** A multicast message: the driver's ENRP Presence to the target, or the target's announce. */
function writeDatagram(iface: CaptureInterface, e: TraceEntry): void {
  const protocol = e.ppid === PPID.asap ? 'asap' : 'enrp';
  if (e.direction === 'toTarget') {
    const family = e.local?.address.family ?? 'ipv4';
    const src = e.local?.address.address ?? FALLBACK_DRIVER[family];
    iface.sendUdp({ src, dst: GROUP[family][protocol], srcPort: e.local?.port ?? PORT_OF[protocol], dstPort: PORT_OF[protocol], payload: e.bytes, ttl: 1 });
    return;
  }
  const family = e.remote?.address.family ?? 'ipv4';
  const src = e.remote?.address.address ?? FALLBACK_TARGET[family];
  iface.sendUdp({ src, dst: GROUP[family][protocol], srcPort: PORT_OF[protocol], dstPort: PORT_OF[protocol], payload: e.bytes, ttl: 1 });
}

/** File name of a case's capture: the case ID with `/` replaced by `__`, plus `.pcapng`. */
export function pcapFileName(caseId: string): string {
  return `${caseId.replaceAll('/', '__')}.pcapng`;
}

/** Whether a result gets a capture file: every verdict but PASS, and SKIP (nothing was exchanged). */
export function wantsPcap(r: CaseResult): boolean {
  return r.verdict !== 'PASS' && r.verdict !== 'SKIP';
}

/**
 * Writes one pcapng per non-PASS, non-SKIP case of a run into `dir` (created if missing); returns
 * the paths written. Each case's file is seeded from the run seed, so reruns write identical files.
 */
export function writeCasePcaps(report: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const r of report.results) {
    if (!wantsPcap(r)) continue;
    const path = join(dir, pcapFileName(r.id));
    writeFileSync(path, tracePcapng(r.trace, { seed: report.seed }));
    written.push(path);
  }
  return written;
}
