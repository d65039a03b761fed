/**
 * Runs the capture decoder over bytes in memory, in chunks of a chosen size, and sorts the output.
 */
import { CaptureDecoder, CaptureError, type CaptureDecoderOptions, type CaptureEvent, type CaptureItem, type CaptureSummary, type CapturedMessage } from '../../src/capture/index.js';

export interface Decoded {
  items: CaptureItem[];
  messages: CapturedMessage[];
  events: CaptureEvent[];
  summary: CaptureSummary | undefined;
  error: CaptureError | undefined;
}

/** Decodes `bytes`, pushing `chunkSize` octets at a time (default: all at once). */
export function decode(bytes: Uint8Array, options: CaptureDecoderOptions = {}, chunkSize = bytes.length || 1): Decoded {
  const items: CaptureItem[] = [];
  const decoder = new CaptureDecoder((item) => items.push(item), options);
  let error: CaptureError | undefined;
  try {
    for (let pos = 0; pos < bytes.length; pos += chunkSize) decoder.push(bytes.subarray(pos, pos + chunkSize));
    decoder.finish();
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  }
  const messages = items.filter((i): i is CapturedMessage => i.kind === 'message');
  const events = items.filter((i): i is CaptureEvent => i.kind !== 'message');
  const summaryEvent = events.find((e) => e.kind === 'summary');
  return { items, messages, events, summary: summaryEvent?.kind === 'summary' ? summaryEvent.summary : undefined, error };
}

/** Events of one kind. */
export function eventsOf<K extends CaptureEvent['kind']>(d: Decoded, kind: K): Extract<CaptureEvent, { kind: K }>[] {
  return d.events.filter((e): e is Extract<CaptureEvent, { kind: K }> => e.kind === kind);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
