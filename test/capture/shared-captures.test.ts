/**
 * The real captures in /work/shared/captures, checked against tshark: message counts per frame
 * and type, checksum verdicts, and the same messages after conversion to pcapng / ns pcap.
 * tshark-based checks skip (with a message) where tshark is not installed; CI installs it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAPTURE_ERR,
  readCaptureMessages,
  readCaptureStream,
  type CaptureItem,
  type CaptureProgress,
  type CaptureSummary,
  type CapturedMessage,
} from '../../src/capture/index.js';

const run = promisify(execFile);
const DIR = '/work/shared/captures';
const CAPTURES = ['rsplib-demo', 'rsplib-a1_pe_registration', 'rsplib-a2_handle_resolution', 'rsplib-b_enrp_peering', 'rsplib-c1_pe_keepalive_timeout'];
const path = (name: string): string => join(DIR, `${name}.pcap`);

const capturesPresent = CAPTURES.every((c) => existsSync(path(c)));
const tsharkPresent = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const editcapPresent = spawnSync('editcap', ['-h'], { stdio: 'ignore' }).status === 0;
if (!capturesPresent) console.warn(`capture tests skipped: shared captures not found in ${DIR}`);
if (!tsharkPresent) console.warn('tshark comparison skipped: tshark is not installed (apt-get install tshark); CI installs it');
if (!editcapPresent) console.warn('pcapng conversion skipped: editcap is not installed (part of the tshark packages)');

async function readAll(file: string, options = {}): Promise<{ messages: CapturedMessage[]; items: CaptureItem[]; summary: CaptureSummary }> {
  const items: CaptureItem[] = [];
  for await (const item of readCaptureMessages(file, options)) items.push(item);
  const last = items.at(-1);
  if (last?.kind !== 'summary') throw new Error('no summary at the end');
  return { items, messages: items.filter((i): i is CapturedMessage => i.kind === 'message'), summary: last.summary };
}

/** `frame:protocol:type` per message, as tshark would list them. */
function perFrame(messages: CapturedMessage[]): string[] {
  return messages.map((m) => `${m.frames.at(-1)}:${m.protocol}:${m.bytes[0]}`).sort();
}

async function tsharkPerFrame(file: string): Promise<string[]> {
  const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'asap.message_type', '-e', 'enrp.message_type', '-E', 'occurrence=a'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const [frame, asap = '', enrp = ''] = line.split('\t');
    for (const t of asap.split(',').filter(Boolean)) out.push(`${frame}:asap:${Number(t)}`);
    for (const t of enrp.split(',').filter(Boolean)) out.push(`${frame}:enrp:${Number(t)}`);
  }
  return out.sort();
}

/** tshark's SCTP checksum verdicts with CRC32c checking on: [good, bad]. */
async function tsharkChecksums(file: string): Promise<[number, number]> {
  const { stdout } = await run('tshark', ['-r', file, '-o', 'sctp.checksum:CRC-32C', '-Y', 'sctp', '-T', 'fields', '-e', 'sctp.checksum.status'], { maxBuffer: 64 * 1024 * 1024 });
  const lines = stdout.split('\n').filter(Boolean);
  return [lines.filter((l) => l === '1').length, lines.filter((l) => l === '0').length];
}

