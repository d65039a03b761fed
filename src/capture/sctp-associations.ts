/**
 * Gives SCTP associations stable names (transports.md §5.7). A packet's direction is identified
 * by (source port, destination port, verification tag), the tag being the one the receiver chose;
 * IP addresses are left out because a multi-homed association uses several. An INIT ACK names
 * both tags and so ties the two directions together. Without a handshake in the capture, a
 * direction is paired with the first unpaired one flowing the other way between the same ports
 * and addresses.
 *
 * A name reads `port:tag-port:tag`, one side per endpoint (the tag that endpoint chose, as 8 hex
 * digits), sides sorted. A side shows `????????` when the association was first seen from the
 * other direction; names never change once given.
 */
import { ipText } from './ip-address-text.js';

interface DirectionRecord {
  readonly id: string;
  paired: boolean;
  /** Value of the use clock when the record last moved to the young end of the LRU order. */
  stamp: number;
}

/** Limits of a {@link SctpAssociations}. */
export interface SctpAssociationLimits {
  /** Directions remembered; the least recently used is forgotten first. */
  readonly maxDirections: number;
}

/** Association naming; see the module comment. */
export class SctpAssociations {
  private readonly directions = new Map<string, DirectionRecord>();
  private readonly unpaired = new Map<string, { readonly key: string; readonly record: DirectionRecord }>();
  private count = 0;
  private clock = 0;

  constructor(private readonly limits: SctpAssociationLimits) {}

  /** Distinct associations named so far. */
  get associationCount(): number {
    return this.count;
  }

  /**
   * Learns both directions from an INIT ACK sent by the responder (`responderPort`) to the
   * initiator (`initiatorPort`): the packet's verification tag is the initiator's tag, the
   * chunk's Initiate Tag the responder's.
   */
  learnInitAck(responderPort: number, initiatorPort: number, initiatorTag: number, responderTag: number): void {
    const toInitiator = directionKey(responderPort, initiatorPort, initiatorTag);
    const toResponder = directionKey(initiatorPort, responderPort, responderTag);
    const known = this.directions.get(toInitiator) ?? this.directions.get(toResponder);
    const id = known?.id ?? this.newName(initiatorPort, initiatorTag, responderPort, responderTag);
    this.remember(toInitiator, { id, paired: true, stamp: 0 });
    this.remember(toResponder, { id, paired: true, stamp: 0 });
  }

  /** The name given to a direction key, if it is still remembered. */
  nameOfDirection(key: string): string | undefined {
    return this.directions.get(key)?.id;
  }

  /** The association name for a packet; registers its direction when new. */
  nameFor(srcPort: number, dstPort: number, tag: number, src: Uint8Array, dst: Uint8Array): string {
    const key = directionKey(srcPort, dstPort, tag);
    const known = this.directions.get(key);
    if (known) {
      // Refresh the entry's place in the least-recently-used order, but only once it has aged by
      // half the capacity: exact LRU would cost two map operations per packet.
      if (this.clock - known.stamp > this.limits.maxDirections >> 1) this.remember(key, known);
      else this.clock++;
      return known.id;
    }
    const addrs = `${ipText(src)}>${ipText(dst)}`;
    const reverseFlow = `${dstPort}>${srcPort}|${ipText(dst)}>${ipText(src)}`;
    const reverse = this.unpaired.get(reverseFlow);
    if (reverse && !reverse.record.paired && this.directions.get(reverse.key) === reverse.record) {
      this.unpaired.delete(reverseFlow);
      reverse.record.paired = true;
      this.remember(key, { id: reverse.record.id, paired: true, stamp: 0 });
      return reverse.record.id;
    }
    const record: DirectionRecord = { id: this.newName(srcPort, undefined, dstPort, tag), paired: false, stamp: 0 };
    this.remember(key, record);
    this.unpaired.set(`${srcPort}>${dstPort}|${addrs}`, { key, record });
    while (this.unpaired.size > this.limits.maxDirections) this.unpaired.delete(this.unpaired.keys().next().value as string);
    return record.id;
  }

  private remember(key: string, record: DirectionRecord): void {
    record.stamp = ++this.clock;
    this.directions.delete(key);
    this.directions.set(key, record);
    while (this.directions.size > this.limits.maxDirections) this.directions.delete(this.directions.keys().next().value as string);
  }

  private newName(portA: number, tagA: number | undefined, portB: number, tagB: number | undefined): string {
    this.count++;
    const a = side(portA, tagA);
    const b = side(portB, tagB);
    return portA < portB || (portA === portB && a <= b) ? `${a}-${b}` : `${b}-${a}`;
  }
}

/** Key of one direction of an association: ports plus the receiver's verification tag. */
export function directionKey(srcPort: number, dstPort: number, tag: number): string {
  return `${srcPort}>${dstPort}#${tag}`;
}

function side(port: number, tag: number | undefined): string {
  return `${port}:${tag === undefined ? '????????' : tag.toString(16).padStart(8, '0')}`;
}
