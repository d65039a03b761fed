/**
 * tshark as the decoding oracle: for every ASAP/ENRP message tshark decodes without `_ws.malformed`,
 * every field of our `tshark` map equals tshark's raw value (`-T json -x`), by abbreviation. Where
 * tshark marks a message malformed, our decode must say why it is or is not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decode, DecodeError, tsharkFields, type DecodeResult } from '../../codecs/index.js';
import { readCaptureMessages } from '../../src/capture/index.js';

const SHARED = fileURLToPath(new URL('../../../shared/captures/', import.meta.url));
const OWN = fileURLToPath(new URL('../../captures/', import.meta.url));
const list = (dir: string, re: RegExp) => (existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => dir + f) : []);
const CAPTURES = [...list(SHARED, /\.pcap$/), ...list(OWN, /\.(pcap|pcapng)$/)];
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

/**
 * Known tshark 4.0 defects, each excused with its reason (wire-format §4.3, §9). Nothing else may
 * differ. Keys are field abbreviations without the protocol prefix.
 */
const EXCUSED: Readonly<Record<string, string>> = {
  dccp_transport_service_code: 'registered as a 16-bit field although the wire field is 32 bits',
};
/**
 * `--no-duplicate-keys` merges sibling keys into arrays, which regroups the generic header fields of
 * sibling parameters: for these, tshark's JSON no longer gives wire order, so they compare as multisets.
 */
const UNORDERED: ReadonlySet<string> = new Set(['parameter_type', 'parameter_length', 'parameter_padding']);

type Fields = Record<string, string[]>;

function tsharkMessages(file: string): Map<number, { fields: Fields; malformed: boolean }[]> {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'asap || enrp', '-T', 'json', '--no-duplicate-keys', '-x'], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const byFrame = new Map<number, { fields: Fields; malformed: boolean }[]>();
  for (const pkt of JSON.parse(out.toString()) as { _source: { layers: Record<string, unknown> } }[]) {
    const layers = pkt._source.layers;
    const frame = Number((layers.frame as Record<string, string>)['frame.number']);
    const malformed = JSON.stringify(layers).includes('_ws.malformed');
    for (const proto of ['asap', 'enrp']) {
      const layer = layers[proto];
      if (layer === undefined) continue;
      for (const l of Array.isArray(layer) ? layer : [layer]) {
        const fields: Fields = {};
        const walk = (o: unknown): void => {
          if (Array.isArray(o)) return o.forEach(walk);
          if (o === null || typeof o !== 'object') return;
          for (const [k, v] of Object.entries(o)) {
            if (k.endsWith('_raw') && /^(asap|enrp)\./.test(k)) {
              const vals = Array.isArray((v as unknown[])[0]) ? (v as unknown[][]) : [v as unknown[]];
              for (const x of vals) (fields[k.slice(0, -4)] ??= []).push(String(x[0]));
            } else if (typeof v === 'object') walk(v);
          }
        };
        walk(l);
        (byFrame.get(frame) ?? byFrame.set(frame, []).get(frame)!).push({ fields, malformed });
      }
    }
  }
  return byFrame;
}

/** Why tshark would call this message malformed, from our reading of it; null if we see no reason. */
export function malformedReason(r: DecodeResult | DecodeError): string | null {
  if (r instanceof DecodeError) return `our decoder rejects it too: ${r.code}`;
  if (r.profile === 'legacy') return 'pre-RFC parameter numbering (tshark knows only RFC 5354)';
  const causes = 'operationError' in r.value && r.value.operationError ? r.value.operationError.causes : [];
  if (causes.some((c) => c.code === 0x0005 && c.info.length === 0)) return 'rsplib sends cause 0x0005 without the policy parameter the RFC puts in its info';
  return null;
}

describe.skipIf(!HAVE_TSHARK)('tshark oracle', () => {
  it('has captures to compare', () => {
    expect(CAPTURES.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of CAPTURES) {
    it(`${file.split('/').pop()}: every field of every message matches tshark`, async () => {
      const theirs = tsharkMessages(file);
      let compared = 0;
      const problems: string[] = [];
      for await (const item of readCaptureMessages(file)) {
        if (item.kind !== 'message') continue;
        let r: DecodeResult | DecodeError;
        try {
          r = decode(item.bytes, { protocol: item.protocol, profile: 'auto' });
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          r = e;
        }
        const frame = item.frames[item.frames.length - 1]!;
        const type = `0${item.bytes[0]!.toString(16)}`.slice(-2);
        const length = Buffer.from(item.bytes.subarray(2, 4)).toString('hex');
        const candidates = (theirs.get(frame) ?? []).filter(
          (c) => c.fields[`${item.protocol}.message_type`]?.[0] === type && c.fields[`${item.protocol}.message_length`]?.[0] === length,
        );
        if (candidates.length === 0) {
          problems.push(`frame ${frame}: tshark shows no ${item.protocol} message of type ${type}`);
          continue;
        }
        const t = candidates[0]!;
        if (t.malformed || r instanceof DecodeError || r.profile === 'legacy') {
          // Either side objecting needs an explanation from ours.
          if (t.malformed && malformedReason(r) === null) problems.push(`frame ${frame}: tshark says malformed, we see no reason`);
          if (!t.malformed && r instanceof DecodeError) problems.push(`frame ${frame}: tshark decodes it, we fail with ${r.code}`);
          continue;
        }
        compared++;
        const ours = tsharkFields(r.value);
        for (const k of new Set([...Object.keys(ours), ...Object.keys(t.fields)])) {
          const short = k.replace(/^(asap|enrp)\./, '');
          if (short in EXCUSED) continue;
          const a = ours[k] ?? [];
          const b = t.fields[k] ?? [];
          const same = UNORDERED.has(short) ? JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) : JSON.stringify(a) === JSON.stringify(b);
          if (!same) problems.push(`frame ${frame} ${r.value.type} ${k}: ours ${JSON.stringify(a)} tshark ${JSON.stringify(b)}`);
        }
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(compared).toBeGreaterThan(0);
    });
  }
});
