/**
 * Seed corpus for parser fuzzing: every ASAP/ENRP message of capture files (pcap/pcapng), and
 * `asap-*.hex` / `enrp-*.hex` files holding one message in hex each.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readCaptureMessages } from '../src/capture/index.js';
import type { CorpusEntry } from './codec-campaign.js';

/** Load every corpus file under the given files or folders (not recursive); unreadable captures are reported, not fatal. */
export async function loadCorpus(paths: readonly string[], warn: (msg: string) => void = () => undefined): Promise<CorpusEntry[]> {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      warn(`corpus: ${p} does not exist`);
      continue;
    }
    if (st.isDirectory()) for (const f of readdirSync(p).sort()) files.push(join(p, f));
    else files.push(p);
  }
  const out: CorpusEntry[] = [];
  for (const f of files) {
    const name = basename(f);
    if (/\.(pcap|pcapng)$/.test(name)) {
      try {
        for await (const item of readCaptureMessages(f)) {
          if (item.kind === 'message') out.push({ protocol: item.protocol, bytes: item.bytes, origin: `${name}#${item.frames.join(',')}` });
        }
      } catch (e) {
        warn(`corpus: ${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      const m = /^(asap|enrp)-.*\.hex$/.exec(name);
      if (!m) continue;
      const hex = readFileSync(f, 'utf8').replace(/\s+/g, '');
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
        warn(`corpus: ${f} is not hex`);
        continue;
      }
      out.push({ protocol: m[1] as 'asap' | 'enrp', bytes: new Uint8Array(Buffer.from(hex, 'hex')), origin: name });
    }
  }
  return out;
}
