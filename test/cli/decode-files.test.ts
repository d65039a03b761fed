/**
 * `rserpool-harness decode FILE…`: one record per message with per-type counts equal to tshark's,
 * pcapng equal to pcap, and clear errors (not stack traces) for bad files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const A2 = fileURLToPath(new URL('../../../shared/captures/rsplib-a2_handle_resolution.pcap', import.meta.url));
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const jsonl = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('decode FILE', () => {
  it.skipIf(!HAVE_TSHARK)('prints one JSON line per ASAP/ENRP message; per-type counts match tshark', () => {
    const r = cli('decode', A2, '--format', 'jsonl');
    expect(r.status).toBe(0);
    const lines = jsonl(r.stdout);
    const records = lines.filter((l) => l.kind === 'message');
    const summary = lines.at(-1)!;
    expect(summary.kind).toBe('summary');
    const ours: Record<string, number> = {};
    for (const rec of records) {
      const m = rec.message as { type: string };
      const t = rec.tshark as Record<string, string[]>;
      const key = `${rec.protocol as string}.${parseInt(t[`${rec.protocol as string}.message_type`]![0]!, 16)}`;
      ours[key] = (ours[key] ?? 0) + 1;
      expect(m.type).toBeTypeOf('string');
    }
    const theirs: Record<string, number> = {};
    const out = execFileSync('tshark', ['-r', A2, '-Y', 'asap || enrp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'asap.message_type', '-e', 'enrp.message_type'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    for (const line of out.trimEnd().split('\n')) {
      const [asap, enrp] = line.split('\t');
      for (const t of (asap ?? '').split(',').filter(Boolean)) theirs[`asap.${t}`] = (theirs[`asap.${t}`] ?? 0) + 1;
      for (const t of (enrp ?? '').split(',').filter(Boolean)) theirs[`enrp.${t}`] = (theirs[`enrp.${t}`] ?? 0) + 1;
    }
    expect(ours).toEqual(theirs);
    expect(summary.messages).toBe(records.length);
  });

  it.skipIf(!HAVE_TSHARK)('a pcapng written by editcap decodes identically to the pcap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-'));
    const ng = join(dir, 'a2.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', A2, ng]);
    const strip = (s: string) => jsonl(s).filter((l) => l.kind === 'message');
    expect(strip(cli('decode', ng, '--format', 'jsonl').stdout)).toEqual(strip(cli('decode', A2, '--format', 'jsonl').stdout));
  });

  it('text output lists messages and a summary; --filter keeps one type', () => {
    const r = cli('decode', A2, '--filter', 'handleResolution');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('#'));
    expect(lines.length).toBe(7);
    expect(lines.every((l) => l.includes('ASAP handleResolution '))).toBe(true);
    expect(r.stdout).toMatch(/summary: 7 messages in 1 file\(s\), 7 decoded, 0 failed/);
  });

  it('garbage, truncated and zero-length files exit 1 with a clear message, never a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsp-'));
    const files = {
      empty: Buffer.alloc(0),
      garbage: Buffer.from('this is not a capture file at all, just text\n'),
      truncated: Buffer.from(execFileSync('head', ['-c', '1000', A2])),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      const r = cli('decode', f);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(/RSP_ERR_CAPTURE_\w+ at offset \d+/);
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
    }
    expect(cli('decode', join(dir, 'missing.pcap')).stderr).toMatch(/RSP_ERR_CAPTURE_IO/);
  });

  it('usage: --hex together with files, or nothing at all, exits 2', () => {
    expect(cli('decode', A2, '--hex', '00').status).toBe(2);
    expect(cli('decode').status).toBe(2);
    expect(cli('decode', '--hex', '0500').status).toBe(2);
  });
});
