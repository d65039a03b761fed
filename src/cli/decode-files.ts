/**
 * `rserpool-harness decode FILE…`: every ASAP/ENRP message of pcap/pcapng captures, one record each
 * (frames, time, addresses, transport, SCTP association/stream/PPID, the decoded message with its
 * tshark field map, or the DecodeError), then a summary. Streams: memory stays flat in file size.
 */
import { statSync } from 'node:fs';
import { decode, DecodeError, toJson, tsharkFields, type DecodeResult, type Json, type Mode, type Profile } from '../../codecs/index.js';
import { CaptureError, readCaptureMessages, type CapturedMessage, type CaptureSummary } from '../capture/index.js';

/** Options of the file mode of `decode`. */
export interface DecodeFilesOptions {
  readonly format: 'text' | 'json' | 'jsonl';
  /** `asap`, `enrp`, or a message type name (`registration`, `asap.error`, …). */
  readonly filter?: string;
  readonly mode: Mode;
  readonly profile: Profile | 'auto';
  readonly udpEncapPorts: readonly number[];
  readonly portHeuristic: boolean;
  readonly progress: boolean;
}

/** Counts kept across all files, printed as the summary. */
interface Totals {
  files: number;
  messages: number;
  decoded: number;
  failed: number;
  byType: Record<string, number>;
  errorsByCode: Record<string, number>;
  tolerated: Record<string, number>;
  checksumFailures: number;
  checksumZero: number;
  skippedFrames: Record<string, number>;
  incompleteMessages: number;
  truncatedRecords: number;
  captureErrors: { file: string; error: Json }[];
}

const isoTime = (s: number, ns: number): string => `${new Date(s * 1000).toISOString().slice(0, 19)}.${String(ns).padStart(9, '0')}Z`;

function matches(filter: string | undefined, protocol: string, type: string | undefined): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  if (f === 'asap' || f === 'enrp') return f === protocol;
  if (type === undefined) return false;
  return f === type.toLowerCase() || f === `${protocol}.${type}`.toLowerCase();
}

/** Decode the files; returns the exit status (0 clean, 1 decode failures or unreadable captures). */
export async function decodeFiles(files: readonly string[], o: DecodeFilesOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const t: Totals = {
    files: 0,
    messages: 0,
    decoded: 0,
    failed: 0,
    byType: {},
    errorsByCode: {},
    tolerated: {},
    checksumFailures: 0,
    checksumZero: 0,
    skippedFrames: {},
    incompleteMessages: 0,
    truncatedRecords: 0,
    captureErrors: [],
  };
  let first = true;
  // Records are gathered and written in batches: one write per record costs more than the decode.
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length) out.write(pending.join(''));
    pending = [];
    pendingBytes = 0;
  };
  const write = (s: string) => {
    pending.push(s);
    pendingBytes += s.length;
    if (pendingBytes >= 1 << 16) flush();
  };
  if (o.format === 'json') write('{"records":[');
  const emit = (rec: Record<string, Json>, line: string) => {
    if (o.format === 'jsonl') write(`${JSON.stringify(rec)}\n`);
    else if (o.format === 'json') {
      write(`${first ? '' : ','}\n${JSON.stringify(rec)}`);
      first = false;
    } else write(`${line}\n`);
  };

  for (const file of files) {
    t.files++;
    let total: number | undefined;
    try {
      total = statSync(file).size;
    } catch {
      total = undefined;
    }
    let lastShown = 0;
    const onProgress = o.progress
      ? (p: { bytesRead: number; totalBytes: number | undefined }) => {
          const now = Date.now();
          if (now - lastShown < 200) return;
          lastShown = now;
          const pct = p.totalBytes ? ` ${((100 * p.bytesRead) / p.totalBytes).toFixed(1)}%` : '';
          err.write(`\r${file}: ${(p.bytesRead / 1e6).toFixed(1)} MB${pct}, ${t.messages} messages   `);
        }
      : undefined;
    try {
      for await (const item of readCaptureMessages(file, {
        sctpOverUdpPorts: o.udpEncapPorts,
        portHeuristic: o.portHeuristic,
        ...(total !== undefined ? { totalBytes: total } : {}),
        ...(onProgress ? { onProgress } : {}),
      })) {
        if (item.kind === 'message') {
          const rec = record(item, file, files.length > 1, o, t);
          if (rec) emit(rec.json, rec.line);
        } else if (item.kind === 'summary') {
          merge(t, item.summary);
        }
      }
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      t.captureErrors.push({ file, error: e.toJSON() as unknown as Json });
      err.write(`${o.progress ? '\n' : ''}rserpool-harness: ${file}: ${e.message}\n`);
    }
    if (o.progress) err.write('\n');
  }

  const summary = summaryJson(t);
  flush();
  if (o.format === 'json') out.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
  else if (o.format === 'jsonl') out.write(`${JSON.stringify({ kind: 'summary', ...summary })}\n`);
  else out.write(summaryText(t));
  return t.failed > 0 || t.captureErrors.length > 0 ? 1 : 0;
}

