/**
 * pcapng files (transports.md §5.2): blocks of type (4), total length (4), body, total length (4).
 * Each Section Header Block announces the byte order of its section and restarts interface
 * numbering; each Interface Description Block brings its own link type and timestamp resolution.
 * Packet blocks (Enhanced, Simple, obsolete Packet) become records; every other block is skipped
 * by its length.
 */
import { i64, pad4, u16, u32, u32be } from './bytes.js';
import type { CaptureRecordSink, CaptureTimestamp } from './capture-record.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import type { RecordSource } from './record-framer.js';

/** pcapng block types (pcapng specification; transports.md §5.2). */
export const PCAPNG_BLOCK = Object.freeze({
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  packet: 0x00000002,
  simplePacket: 0x00000003,
  nameResolution: 0x00000004,
  interfaceStatistics: 0x00000005,
  enhancedPacket: 0x00000006,
  decryptionSecrets: 0x0000000a,
  custom: 0x00000bad,
  customNoCopy: 0x40000bad,
} as const);

/** The byte-order magic of a Section Header Block, as written in the section's own order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Interface Description Block option codes the reader uses (transports.md §5.2). */
export const PCAPNG_IDB_OPTION = Object.freeze({
  endOfOptions: 0,
  tsresol: 9,
  tsoffset: 14,
} as const);

const BLOCK_HEADER = 12; // type, length, and the first body word (the SHB's byte-order magic)
const SHB_MIN = 28;
const IDB_MIN = 20;
const EPB_FIXED = 28;
const SPB_FIXED = 16;
const PB_FIXED = 28;

interface InterfaceInfo {
  readonly linkType: number;
  readonly snaplen: number;
  /** Ticks per second when it is a power of ten up to 10^15 (exact in a double), else 0. */
  readonly ticksPerSecond: number;
  readonly ticksPerSecondBig: bigint;
  readonly offsetSeconds: number;
}

const MICROSECONDS: Pick<InterfaceInfo, 'ticksPerSecond' | 'ticksPerSecondBig'> = {
  ticksPerSecond: 1_000_000,
  ticksPerSecondBig: 1_000_000n,
};

/** Record source for pcapng; feeds a {@link CaptureRecordSink}. */
export class PcapngSource implements RecordSource {
  private littleEndian = true;
  private inSection = false;
  private interfaces: InterfaceInfo[] = [];
  private frame = 0;
  private sections = 0;

  constructor(
    private readonly sink: CaptureRecordSink,
    /** Blocks we do not read and that are longer than this are skipped without buffering. */
    private readonly maxBufferedBlock: number,
  ) {}

  /** Sections seen so far. */
  get sectionCount(): number {
    return this.sections;
  }

  headerSize(): number {
    return BLOCK_HEADER;
  }

