/**
 * Recognises the container format from its first octets and cuts the input into packet records.
 * This is the layer below all protocol decoding: bytes in, {@link CaptureRecord}s out.
 */
import { u32be } from './bytes.js';
import type { CaptureRecordSink } from './capture-record.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import { PcapClassicSource, isPcapMagic } from './pcap-classic.js';
import { PCAPNG_BLOCK, PcapngSource } from './pcapng.js';
import { RecordFramer, type RecordSource } from './record-framer.js';

/** Octets needed to tell the formats apart and read the first length field. */
const DETECT_BYTES = 12;

/** Limits of a {@link CaptureFileReader}. */
export interface CaptureFileLimits {
  /** Longest record or packet block accepted, in octets. */
  readonly maxRecordBytes: number;
  /** Input size when known; lets length fields that overrun the file fail at once. */
  readonly totalBytes?: number | undefined;
}

/** Streaming reader of pcap and pcapng input: push chunks, receive records. */
export class CaptureFileReader implements RecordSource {
  private readonly framer: RecordFramer;
  private format: RecordSource | null = null;
  private sawBytes = false;
  private firstBytes = new Uint8Array(4);
  private firstLen = 0;

  constructor(
    private readonly sink: CaptureRecordSink,
    private readonly limits: CaptureFileLimits,
  ) {
    this.framer = new RecordFramer(this, limits);
  }

  /** Octets pushed so far. */
  get bytesReceived(): number {
    return this.framer.bytesReceived;
  }

  /** Feeds the next chunk. Throws {@link CaptureError} when the input cannot be read further. */
  push(input: Uint8Array): void {
    if (input.length === 0) return;
    // A Node Buffer's slice() is a view, not a copy; plain Uint8Array views make every copy made
    // further down a real one, and every byte array handed out a plain Uint8Array.
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.sawBytes = true;
    if (this.firstLen < 4) {
      const n = Math.min(4 - this.firstLen, chunk.length);
      this.firstBytes.set(chunk.subarray(0, n), this.firstLen);
      this.firstLen += n;
    }
    this.framer.push(chunk);
  }

  /** Declares the end of input; throws for empty, unrecognised or truncated input. */
  finish(): void {
    if (!this.sawBytes) throw new CaptureError(CAPTURE_ERR.empty, 0, 'the input is empty');
    if (!this.format) {
      // Fewer octets than a format needs before it can be recognised.
      if (this.firstLen === 4 && !isKnownMagic(u32be(this.firstBytes, 0))) {
        throw new CaptureError(CAPTURE_ERR.unknownFormat, 0, 'not a pcap or pcapng file');
      }
      throw new CaptureError(CAPTURE_ERR.truncated, 0, `input of ${this.bytesReceived} octets ends inside the file header`);
    }
    this.framer.finish();
  }

  headerSize(): number {
    return this.format ? this.format.headerSize() : DETECT_BYTES;
  }

  recordLength(buf: Uint8Array, off: number, fileOffset: number): number {
    if (!this.format) this.format = this.detect(u32be(buf, off));
    return this.format.recordLength(buf, off, fileOffset);
  }

  record(buf: Uint8Array, off: number, len: number, fileOffset: number): void {
    this.format!.record(buf, off, len, fileOffset);
  }

  private detect(magic: number): RecordSource {
    if (isPcapMagic(magic)) return new PcapClassicSource(this.sink);
    if (magic === PCAPNG_BLOCK.sectionHeader) return new PcapngSource(this.sink, this.limits.maxRecordBytes);
    throw new CaptureError(CAPTURE_ERR.unknownFormat, 0, `not a pcap or pcapng file (first octets 0x${magic.toString(16).padStart(8, '0')})`);
  }
}

function isKnownMagic(magic: number): boolean {
  return isPcapMagic(magic) || magic === PCAPNG_BLOCK.sectionHeader;
}
