/** Shared helpers of the replay tests: where the shared rsplib captures live, temp files. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemorySink } from '../../src/capture/write/index.js';
import { recordReferenceCapture, type RecordOptions } from '../../src/replay/index.js';
import { writeFileSync } from 'node:fs';

/** The shared captures (../shared/captures next to the repository). */
export const SHARED = fileURLToPath(new URL('../../../shared/captures', import.meta.url));
export const SHARED_CAPTURES = ['a1_pe_registration', 'a2_handle_resolution', 'b_enrp_peering', 'c1_pe_keepalive_timeout', 'demo'] as const;
export const sharedPath = (name: string): string => join(SHARED, `rsplib-${name}.pcap`);
export const sharedPresent = SHARED_CAPTURES.every((c) => existsSync(sharedPath(c)));
if (!sharedPresent) console.warn(`replay tests on the shared captures skipped: not found in ${SHARED}`);

/** A temporary directory removed by the returned function. */
export function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rsp-replay-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Records our reference registrar into a pcap file in `dir`; returns its path. */
export function recordTo(dir: string, name: string, options: RecordOptions = {}): string {
  const sink = new MemorySink();
  recordReferenceCapture(sink, options);
  const path = join(dir, `${name}.pcap`);
  writeFileSync(path, sink.bytes());
  return path;
}
