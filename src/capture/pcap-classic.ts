/**
 * Classic libpcap files (transports.md §5.1): a 24-octet file header, then records of a 16-octet
 * header plus the captured octets. Magic 0xA1B2C3D4 means microsecond and 0xA1B23C4D nanosecond
 * timestamps; reading either magic byte-swapped means every header field is in the other order.
 *
 * Read here rather than through the pcap-parser package (0.2.1): it rejects nanosecond files, keeps
 * the FCS bits in the link type, drops a cut final record without a word, buffers without limit
 * behind a bogus length field, and cannot be fed chunks synchronously.
 */
import { u16, u32, u32be } from './bytes.js';
import type { CaptureRecordSink } from './capture-record.js';
import { normaliseTimestamp } from './capture-record.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import type { RecordSource } from './record-framer.js';

/** pcap magic numbers as read big-endian from the first four octets of the file. */
export const PCAP_MAGIC = Object.freeze({
  microsBigEndian: 0xa1b2c3d4,
  microsLittleEndian: 0xd4c3b2a1,
  nanosBigEndian: 0xa1b23c4d,
  nanosLittleEndian: 0x4d3cb2a1,
} as const);

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** True when the first four octets are one of the pcap magic numbers. */
export function isPcapMagic(first4: number): boolean {
  return (
    first4 === PCAP_MAGIC.microsBigEndian ||
    first4 === PCAP_MAGIC.microsLittleEndian ||
    first4 === PCAP_MAGIC.nanosBigEndian ||
    first4 === PCAP_MAGIC.nanosLittleEndian
  );
}

/** Fields of the classic pcap file header. */
export interface PcapFileHeader {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;
  readonly linkType: number;
}

/** Record source for classic pcap; feeds a {@link CaptureRecordSink}. */
export class PcapClassicSource implements RecordSource {
  private header: PcapFileHeader | null = null;
  private frame = 0;

  constructor(private readonly sink: CaptureRecordSink) {}

  /** The file header, once read. */
  get fileHeader(): PcapFileHeader | null {
    return this.header;
  }

  headerSize(): number {
    return this.header ? RECORD_HEADER : FILE_HEADER;
  }

  recordLength(buf: Uint8Array, off: number): number {
    if (!this.header) return FILE_HEADER;
    return RECORD_HEADER + u32(buf, off + 8, this.header.littleEndian);
  }

  record(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    const h = this.header;
    if (!h) {
      this.readFileHeader(buf, off, fileOffset);
      return;
    }
    const le = h.littleEndian;
    const seconds = u32(buf, off, le);
    const fraction = u32(buf, off + 4, le);
    const captured = len - RECORD_HEADER;
    const original = u32(buf, off + 12, le);
    this.sink.onRecord({
      frame: ++this.frame,
      fileOffset,
      linkType: h.linkType,
      timestamp: normaliseTimestamp(seconds, h.nanosecond ? fraction : fraction * 1000),
      capturedLength: captured,
      originalLength: original,
      data: buf.subarray(off + RECORD_HEADER, off + len),
    });
  }

  private readFileHeader(buf: Uint8Array, off: number, fileOffset: number): void {
    const magic = u32be(buf, off);
    if (!isPcapMagic(magic)) {
      throw new CaptureError(CAPTURE_ERR.unknownFormat, fileOffset, `not a pcap magic: 0x${magic.toString(16)}`);
    }
    const le = magic === PCAP_MAGIC.microsLittleEndian || magic === PCAP_MAGIC.nanosLittleEndian;
    const versionMajor = u16(buf, off + 4, le);
    // libpcap has written major version 2 since 1998; anything else is another format.
    if (versionMajor !== 2) {
      throw new CaptureError(CAPTURE_ERR.unsupportedVersion, fileOffset + 4, `pcap major version ${versionMajor}`);
    }
    this.header = {
      littleEndian: le,
      nanosecond: magic === PCAP_MAGIC.nanosBigEndian || magic === PCAP_MAGIC.nanosLittleEndian,
      versionMajor,
      versionMinor: u16(buf, off + 6, le),
      snaplen: u32(buf, off + 16, le),
      // Only the low 16 bits name the link type; the upper ones may carry FCS information.
      linkType: u32(buf, off + 20, le) & 0xffff,
    };
    this.sink.onFormat('pcap');
  }
}
