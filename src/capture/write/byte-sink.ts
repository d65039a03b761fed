/**
 * Where a capture writer's octets go: collected in memory, or streamed to a file through a
 * fixed-size buffer (memory stays flat however large the capture grows).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { concatBytes } from './octets.js';

/** Receives the octets of a capture file in order. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  /** Flushes and releases the sink; no writes after this. */
  close(): void;
}

/** Collects everything written; {@link bytes} joins it. */
export class MemorySink implements ByteSink {
  private readonly parts: Uint8Array[] = [];
  private closed = false;

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error('MemorySink.write after close');
    // Callers may reuse their buffers, so keep a copy.
    this.parts.push(bytes.slice());
  }

  close(): void {
    this.closed = true;
  }

  /** Everything written so far, as one array. */
  bytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}

/** Writes to a file (created or truncated) through a buffer of `bufferBytes` octets. */
export class FileSink implements ByteSink {
  private readonly fd: number;
  private readonly buffer: Uint8Array;
  private used = 0;
  private closed = false;

  constructor(
    readonly path: string,
    bufferBytes = 1 << 20,
  ) {
    this.fd = openSync(path, 'w');
    this.buffer = new Uint8Array(bufferBytes);
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error(`FileSink.write after close (${this.path})`);
    if (this.used + bytes.length > this.buffer.length) this.flush();
    // Larger than the whole buffer: write straight through.
    if (bytes.length > this.buffer.length) {
      writeAll(this.fd, bytes);
      return;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}