  recordLength(buf: Uint8Array, off: number, fileOffset: number): number {
    const typeBe = u32be(buf, off);
    let le = this.littleEndian;
    if (typeBe === PCAPNG_BLOCK.sectionHeader) {
      // The SHB type reads the same in both orders; its byte-order magic decides the section's.
      const magicBe = u32be(buf, off + 8);
      if (magicBe === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else if (u32(buf, off + 8, true) === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else {
        throw new CaptureError(
          this.sections === 0 ? CAPTURE_ERR.unknownFormat : CAPTURE_ERR.corrupt,
          fileOffset + 8,
          `bad pcapng byte-order magic 0x${magicBe.toString(16)}`,
        );
      }
    } else if (!this.inSection) {
      throw new CaptureError(CAPTURE_ERR.unknownFormat, fileOffset, 'pcapng input does not start with a Section Header Block');
    }
    const len = u32(buf, off + 4, le);
    const type = u32(buf, off, le);
    // Every block is a whole number of 32-bit words and holds at least type and both lengths.
    if (len < BLOCK_HEADER || len % 4 !== 0) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `pcapng block length ${len} must be a multiple of 4 and at least 12`);
    }
    if (type === PCAPNG_BLOCK.sectionHeader && len < SHB_MIN) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `Section Header Block length ${len} below ${SHB_MIN}`);
    }
    if (!isReadBlock(type) && len > this.maxBufferedBlock) return -len;
    return len;
  }

  record(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const typeBe = u32be(buf, off);
    if (typeBe === PCAPNG_BLOCK.sectionHeader) {
      this.readSectionHeader(buf, off, len, fileOffset);
      return;
    }
    const le = this.littleEndian;
    const trailer = u32(buf, off + len - 4, le);
    if (trailer !== len) {
      throw new CaptureError(
        CAPTURE_ERR.corrupt,
        fileOffset + len - 4,
        `pcapng block trailing length ${trailer} differs from leading length ${len}`,
      );
    }
    switch (u32(buf, off, le)) {
      case PCAPNG_BLOCK.interfaceDescription:
        this.readInterface(buf, off, len, fileOffset);
        return;
      case PCAPNG_BLOCK.enhancedPacket:
        this.readEnhancedPacket(buf, off, len, fileOffset);
        return;
      case PCAPNG_BLOCK.simplePacket:
        this.readSimplePacket(buf, off, len, fileOffset);
        return;
      case PCAPNG_BLOCK.packet:
        this.readObsoletePacket(buf, off, len, fileOffset);
        return;
      default:
        return; // statistics, name resolution, secrets, custom and unknown blocks carry no packets
    }
  }

  private readSectionHeader(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = u32(buf, off + 8, true) === PCAPNG_BYTE_ORDER_MAGIC;
    if (u32(buf, off + len - 4, le) !== len) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + len - 4, 'Section Header Block trailing length differs from leading length');
    }
    const major = u16(buf, off + 12, le);
    if (major !== 1) {
      throw new CaptureError(CAPTURE_ERR.unsupportedVersion, fileOffset + 12, `pcapng major version ${major}`);
    }
    this.littleEndian = le;
    this.inSection = true;
    this.interfaces = []; // interface IDs are numbered per section
    if (this.sections++ === 0) this.sink.onFormat('pcapng');
  }

  private readInterface(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    if (len < IDB_MIN) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `Interface Description Block length ${len} below ${IDB_MIN}`);
    }
    const le = this.littleEndian;
    let resolution = 6;
    let offsetSeconds = 0;
    const end = off + len - 4;
    let pos = off + 16;
    while (pos + 4 <= end) {
      const code = u16(buf, pos, le);
      const optLen = u16(buf, pos + 2, le);
      if (code === PCAPNG_IDB_OPTION.endOfOptions) break;
      if (pos + 4 + optLen > end) {
        throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + (pos - off), `option ${code} of length ${optLen} overruns its block`);
      }
      if (code === PCAPNG_IDB_OPTION.tsresol && optLen >= 1) resolution = buf[pos + 4]!;
      else if (code === PCAPNG_IDB_OPTION.tsoffset && optLen >= 8) offsetSeconds = Number(i64(buf, pos + 4, le));
      pos += 4 + pad4(optLen);
    }
    this.interfaces.push({
      linkType: u16(buf, off + 8, le),
      snaplen: u32(buf, off + 12, le),
      ...ticksOf(resolution),
      offsetSeconds,
    });
  }

  private readEnhancedPacket(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = this.littleEndian;
    if (len < EPB_FIXED + 4) throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `Enhanced Packet Block length ${len} below 32`);
    const iface = this.interfaceAt(u32(buf, off + 8, le), fileOffset + 8);
    const captured = u32(buf, off + 20, le);
    if (captured > len - EPB_FIXED - 4) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 20, `captured length ${captured} does not fit in a ${len}-octet block`);
    }
    const data = buf.subarray(off + EPB_FIXED, off + EPB_FIXED + captured);
    this.emit(iface, fileOffset, u32(buf, off + 12, le), u32(buf, off + 16, le), captured, u32(buf, off + 24, le), data);
  }

  private readObsoletePacket(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = this.littleEndian;
    if (len < PB_FIXED + 4) throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `Packet Block length ${len} below 32`);
    const iface = this.interfaceAt(u16(buf, off + 8, le), fileOffset + 8);
    const captured = u32(buf, off + 20, le);
    if (captured > len - PB_FIXED - 4) {
      throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 20, `captured length ${captured} does not fit in a ${len}-octet block`);
    }
    const data = buf.subarray(off + PB_FIXED, off + PB_FIXED + captured);
    this.emit(iface, fileOffset, u32(buf, off + 12, le), u32(buf, off + 16, le), captured, u32(buf, off + 24, le), data);
  }

  private readSimplePacket(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const le = this.littleEndian;
    if (len < SPB_FIXED) throw new CaptureError(CAPTURE_ERR.corrupt, fileOffset + 4, `Simple Packet Block length ${len} below 16`);
    // A Simple Packet belongs to interface 0 and carries no timestamp.
    const iface = this.interfaceAt(0, fileOffset);
    const original = u32(buf, off + 8, le);
    let captured = Math.min(original, len - SPB_FIXED);
    if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
    this.frame++;
    this.sink.onRecord({
      frame: this.frame,
      fileOffset,
      linkType: iface.linkType,
      timestamp: { seconds: 0, nanos: 0 },
      capturedLength: captured,
      originalLength: original,
      data: buf.subarray(off + 12, off + 12 + captured),
    });
  }

  private interfaceAt(id: number, at: number): InterfaceInfo {
    const iface = this.interfaces[id];
    if (!iface) {
      throw new CaptureError(CAPTURE_ERR.corrupt, at, `packet refers to interface ${id}, but the section defines ${this.interfaces.length}`);
    }
    return iface;
  }

  private emit(iface: InterfaceInfo, fileOffset: number, tsHigh: number, tsLow: number, captured: number, original: number, data: Uint8Array): void {
    this.sink.onRecord({
      frame: ++this.frame,
      fileOffset,
      linkType: iface.linkType,
      timestamp: timestampOf(iface, tsHigh, tsLow),
      capturedLength: captured,
      originalLength: original,
      data,
    });
  }
}

