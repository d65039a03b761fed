/**
 * Asynchronous readers on top of {@link CaptureDecoder}: a file read in fixed-size chunks (memory
 * stays flat whatever the file size), or any stream of chunks such as stdin.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureDecoder, type CaptureItem } from './capture-decoder.js';
import { CAPTURE_DEFAULTS, type ReadCaptureOptions } from './capture-options.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';

/**
 * Reads a pcap or pcapng file and yields its ASAP/ENRP messages and events in capture order,
 * ending with a `summary` event.
 *
 * Throws (from the iterator) a {@link CaptureError} for a missing, empty, unrecognised,
 * truncated or corrupt file, after yielding everything decoded before the problem.
 */
export async function* readCaptureMessages(path: string, options: ReadCaptureOptions = {}): AsyncGenerator<CaptureItem, void, undefined> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, 'r');
    size = (await handle.stat()).size;
  } catch (e) {
    throw new CaptureError(CAPTURE_ERR.io, 0, `cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? CAPTURE_DEFAULTS.chunkSize));
    // One buffer for the whole read: the decoder copies whatever it keeps.
    const buffer = new Uint8Array(chunkSize);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      // Up to the size seen at open: a file still being written is read as it was then.
      for (let position = 0; position < size; ) {
        let n: number;
        try {
          ({ bytesRead: n } = await handle.read(buffer, 0, Math.min(chunkSize, size - position), position));
        } catch (e) {
          throw new CaptureError(CAPTURE_ERR.io, position, `cannot read ${path}: ${(e as Error).message}`, { cause: e });
        }
        if (n === 0) return;
        position += n;
        yield buffer.subarray(0, n);
      }
    }
    yield* decodeChunks(chunks(), { ...options, totalBytes: options.totalBytes ?? size });
  } finally {
    await handle.close();
  }
}

/**
 * Reads pcap or pcapng data from a stream of chunks (e.g. `process.stdin`) and yields as
 * {@link readCaptureMessages} does. Chunks may be reused by the source after they are consumed.
 */
export async function* readCaptureStream(source: AsyncIterable<Uint8Array>, options: ReadCaptureOptions = {}): AsyncGenerator<CaptureItem, void, undefined> {
  yield* decodeChunks(source, options);
}

async function* decodeChunks(source: AsyncIterable<Uint8Array>, options: ReadCaptureOptions): AsyncGenerator<CaptureItem, void, undefined> {
  let pending: CaptureItem[] = [];
  const decoder = new CaptureDecoder((item) => pending.push(item), options);
  const take = (): CaptureItem[] => {
    const items = pending;
    pending = [];
    return items;
  };
  try {
    for await (const chunk of source) {
      decoder.push(chunk);
      yield* take();
      options.onProgress?.({ bytesRead: decoder.bytesRead, totalBytes: options.totalBytes });
    }
    decoder.finish();
  } catch (e) {
    // Whatever was decoded before the problem goes out first.
    yield* take();
    throw e;
  }
  yield* take();
}
