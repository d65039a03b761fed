/**
 * Records a capture from our own reference registrar: a scripted workload of PEs and PUs talks
 * to a {@link Registrar} in virtual time and every message on the wire (both directions, plus the
 * registrar's announces and ABORTs) is written into a pcap. Replaying this capture against the
 * reference must show no divergence — the replay's own self-test.
 */
import { PPID, encode, type AsapMessage, type Message, type Policy } from '../../codecs/index.js';
import { LINKTYPE } from '../capture/index.js';
import { CaptureClock, CaptureInterface, SctpAssociation, openCaptureWriter, sctpChunk, sctpPacket, type ByteSink } from '../capture/write/index.js';
import { Registrar, rsplibConfig, type RegistrarConfig, type RegistrarEvent } from '../registrar/index.js';
import { Random } from '../util/random.js';

/** Server ID of the recorded registrar. */
export const RECORDED_SERVER_ID = 0x5ef0_0001;
const PR = { address: '10.20.0.1', port: 3863 };
const ASCII = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Options of the recording. */
export interface RecordOptions {
  /** Seed of the registrar and the capture (default 7). */
  readonly seed?: number;
  /** Registrar configuration tweaks (tests use this to record a "broken" registrar). */
  readonly overrides?: Partial<RegistrarConfig>;
  /**
   * `full` (default, 24 s): start-up, announces, PEs with re-registrations and Keep-Alives, an
   * inconsistent policy, a frozen PE removed by KA-3, resolutions, a deregistration.
   * `short` (about 1.2 s, no timers reached): two PEs, resolutions, a deregistration — for live
   * replays in tests.
   */
  readonly workload?: 'full' | 'short';
}

interface Client {
  readonly assoc: SctpAssociation;
  readonly id: number;
  open: boolean;
  /** PE: whether it still answers Keep-Alives. */
  acks: boolean;
}