function isReadBlock(type: number): boolean {
  return (
    type === PCAPNG_BLOCK.sectionHeader ||
    type === PCAPNG_BLOCK.interfaceDescription ||
    type === PCAPNG_BLOCK.enhancedPacket ||
    type === PCAPNG_BLOCK.simplePacket ||
    type === PCAPNG_BLOCK.packet
  );
}

/** `if_tsresol`: high bit clear → 10^-n s per tick, set → 2^-n s per tick (default 10^-6). */
function ticksOf(resolution: number): Pick<InterfaceInfo, 'ticksPerSecond' | 'ticksPerSecondBig'> {
  if (resolution === 6) return MICROSECONDS;
  const n = resolution & 0x7f;
  const big = resolution & 0x80 ? 1n << BigInt(n) : 10n ** BigInt(n);
  return { ticksPerSecond: resolution & 0x80 || n > 15 ? 0 : 10 ** n, ticksPerSecondBig: big };
}

const TWO_POW_32 = 4294967296;

function timestampOf(iface: InterfaceInfo, high: number, low: number): CaptureTimestamp {
  const perSecond = iface.ticksPerSecond;
  // Fast path: the 64-bit tick count fits a double exactly (below 2^53).
  if (perSecond > 0 && high < 0x200000) {
    const ticks = high * TWO_POW_32 + low;
    const seconds = Math.floor(ticks / perSecond);
    const rest = ticks - seconds * perSecond;
    // Powers of ten only: one of the two ratios below is an exact integer, so no precision is lost.
    const nanos = perSecond <= 1_000_000_000 ? rest * (1_000_000_000 / perSecond) : Math.floor(rest / (perSecond / 1_000_000_000));
    return { seconds: seconds + iface.offsetSeconds, nanos };
  }
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  const den = iface.ticksPerSecondBig;
  const seconds = ticks / den;
  const nanos = ((ticks % den) * 1_000_000_000n) / den;
  return { seconds: Number(seconds) + iface.offsetSeconds, nanos: Number(nanos) };
}
