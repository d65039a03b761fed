/**
 * An in-memory packet network in virtual time, for tests and simulation: endpoints attach under an
 * (address, UDP port) pair, packets take a configurable latency and may be lost, duplicated or
 * reordered, all from a seed. Nothing here touches real sockets or timers.
 */
import type { RemoteAddress } from './association.js';
import { SctpEndpoint, type EndpointOptions } from './endpoint.js';
import { SCTP_ERR, SctpError } from './errors.js';
import { seededRandom, type Random32 } from './random.js';
import type { SctpTransport } from './transport.js';

/** How the network treats packets; probabilities in [0, 1). */
export interface LinkConditions {
  /** One-way delay, ms. */
  latency: number;
  /** Extra random delay in [0, jitter), ms; reorders packets when larger than their spacing. */
  jitter: number;
  loss: number;
  duplicate: number;
  /** Share of packets held back by an extra `latency` (reordering). */
  reorder: number;
  /** Corrupt one octet (the receiver's CRC32c check must drop the packet). */
  corrupt: number;
}

/** Counters of the network. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
}

interface InFlight {
  at: number;
  seq: number;
  to: string;
  from: RemoteAddress;
  bytes: Uint8Array;
}

const key = (a: RemoteAddress): string => `${a.address}#${a.port}`;

/** See the module comment. */
export class MemoryNetwork {
  /** Virtual time, ms. */
  now = 0;
  /** Current conditions (change them at will between steps). */
  conditions: LinkConditions;
  /** Counters. */
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };
  private readonly random: Random32;
  private readonly nodes = new Map<string, MemoryTransport>();
  private queue: InFlight[] = [];
  private seq = 0;

  constructor(
    private readonly seed: number,
    conditions: Partial<LinkConditions> = {},
  ) {
    this.random = seededRandom(seed ^ 0x5eed);
    this.conditions = { latency: 5, jitter: 0, loss: 0, duplicate: 0, reorder: 0, corrupt: 0, ...conditions };
  }

  /** Attaches a new endpoint at `address`:`port` (port 0: the next free one from 10000). */
  attach(address: string, port = 0, options: Omit<EndpointOptions, 'clock'> = {}): MemoryTransport {
    let p = port;
    if (p === 0) for (p = 10000; this.nodes.has(key({ address, port: p })); p++);
    const local = { address, port: p };
    if (this.nodes.has(key(local))) throw new SctpError(SCTP_ERR.bind, `${address}:${p} is taken`);
    const endpoint = new SctpEndpoint({
      random: seededRandom((this.seed * 31 + this.nodes.size * 7919 + 1) >>> 0),
      ...options,
      clock: () => this.now,
    });
    const t = new MemoryTransport(this, endpoint, local);
    endpoint.output = (bytes, to) => this.transmit(local, to, bytes);
    this.nodes.set(key(local), t);
    return t;
  }

  /** Removes a transport (called by its `close`). */
  detach(t: MemoryTransport): void {
    this.nodes.delete(key(t.local));
  }

  private chance(p: number): boolean {
    return p > 0 && this.random() / 0x100000000 < p;
  }

  private transmit(from: RemoteAddress, to: RemoteAddress, bytes: Uint8Array): void {
    this.stats.sent++;
    const c = this.conditions;
    if (this.chance(c.loss)) {
      this.stats.lost++;
      return;
    }
    const copies = this.chance(c.duplicate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = c.latency + (c.jitter > 0 ? (this.random() / 0x100000000) * c.jitter : 0);
      if (this.chance(c.reorder)) {
        delay += c.latency + 1;
        this.stats.reordered++;
      }
      let b = bytes.slice();
      if (this.chance(c.corrupt)) {
        this.stats.corrupted++;
        const at = this.random() % b.length;
        b[at] = b[at]! ^ 0x40;
      }
      this.queue.push({ at: this.now + delay, seq: this.seq++, to: key(to), from, bytes: b });
      b = new Uint8Array(0);
    }
  }

  /** The time of the next thing to happen, or undefined when the network is quiet. */
  nextEvent(): number | undefined {
    let t = Number.POSITIVE_INFINITY;
    for (const q of this.queue) if (q.at < t) t = q.at;
    for (const n of this.nodes.values()) {
      const d = n.endpoint.nextDeadline();
      if (d !== undefined && d < t) t = d;
    }
    return Number.isFinite(t) ? t : undefined;
  }

  /** Runs one instant: delivers the packets and fires the timers that are due at the next event time. */
  step(limit = Number.POSITIVE_INFINITY): boolean {
    const t = this.nextEvent();
    if (t === undefined || t > limit) return false;
    this.now = Math.max(this.now, t);
    const due = this.queue.filter((q) => q.at <= this.now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.queue = this.queue.filter((q) => q.at > this.now);
    for (const q of due) {
      const node = this.nodes.get(q.to);
      if (node === undefined) continue;
      this.stats.delivered++;
      node.endpoint.receive(q.bytes, q.from);
    }
    for (const n of [...this.nodes.values()]) n.endpoint.tick();
    return true;
  }

  /** Runs until `done()` holds (true) or virtual `maxMs` more have passed / nothing is left to do (false). */
  runUntil(done: () => boolean, maxMs = 600_000): boolean {
    const limit = this.now + maxMs;
    while (!done()) {
      if (!this.step(limit)) {
        this.now = Math.max(this.now, Math.min(limit, this.now));
        return done();
      }
    }
    return true;
  }

  /** Runs for `ms` of virtual time. */
  runFor(ms: number): void {
    const limit = this.now + ms;
    while (this.step(limit));
    this.now = limit;
  }
}

/** An endpoint on a {@link MemoryNetwork}. */
export class MemoryTransport implements SctpTransport {
  constructor(
    private readonly network: MemoryNetwork,
    readonly endpoint: SctpEndpoint,
    readonly local: RemoteAddress,
  ) {}

  /** Graceful: shuts every association down and lets virtual time run until they are gone (or `timeoutMs`). */
  async close(options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (options.graceful === true) {
      for (const a of this.endpoint.associations()) a.shutdown();
      this.network.runUntil(() => this.endpoint.associations().length === 0, options.timeoutMs ?? 30_000);
    }
    this.endpoint.close();
    this.network.detach(this);
  }
}