function record(m: CapturedMessage, file: string, many: boolean, o: DecodeFilesOptions, t: Totals): { json: Record<string, Json>; line: string } | null {
  let result: DecodeResult | undefined;
  let error: DecodeError | undefined;
  try {
    result = decode(m.bytes, { protocol: m.protocol, mode: o.mode, profile: o.profile });
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    error = e;
  }
  const type = result?.value.type;
  if (!matches(o.filter, m.protocol, type)) return null;
  t.messages++;
  const where: Record<string, Json> = {
    kind: 'message',
    ...(many ? { file } : {}),
    frames: [...m.frames],
    time: isoTime(m.timestamp.seconds, m.timestamp.nanos),
    src: m.src,
    dst: m.dst,
    srcPort: m.srcPort,
    dstPort: m.dstPort,
    transport: m.transport,
    ...(m.association !== undefined ? { association: m.association } : {}),
    ...(m.streamId !== undefined ? { streamId: m.streamId } : {}),
    ...(m.ppid !== undefined ? { ppid: m.ppid } : {}),
    ...(m.checksumOk !== undefined ? { checksumOk: m.checksumOk } : {}),
    protocol: m.protocol,
    length: m.bytes.length,
  };
  const head = `#${m.frames.join(',')} ${isoTime(m.timestamp.seconds, m.timestamp.nanos).slice(11)} ${m.src}:${m.srcPort} → ${m.dst}:${m.dstPort} ${m.transport}${m.streamId !== undefined ? ` sid ${m.streamId}` : ''}${m.checksumOk === false ? ' CRC32C-FAILED' : ''}`;
  if (error) {
    t.failed++;
    t.errorsByCode[error.code] = (t.errorsByCode[error.code] ?? 0) + 1;
    return {
      json: { ...where, error: error.toJSON() as unknown as Json, bytes: Buffer.from(m.bytes).toString('hex') },
      line: `${head} ${m.protocol.toUpperCase()} ERROR ${error.code} at offset ${error.offset} (${error.path || 'message'})`,
    };
  }
  const r = result!;
  t.decoded++;
  const key = `${m.protocol}.${r.value.type}`;
  t.byType[key] = (t.byType[key] ?? 0) + 1;
  for (const x of r.tolerated) t.tolerated[x.code] = (t.tolerated[x.code] ?? 0) + 1;
  return {
    json: {
      ...where,
      profile: r.profile,
      message: toJson(r.value),
      ...(r.tolerated.length ? { tolerated: toJson(r.tolerated) } : {}),
      ...(r.skipped.length ? { skipped: toJson(r.skipped) } : {}),
      // tshark knows only the RFC numbering; a legacy message has no tshark reading to compare with.
      // The map is read off the captured octets, which is exactly what tshark dissected.
      ...(r.profile === 'rfc' ? { tshark: tsharkFields(r.value, m.bytes.subarray(0, r.bytesRead)) as unknown as Json } : {}),
    },
    line: o.format === 'text' ? `${head} ${m.protocol.toUpperCase()} ${r.value.type}${brief(r)}` : '',
  };
}

function brief(r: DecodeResult): string {
  const v = r.value as unknown as Record<string, unknown>;
  const parts: string[] = [];
  const flags = v.flags as Record<string, boolean> | undefined;
  if (flags) for (const [k, on] of Object.entries(flags)) if (on) parts.push(k);
  if (v.poolHandle instanceof Uint8Array) parts.push(`pool ${JSON.stringify(Buffer.from(v.poolHandle).toString('latin1'))}`);
  if (typeof v.peId === 'number') parts.push(`pe 0x${v.peId.toString(16)}`);
  const pe = v.poolElement as { peId: number } | undefined;
  if (pe) parts.push(`pe 0x${pe.peId.toString(16)}`);
  if (r.profile === 'legacy') parts.push('(pre-RFC numbering)');
  return parts.length ? ` ${parts.join(' ')}` : '';
}

function merge(t: Totals, s: CaptureSummary): void {
  t.checksumFailures += s.checksumFailures;
  t.checksumZero += s.checksumZero;
  t.incompleteMessages += s.incompleteMessages;
  t.truncatedRecords += s.truncatedRecords;
  for (const [k, v] of Object.entries(s.skippedFrames)) if (v) t.skippedFrames[k] = (t.skippedFrames[k] ?? 0) + v;
}

function summaryJson(t: Totals): Record<string, Json> {
  return {
    files: t.files,
    messages: t.messages,
    decoded: t.decoded,
    failed: t.failed,
    messagesByType: t.byType,
    errorsByCode: t.errorsByCode,
    tolerated: t.tolerated,
    sctpChecksumFailures: t.checksumFailures,
    sctpChecksumZero: t.checksumZero,
    incompleteMessages: t.incompleteMessages,
    truncatedRecords: t.truncatedRecords,
    skippedFrames: t.skippedFrames,
    captureErrors: t.captureErrors,
  };
}

function summaryText(t: Totals): string {
  const lines = ['', `summary: ${t.messages} messages in ${t.files} file(s), ${t.decoded} decoded, ${t.failed} failed`];
  const table = (title: string, rec: Record<string, number>) => {
    const entries = Object.entries(rec).filter(([, n]) => n > 0);
    if (!entries.length) return;
    lines.push(`  ${title}:`);
    for (const [k, n] of entries.sort()) lines.push(`    ${k.padEnd(40)} ${n}`);
  };
  table('messages per type', t.byType);
  table('errors per code', t.errorsByCode);
  table('tolerated (lenient)', t.tolerated);
  lines.push(`  SCTP checksum failures: ${t.checksumFailures}${t.checksumZero ? ` (${t.checksumZero} of them zero: the sending host left CRC32c to offload, as Linux does on loopback)` : ''}`);
  if (t.incompleteMessages) lines.push(`  incomplete SCTP messages: ${t.incompleteMessages}`);
  if (t.truncatedRecords) lines.push(`  truncated records: ${t.truncatedRecords}`);
  table('frames skipped, by reason', t.skippedFrames);
  for (const c of t.captureErrors) lines.push(`  unreadable: ${c.file}: ${String((c.error as { message: string }).message)}`);
  return `${lines.join('\n')}\n`;
}
