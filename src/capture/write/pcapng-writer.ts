/**
 * pcapng files (transports.md §5.2): one Section Header Block, an Interface Description Block per
 * interface (link type, snap length, `if_name`, `if_tsresol`), then an Enhanced Packet Block per
 * frame. Written little-endian.
 */
import type { CaptureTimestamp } from '../capture-record.js';
import { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC } from '../pcapng.js';
import type { ByteSink } from './byte-sink.js';
import { DEFAULT_SNAPLEN, checkTimestamp, type CaptureWriter, type InterfaceDescription } from './capture-writer.js';
import { concatBytes, roundUp4 } from './octets.js';

/** Option codes written here (pcapng specification: general and IDB options). */
export const PCAPNG_OPTION = Object.freeze({
  endOfOptions: 0,
  comment: 1,
  shbUserAppl: 4,
  ifName: 2,
  ifTsresol: 9,
} as const);

/** Options of a pcapng file. */
export interface PcapngOptions {
  /** `shb_userappl`: the application that wrote the file. */
  readonly application?: string;
  /**
   * `opt_comment` of the Section Header Block: e.g. the recording registrar's configuration,
   * which `replay` reads back (src/replay/embedded-config.ts).
   */
  readonly comment?: string;
}

/** A pcapng writer with any number of interfaces, each with its own link type and resolution. */
export class PcapngWriter implements CaptureWriter {
  readonly format = 'pcapng' as const;
  private frames = 0;
  private readonly ticks: readonly bigint[];
  private readonly snaplens: readonly number[];
  private readonly head = new Uint8Array(28);
  private readonly headView = new DataView(this.head.buffer);

  constructor(
    private readonly sink: ByteSink,
    private readonly interfaces: readonly InterfaceDescription[],
    options: PcapngOptions = {},
  ) {
    if (interfaces.length === 0) throw new RangeError('a pcapng file needs at least one interface');
    const shbBody = new Uint8Array(16);
    const v = new DataView(shbBody.buffer);
    v.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, true);
    v.setUint16(4, 1, true); // version 1.0
    v.setUint16(6, 0, true);
    // Section length -1: not known in advance when streaming.
    v.setBigInt64(8, -1n, true);
    const opts: Array<[number, Uint8Array]> = [];
    if (options.comment !== undefined) opts.push([PCAPNG_OPTION.comment, utf8(options.comment)]);
    if (options.application !== undefined) opts.push([PCAPNG_OPTION.shbUserAppl, utf8(options.application)]);
    const shbOptions = opts.length > 0 ? optionList(opts) : new Uint8Array(0);
    sink.write(block(PCAPNG_BLOCK.sectionHeader, concatBytes([shbBody, shbOptions])));
    for (const i of interfaces) sink.write(interfaceBlock(i));
    this.ticks = interfaces.map((i) => 10n ** BigInt(i.tsresol ?? 6));
    this.snaplens = interfaces.map((i) => i.snaplen ?? DEFAULT_SNAPLEN);
  }

  get frameCount(): number {
    return this.frames;
  }

  linkType(index: number): number {
    const i = this.interfaces[index];
    if (i === undefined) throw new RangeError(`no interface ${index} (the file has ${this.interfaces.length})`);
    return i.linkType;
  }

  writeFrame(frame: Uint8Array, t: CaptureTimestamp, iface = 0, originalLength = frame.length): void {
    this.linkType(iface);
    checkTimestamp(t);
    if (frame.length > this.snaplens[iface]!) throw new RangeError(`frame of ${frame.length} octets exceeds the snap length ${this.snaplens[iface]}`);
    if (originalLength < frame.length) throw new RangeError('original length below the captured length');
    const perSecond = this.ticks[iface]!;
    // Timestamps count units of 10^-tsresol seconds in one 64-bit number split into two words.
    const ticks = BigInt(t.seconds) * perSecond + (BigInt(t.nanos) * perSecond) / 1_000_000_000n;
    const padded = roundUp4(frame.length);
    const total = 32 + padded;
    const v = this.headView;
    v.setUint32(0, PCAPNG_BLOCK.enhancedPacket, true);
    v.setUint32(4, total, true);
    v.setUint32(8, iface, true);
    v.setUint32(12, Number(ticks >> 32n), true);
    v.setUint32(16, Number(ticks & 0xffffffffn), true);
    v.setUint32(20, frame.length, true);
    v.setUint32(24, originalLength, true);
    this.sink.write(this.head);
    this.sink.write(frame);
    const tail = new Uint8Array(padded - frame.length + 4);
    new DataView(tail.buffer).setUint32(tail.length - 4, total, true);
    this.sink.write(tail);
    this.frames++;
  }

  close(): void {
    this.sink.close();
  }
}

function interfaceBlock(i: InterfaceDescription): Uint8Array {
  const fixed = new Uint8Array(8);
  const v = new DataView(fixed.buffer);
  v.setUint16(0, i.linkType, true);
  v.setUint32(4, i.snaplen ?? DEFAULT_SNAPLEN, true);
  const options: [number, Uint8Array][] = [];
  if (i.name !== undefined) options.push([PCAPNG_OPTION.ifName, utf8(i.name)]);
  // The default resolution is microseconds; say so anyway so readers need not assume it.
  options.push([PCAPNG_OPTION.ifTsresol, Uint8Array.of(i.tsresol ?? 6)]);
  return block(PCAPNG_BLOCK.interfaceDescription, concatBytes([fixed, optionList(options)]));
}

/** Options, each padded to 4, closed by opt_endofopt. */
function optionList(options: readonly (readonly [number, Uint8Array])[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [code, value] of options) {
    const o = new Uint8Array(4 + roundUp4(value.length));
    const v = new DataView(o.buffer);
    v.setUint16(0, code, true);
    v.setUint16(2, value.length, true);
    o.set(value, 4);
    parts.push(o);
  }
  parts.push(new Uint8Array(4));
  return concatBytes(parts);
}

/** A block: type, total length, body padded to 4, total length again. */
function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + roundUp4(body.length);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  b.set(body, 8);
  v.setUint32(total - 4, total, true);
  return b;
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