/** Writes the recording into `sink` (a classic pcap, Ethernet/IPv4/SCTP). */
export function recordReferenceCapture(sink: ByteSink, options: RecordOptions = {}): void {
  const seed = options.seed ?? 7;
  const writer = openCaptureWriter(sink, { format: 'pcap', interfaces: [{ linkType: LINKTYPE.ethernet }] });
  const clock = new CaptureClock({ seconds: 1_790_000_000, nanos: 0 });
  const iface = new CaptureInterface(writer, clock, { seed, index: 0 });
  let now = 0;
  const config = rsplibConfig(RECORDED_SERVER_ID, {
    seed,
    enrpAnnounce: false,
    keepAliveTransmissionInterval: 2000,
    keepAliveTimeoutInterval: 2000,
    ...(options.workload === 'short' ? { asapAnnounce: false } : {}),
    ...options.overrides,
  });
  const registrar = new Registrar(config, () => now);
  const clients = new Map<number, Client>();
  let nextTimer = Number.POSITIVE_INFINITY;
  let associations = 0;
  const rng = new Random(seed);
  const moveTo = (t: number): void => {
    if (t < now) return;
    clock.advanceMicros(Math.round((t - now) * 1000));
    now = t;
  };
  const carry = (actions: ReturnType<Registrar['handle']>): void => {
    for (const a of actions) {
      if (a.kind === 'timer') nextTimer = a.at;
      else if (a.kind === 'send') {
        const c = clients.get(a.association);
        if (c === undefined || !c.open) continue;
        clock.advanceMicros(150);
        c.assoc.send('server', { ppid: a.message.protocol === 'asap' ? PPID.asap : PPID.enrp, bytes: encode(a.message) });
        // PE behaviour (OB-2): answer each Keep-Alive at once while alive.
        const m = a.message;
        if (m.protocol === 'asap' && m.type === 'endpointKeepAlive' && c.acks && m.peId !== undefined) {
          pending.push({ at: now + 2, run: () => fromClient(a.association, { protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: m.poolHandle, peId: m.peId! }) });
        }
      } else if (a.kind === 'multicast') {
        clock.advanceMicros(100);
        const dst = a.message.protocol === 'asap' ? '239.0.0.50' : '239.0.0.51';
        const port = a.message.protocol === 'asap' ? 3863 : 9901;
        iface.sendUdp({ src: PR.address, dst, srcPort: port, dstPort: port, payload: encode(a.message) });
      } else if (a.kind === 'abort') {
        const c = clients.get(a.association);
        if (c === undefined || !c.open) continue;
        c.open = false;
        clock.advanceMicros(100);
        // KA-3: the registrar ABORTs; the packet carries the PE's tag.
        const assocAny = c.assoc;
        iface.sendIp({ src: PR.address, dst: addressOf(c), protocol: 132, payload: sctpPacket({ srcPort: PR.port, dstPort: portOf(c), verificationTag: assocAny.tags.client }, [sctpChunk(6, 0, new Uint8Array(0))]) });
      }
    }
  };
  const endpoints = new Map<number, { address: string; port: number }>();
  const addressOf = (c: Client): string => endpoints.get(c.id)!.address;
  const portOf = (c: Client): number => endpoints.get(c.id)!.port;
  const handle = (event: RegistrarEvent): void => carry(registrar.handle(event));
  const connect = (address: string): number => {
    const id = ++associations;
    const port = 40000 + id;
    const assoc = new SctpAssociation(iface, { client: { addresses: [address], port }, server: { addresses: [PR.address], port: PR.port }, seed: seed * 1000 + id });
    assoc.start();
    clients.set(id, { assoc, id, open: true, acks: true });
    endpoints.set(id, { address, port });
    handle({ kind: 'associationUp', association: id, protocol: 'asap', peerAddresses: [{ family: 'ipv4', address }], peerPort: port });
    return id;
  };
  const fromClient = (id: number, m: AsapMessage): void => {
    const c = clients.get(id)!;
    if (!c.open) return;
    c.assoc.send('client', { ppid: PPID.asap, bytes: encode(m as Message) });
    handle({ kind: 'asap', association: id, message: encode(m as Message), ppid: PPID.asap });
  };
  const close = (id: number): void => {
    const c = clients.get(id)!;
    if (!c.open) return;
    c.open = false;
    c.assoc.shutdown('client');
    handle({ kind: 'associationDown', association: id });
  };
  const register = (id: number, pool: string, peId: number, address: string, policy: Policy): void =>
    fromClient(id, {
      protocol: 'asap',
      type: 'registration',
      poolHandle: ASCII(pool),
      poolElement: { peId, homeRegistrarId: 0, registrationLife: 12_000, userTransport: { transport: 'sctp', port: 5000 + (peId & 0xff), transportUse: 'dataPlusControl', addresses: [{ family: 'ipv4', address }] }, policy },
    });
  const resolve = (id: number, pool: string, items?: number): void => fromClient(id, { protocol: 'asap', type: 'handleResolution', poolHandle: ASCII(pool), ...(items !== undefined ? { items } : {}) });

  // The workload, in virtual milliseconds (jittered by a few ms so nothing lands on a timer edge).
  const j = (t: number): number => t + (rng.nextUint32() % 20);
  type Step = { at: number; run: () => void };
  const pending: Step[] = [];
  const script: Step[] = [];
  let pe1 = 0;
  let pe2 = 0;
  let pe3 = 0;
  const short = options.workload === 'short';
  if (short) {
    script.push({ at: 50, run: () => { pe1 = connect('10.20.1.1'); register(pe1, 'EchoPool', 0x1001, '10.20.1.1', { name: 'roundRobin' }); } });
    script.push({ at: 150, run: () => { pe2 = connect('10.20.1.2'); register(pe2, 'EchoPool', 0x1002, '10.20.1.2', { name: 'roundRobin' }); } });
    script.push({ at: 250, run: () => { const bad = connect('10.20.1.4'); register(bad, 'EchoPool', 0x1004, '10.20.1.4', { name: 'random' }); pending.push({ at: now + 30, run: () => close(bad) }); } });
    for (const [t, pool] of [[400, 'EchoPool'], [550, 'EchoPool'], [700, 'NoSuchPool']] as const) {
      script.push({ at: t, run: () => { const pu = connect('10.20.2.1'); resolve(pu, pool, 1); pending.push({ at: now + 40, run: () => close(pu) }); } });
    }
    script.push({ at: 900, run: () => { fromClient(pe2, { protocol: 'asap', type: 'deregistration', poolHandle: ASCII('EchoPool'), peId: 0x1002 }); pending.push({ at: now + 30, run: () => close(pe2) }); } });
    script.push({ at: 1100, run: () => { const pu = connect('10.20.2.1'); resolve(pu, 'EchoPool', 3); pending.push({ at: now + 40, run: () => close(pu) }); } });
  }
  if (!short) script.push({ at: j(6000), run: () => { pe1 = connect('10.20.1.1'); register(pe1, 'EchoPool', 0x1001, '10.20.1.1', { name: 'roundRobin' }); } });
  if (!short) script.push({ at: j(6300), run: () => { pe2 = connect('10.20.1.2'); register(pe2, 'EchoPool', 0x1002, '10.20.1.2', { name: 'roundRobin' }); } });
  if (!short) script.push({ at: j(6600), run: () => { pe3 = connect('10.20.1.3'); register(pe3, 'DiscardPool', 0x1003, '10.20.1.3', { name: 'random' }); } });
  if (!short) script.push({ at: j(7000), run: () => { const bad = connect('10.20.1.4'); register(bad, 'EchoPool', 0x1004, '10.20.1.4', { name: 'random' }); close(bad); } });
  if (!short) for (const t of [10_000, 14_000, 18_000]) script.push({ at: j(t), run: () => register(pe1, 'EchoPool', 0x1001, '10.20.1.1', { name: 'roundRobin' }) });
  if (!short) for (const [t, pool, items] of [[9000, 'EchoPool', 1], [9600, 'EchoPool', 1], [10_200, 'DiscardPool', undefined], [11_000, 'NoSuchPool', 1], [21_500, 'EchoPool', 3]] as const) {
    script.push({ at: j(t), run: () => { const pu = connect('10.20.2.1'); resolve(pu, pool, items); pending.push({ at: now + 40, run: () => close(pu) }); } });
  }
  // PE2 freezes: its Keep-Alives go unanswered, the registrar removes it (KA-3).
  if (!short) script.push({ at: j(15_000), run: () => { clients.get(pe2)!.acks = false; } });
  if (!short) script.push({ at: j(20_000), run: () => { fromClient(pe3, { protocol: 'asap', type: 'deregistration', poolHandle: ASCII('DiscardPool'), peId: 0x1003 }); pending.push({ at: now + 30, run: () => close(pe3) }); } });
  const end = short ? 1300 : 24_000;

  // The short workload starts with start-up already over (ST-2) and no announces in the way.
  if (short) now = -config.mentorDiscoveryTimeout - 1;
  carry(registrar.start());
  if (short) {
    moveTo(0);
    now = 0;
  }
  for (;;) {
    script.sort((a, b) => a.at - b.at);
    pending.sort((a, b) => a.at - b.at);
    const next = Math.min(script[0]?.at ?? Infinity, pending[0]?.at ?? Infinity, nextTimer, end);
    if (next >= end) break;
    moveTo(next);
    if (nextTimer <= next) {
      nextTimer = Number.POSITIVE_INFINITY;
      handle({ kind: 'time' });
    } else if ((pending[0]?.at ?? Infinity) <= next) pending.shift()!.run();
    else script.shift()!.run();
  }
  writer.close();
}
