/**
 * Cuts a byte stream that arrives in arbitrary chunks into whole records (pcap records, pcapng
 * blocks) without ever holding more than one record. Records that lie inside a chunk are handed
 * over in place; only a record that straddles chunks is copied into a carry buffer, whose size is
 * bounded by the maximum record length.
 */
import { CAPTURE_ERR, CaptureError } from './errors.js';

/** What the framer needs to know about the format it cuts. */
export interface RecordSource {
  /** Octets needed before {@link recordLength} can tell the length of the next record. */
  headerSize(): number;
  /**
   * Length of the record starting at `buf[off]` (at least `headerSize()` octets are there),
   * including its header. A negative value `-n` means: skip `n` octets without buffering them.
   * Throws {@link CaptureError} for an impossible header.
   */
  recordLength(buf: Uint8Array, off: number, fileOffset: number): number;
  /** A whole record. `buf` is only valid during the call: copy what must be kept. */
  record(buf: Uint8Array, off: number, len: number, fileOffset: number): void;
}

/** Limits of a {@link RecordFramer}. */
export interface RecordFramerLimits {
  /** Largest record that may be buffered; longer length fields are errors. */
  readonly maxRecordBytes: number;
  /** Size of the whole input when known (files): lets a length that overruns it fail at once. */
  readonly totalBytes?: number | undefined;
}

/** Streaming record cutter; see the module comment. */
export class RecordFramer {
  private carry = new Uint8Array(64);
  private carryLen = 0;
  /** Length of the record being collected in `carry`; 0 while its header is incomplete. */
  private pendingLen = 0;
  private skipLeft = 0;
  /** File offset of the block being skipped, for the error if the input ends inside it. */
  private skipStart = 0;
  /** File offset of the first octet not yet handed to a record (start of the carried record). */
  private offset = 0;
  private received = 0;

  constructor(
    private readonly source: RecordSource,
    private readonly limits: RecordFramerLimits,
  ) {}

  /** Octets pushed so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /** Feeds the next chunk of input. */
  push(chunk: Uint8Array): void {
    this.received += chunk.length;
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.skipLeft > 0) {
        const n = Math.min(this.skipLeft, end - pos);
        this.skipLeft -= n;
        this.offset += n;
        pos += n;
        continue;
      }
      if (this.carryLen > 0) {
        pos = this.fillCarry(chunk, pos);
        continue;
      }
      const avail = end - pos;
      if (avail < this.source.headerSize()) {
        this.startCarry(chunk, pos, avail, 0);
        return;
      }
      const len = this.measure(chunk, pos);
      if (len < 0) {
        const n = Math.min(-len, avail);
        this.skipStart = this.offset;
        this.skipLeft = -len - n;
        this.offset += n;
        pos += n;
        continue;
      }
      if (len > avail) {
        this.startCarry(chunk, pos, avail, len);
        return;
      }
      this.source.record(chunk, pos, len, this.offset);
      this.offset += len;
      pos += len;
    }
  }

  /**
   * Declares the end of input. Throws {@link CAPTURE_ERR.truncated} when it ends inside a record
   * (or inside a block being skipped).
   */
  finish(): void {
    if (this.skipLeft > 0) {
      throw new CaptureError(CAPTURE_ERR.truncated, this.skipStart, `input ends ${this.skipLeft} octets before the end of a skipped block`);
    }
    if (this.carryLen > 0) {
      const want = this.pendingLen > 0 ? `${this.pendingLen}-octet record` : 'record header';
      throw new CaptureError(CAPTURE_ERR.truncated, this.offset, `input ends inside a ${want} (${this.carryLen} octets present)`);
    }
  }

  /** Copies the start of the carried record; `pending` = its length if known, else 0. */
  private startCarry(chunk: Uint8Array, pos: number, avail: number, pending: number): void {
    this.ensureCarry(avail);
    this.carry.set(chunk.subarray(pos, pos + avail), 0);
    this.carryLen = avail;
    this.pendingLen = pending;
  }

  /** Continues the carried record from `chunk[pos]`; returns the new position. */
  private fillCarry(chunk: Uint8Array, pos: number): number {
    const target = this.pendingLen > 0 ? this.pendingLen : this.source.headerSize();
    const take = Math.min(target - this.carryLen, chunk.length - pos);
    if (take > 0) {
      // Grow with what has arrived, not with what the length field promises.
      this.ensureCarry(this.carryLen + take);
      this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
    }
    if (this.carryLen < target) return pos;
    if (this.pendingLen === 0) {
      const len = this.measure(this.carry, 0);
      if (len < 0) {
        // A block to skip whose header we had to carry: drop what we hold, skip the rest.
        this.skipStart = this.offset;
        this.skipLeft = -len - this.carryLen;
        this.offset += this.carryLen;
        this.carryLen = 0;
        return pos;
      }
      this.pendingLen = len;
      if (len > this.carryLen) return pos;
    }
    const len = this.pendingLen;
    this.carryLen = 0;
    this.pendingLen = 0;
    this.source.record(this.carry, 0, len, this.offset);
    this.offset += len;
    return pos;
  }

  /** Asks the source for the record length and enforces the limits on it. */
  private measure(buf: Uint8Array, off: number): number {
    const len = this.source.recordLength(buf, off, this.offset);
    const size = Math.abs(len);
    // A length field running past the end of a file of known size is a truncation, reported at
    // the record rather than after reading (and buffering) up to the end.
    const total = this.limits.totalBytes;
    if (total !== undefined && this.offset + size > total) {
      throw new CaptureError(
        CAPTURE_ERR.truncated,
        this.offset,
        `record of ${size} octets runs past the end of the ${total}-octet input`,
      );
    }
    if (len > this.limits.maxRecordBytes) {
      throw new CaptureError(
        CAPTURE_ERR.recordTooLarge,
        this.offset,
        `record length ${len} exceeds the maximum of ${this.limits.maxRecordBytes} octets`,
      );
    }
    return len;
  }

  private ensureCarry(n: number): void {
    if (this.carry.length >= n) return;
    const next = new Uint8Array(Math.max(n, Math.min(this.carry.length * 2, this.limits.maxRecordBytes)));
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}
