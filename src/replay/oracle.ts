/**
 * The reference registrar as an oracle: driven in virtual time by the inputs a captured
 * registrar received, it records what it would have sent and when.
 */
import type { Message } from '../../codecs/index.js';
import { Registrar, type RegistrarConfig, type RegistrarEvent } from '../registrar/index.js';

/** One thing the reference sent (or did), with its virtual time. */
export interface ReferenceOutput {
  readonly time: number;
  /** The capture item whose input caused it, or undefined for a timer. */
  readonly cause: number | undefined;
  readonly kind: 'send' | 'sendPeer' | 'multicast' | 'abort' | 'sendEndpoint';
  /** `send` / `abort`: the association (capture instance ID). */
  readonly association: number | undefined;
  /** `sendPeer`: the peer's server ID. */
  readonly peerId: number | undefined;
  readonly message: Message | undefined;
}

/** Drives one reference registrar; see the module comment. */
export class ReferenceOracle {
  readonly registrar: Registrar;
  readonly outputs: ReferenceOutput[] = [];
  private clock: number;
  private nextTimer = Number.POSITIVE_INFINITY;

  /** @param startAt capture time at which the registrar starts (ST-2). */
  constructor(config: RegistrarConfig, startAt: number) {
    this.clock = startAt;
    this.registrar = new Registrar(config, () => this.clock);
    this.collect(this.registrar.start(), undefined);
  }

  /** Current virtual time. */
  get now(): number {
    return this.clock;
  }

  /** Runs every timer due up to `time` at its own due time, then sets the clock to `time`. */
  advance(time: number): void {
    while (this.nextTimer <= time) {
      this.clock = Math.max(this.clock, this.nextTimer);
      this.nextTimer = Number.POSITIVE_INFINITY;
      this.collect(this.registrar.handle({ kind: 'time' }), undefined);
    }
    if (time > this.clock) this.clock = time;
  }

  /** Feeds one event at `time` (after running due timers); returns what it caused. */
  feed(time: number, event: RegistrarEvent, cause: number): ReferenceOutput[] {
    this.advance(time);
    const before = this.outputs.length;
    this.collect(this.registrar.handle(event), cause);
    return this.outputs.slice(before);
  }

  private collect(actions: ReturnType<Registrar['handle']>, cause: number | undefined): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'timer':
          this.nextTimer = a.at;
          break;
        case 'send':
          this.outputs.push({ time: this.clock, cause, kind: 'send', association: a.association, peerId: undefined, message: a.message });
          break;
        case 'sendPeer':
          this.outputs.push({ time: this.clock, cause, kind: 'sendPeer', association: undefined, peerId: a.peerId, message: a.message });
          break;
        case 'multicast':
          this.outputs.push({ time: this.clock, cause, kind: 'multicast', association: undefined, peerId: undefined, message: a.message });
          break;
        case 'abort':
          this.outputs.push({ time: this.clock, cause, kind: 'abort', association: a.association, peerId: undefined, message: undefined });
          break;
        case 'sendEndpoint':
          this.outputs.push({ time: this.clock, cause, kind: 'sendEndpoint', association: undefined, peerId: undefined, message: a.message });
          break;
        case 'log':
          break;
      }
    }
  }
}