describe.skipIf(!capturesPresent)('shared captures', () => {
  const ours = new Map<string, Awaited<ReturnType<typeof readAll>>>();
  beforeAll(async () => {
    await Promise.all(CAPTURES.map(async (c) => ours.set(c, await readAll(path(c)))));
  });

  describe.skipIf(!tsharkPresent)('against tshark', () => {
    const theirs = new Map<string, { perFrame: string[]; checksums: [number, number] }>();
    beforeAll(async () => {
      await Promise.all(CAPTURES.map(async (c) => theirs.set(c, { perFrame: await tsharkPerFrame(path(c)), checksums: await tsharkChecksums(path(c)) })));
    });

    it.each(CAPTURES)('%s: same ASAP and ENRP messages, frame by frame and type by type', (c) => {
      const mine = perFrame(ours.get(c)!.messages);
      const ts = theirs.get(c)!.perFrame;
      const count = (list: string[], proto: string): number => list.filter((s) => s.includes(`:${proto}:`)).length;
      expect({ asap: count(mine, 'asap'), enrp: count(mine, 'enrp') }).toEqual({ asap: count(ts, 'asap'), enrp: count(ts, 'enrp') });
      expect(mine).toEqual(ts);
    });

    it.each(CAPTURES)('%s: same checksum verdicts', (c) => {
      const s = ours.get(c)!.summary;
      const [good, bad] = theirs.get(c)!.checksums;
      expect([s.sctpPackets - s.checksumFailures, s.checksumFailures]).toEqual([good, bad]);
    });
  });

  it('the 2007 demo: every SCTP checksum validates, PPIDs decide despite ports 2001-2003/10001-10003', () => {
    const { summary, messages } = ours.get('rsplib-demo')!;
    expect(summary).toMatchObject({ sctpPackets: 2165, checksumFailures: 0, messages: { asap: 148, enrp: 545 }, malformed: 0, truncatedRecords: 0 });
    expect(summary.otherPpids).toEqual({ [0x29097603]: 96 });
    expect(summary.skippedFrames['component-status-protocol']).toBe(2670);
    expect(messages.every((m) => m.checksumOk && m.classifiedBy === 'ppid')).toBe(true);
    expect(messages.some((m) => m.src.includes(':'))).toBe(false); // IPv6 paths carry heartbeats only
  });

  it('the Linux loopback captures: checksums all zero (offload), reported, messages still produced', () => {
    for (const c of CAPTURES.filter((x) => x !== 'rsplib-demo')) {
      const { summary, messages, items } = ours.get(c)!;
      expect(summary.checksumFailures).toBe(summary.sctpPackets);
      expect(summary.checksumZero).toBe(summary.sctpPackets);
      expect(items.filter((i) => i.kind === 'sctp-checksum')).toHaveLength(summary.sctpPackets);
      expect(messages.filter((m) => m.transport === 'sctp').every((m) => m.checksumOk === false)).toBe(true);
    }
  });

  it('names associations consistently in both directions', () => {
    const { messages } = ours.get('rsplib-b_enrp_peering')!;
    const byAssociation = new Map<string, Set<string>>();
    for (const m of messages) {
      const dirs = byAssociation.get(m.association!) ?? new Set();
      dirs.add(`${m.srcPort}>${m.dstPort}`);
      byAssociation.set(m.association!, dirs);
    }
    expect([...byAssociation.keys()].every((k) => !k.includes('?'))).toBe(true);
    expect([...byAssociation.values()].some((d) => d.size === 2)).toBe(true);
  });

  describe.skipIf(!editcapPresent)('converted with editcap', () => {
    let tmp = '';
    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'capture-test-'));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it.each([
      ['pcapng', 'pcapng'],
      ['nsecpcap', 'ns.pcap'],
    ])('to %s: identical messages and counters', async (format, ext) => {
      for (const c of CAPTURES) {
        const out = join(tmp, `${c}.${ext}`);
        await run('editcap', ['-F', format, path(c), out]);
        const converted = await readAll(out);
        const original = ours.get(c)!;
        expect(converted.summary.format).toBe(format === 'pcapng' ? 'pcapng' : 'pcap');
        expect(converted.messages).toEqual(original.messages);
        expect({ ...converted.summary, format: 'x', bytesRead: 0 }).toEqual({ ...original.summary, format: 'x', bytesRead: 0 });
      }
    });
  });

  it('reads a stream (as from stdin) exactly like the file, and reports progress', async () => {
    const file = path('rsplib-demo');
    const progress: CaptureProgress[] = [];
    const viaFile = await readAll(file, { chunkSize: 65536, onProgress: (p: CaptureProgress) => progress.push(p) });
    const viaStream: CaptureItem[] = [];
    for await (const item of readCaptureStream(createReadStream(file, { highWaterMark: 4093 }))) viaStream.push(item);
    expect(viaStream).toEqual(viaFile.items);
    const size = statSync(file).size;
    expect(progress.length).toBe(Math.ceil(size / 65536));
    expect(progress.at(-1)).toEqual({ bytesRead: size, totalBytes: size });
    expect(progress.every((p, i) => i === 0 || p.bytesRead > progress[i - 1]!.bytesRead)).toBe(true);
  });
});

it('a missing file is a typed I/O error', async () => {
  const it = readCaptureMessages('/nonexistent/capture.pcap');
  await expect(it.next()).rejects.toMatchObject({ code: CAPTURE_ERR.io, offset: 0 });
});
