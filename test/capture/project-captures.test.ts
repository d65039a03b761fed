/**
 * The project's own captures (`captures/*.pcap[ng]`, written by `captures/generate.ts`):
 * each decodes exactly to its checked-in `NAME.expected.json`; regenerating them gives the same
 * octets; and together they cover every message, parameter, policy and cause the brief lists,
 * over every container, link type, IP version and transport the writer produces.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASAP_TYPE, CAUSE, ENRP_TYPE, PARAM, POLICY, RSPLIB_CAUSE, decode, tsharkFields, type Message } from '../../codecs/index.js';
import { LINKTYPE, readCaptureMessages, type CapturedMessage, type CaptureSummary } from '../../src/capture/index.js';
import { PROJECT_CAPTURES, captureFile, decodeJson, expectedFile, generateCaptures } from '../../captures/generate.js';
import { cli } from '../support/cli.js';

const DIR = fileURLToPath(new URL('../../captures/', import.meta.url));
const path = (f: string): string => join(DIR, f);

describe('project captures', () => {
  it.each(PROJECT_CAPTURES.map((c) => [c.name, c] as const))('%s decodes exactly to its expected JSON', async (_, c) => {
    const expected = readFileSync(path(expectedFile(c)), 'utf8');
    const { output, status } = await decodeJson(path(captureFile(c)));
    expect(status).toBe(0);
    // Record by record first, for a readable diff; then the exact text.
    expect(JSON.parse(output)).toEqual(JSON.parse(expected));
    expect(output).toBe(expected);
  });

  it('the CLI prints the same document', () => {
    const c = PROJECT_CAPTURES[0]!;
    const r = cli('decode', path(captureFile(c)), '--format', 'json');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(path(expectedFile(c)), 'utf8'));
  });

  describe('regeneration', () => {
    let tmp = '';
    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'rsp-captures-'));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('writes byte-identical captures and expected decodes', async () => {
      const written = await generateCaptures(tmp);
      expect(written).toHaveLength(2 * PROJECT_CAPTURES.length);
      for (const f of written) {
        const name = f.slice(tmp.length + 1);
        expect(Buffer.compare(readFileSync(f), readFileSync(path(name))), name).toBe(0);
      }
    });
  });
});

interface Seen {
  messages: { captured: CapturedMessage; message: Message }[];
  summaries: CaptureSummary[];
  ipFragmentVersions: Set<number>;
}

describe('coverage of the project captures', () => {
  const seen: Seen = { messages: [], summaries: [], ipFragmentVersions: new Set() };
  const fields = (name: string): Set<string> => {
    const out = new Set<string>();
    for (const { message } of seen.messages) for (const [k, vs] of Object.entries(tsharkFields(message))) if (k.endsWith(`.${name}`)) vs.forEach((v) => out.add(v));
    return out;
  };
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

  beforeAll(async () => {
    for (const c of PROJECT_CAPTURES) {
      for await (const item of readCaptureMessages(path(captureFile(c)))) {
        if (item.kind === 'message') seen.messages.push({ captured: item, message: decode(item.bytes, { protocol: item.protocol }).value });
        else if (item.kind === 'summary') seen.summaries.push(item.summary);
        else if (item.kind === 'ip-fragments' && item.outcome === 'reassembled') seen.ipFragmentVersions.add(item.version);
      }
    }
  });

  it('every ASAP message type 0x01–0x0e and ENRP type 0x01–0x0a', () => {
    const types = new Set(seen.messages.map(({ message }) => `${message.protocol}.${message.type}`));
    for (const t of Object.keys(ASAP_TYPE)) expect(types, `asap.${t}`).toContain(`asap.${t}`);
    for (const t of Object.keys(ENRP_TYPE)) expect(types, `enrp.${t}`).toContain(`enrp.${t}`);
  });

  it('every parameter type, incl. all five transports and the Handle Resolution Option 0x803f', () => {
    const params = fields('parameter_type');
    for (const [name, code] of Object.entries(PARAM)) expect(params, name).toContain(hex(code, 4));
  });

  it('every policy of RFC 5356 and rsplib', () => {
    const policies = fields('pool_member_selection_policy_type');
    for (const [name, code] of Object.entries(POLICY)) expect(policies, name).toContain(hex(code, 8));
  });

  it('Operation Errors with several causes, every rsplib-private cause and the RFC causes', () => {
    const causes = seen.messages.flatMap(({ message }) => ('operationError' in message && message.operationError ? [message.operationError.causes] : []));
    expect(causes.some((c) => c.length >= 3)).toBe(true);
    const codes = new Set(causes.flat().map((c) => c.code));
    for (const [name, code] of Object.entries(RSPLIB_CAUSE)) expect(codes, name).toContain(code);
    // 0x0002 carries a whole message that Wireshark dissects as a nested message; left out on purpose.
    for (const [name, code] of Object.entries(CAUSE)) if (code !== CAUSE.unrecognizedMessage) expect(codes, name).toContain(code);
  });

  it('pool elements with and without the ASAP transport, and addresses of both families', () => {
    const pes = seen.messages.flatMap(({ message }) => [
      ...('poolElement' in message ? [message.poolElement] : []),
      ...('poolElements' in message ? message.poolElements : []),
      ...('pools' in message ? message.pools.flatMap((p) => p.poolElements) : []),
    ]);
    expect(pes.some((pe) => pe.asapTransport !== undefined)).toBe(true);
    expect(pes.some((pe) => pe.asapTransport === undefined)).toBe(true);
    expect(fields('ipv4_address').size).toBeGreaterThan(0);
    expect(fields('ipv6_address').size).toBeGreaterThan(0);
  });

  it('SCTP, UDP (announce on 3863, presence on 9901) and SCTP over UDP, on IPv4 and IPv6', () => {
    const by = (f: (m: CapturedMessage) => boolean) => seen.messages.some(({ captured }) => f(captured));
    for (const transport of ['sctp', 'udp', 'sctp-over-udp'] as const) {
      expect(by((m) => m.transport === transport && !m.src.includes(':')), `${transport} IPv4`).toBe(true);
      expect(by((m) => m.transport === transport && m.src.includes(':')), `${transport} IPv6`).toBe(true);
    }
    expect(by((m) => m.transport === 'udp' && m.dstPort === 3863 && m.protocol === 'asap')).toBe(true);
    expect(by((m) => m.transport === 'udp' && m.dstPort === 9901 && m.protocol === 'enrp')).toBe(true);
  });

  it('fragmented DATA, I-DATA, IP fragments of both versions, and bundled messages', () => {
    expect(seen.messages.some(({ captured }) => captured.frames.length > 1 && captured.transport === 'sctp')).toBe(true);
    expect(seen.messages.some(({ captured }) => captured.frames.length > 1 && captured.transport === 'sctp-over-udp')).toBe(true);
    expect(seen.summaries.reduce((n, s) => n + (s.chunkTypes['I-DATA'] ?? 0), 0)).toBeGreaterThan(3);
    expect([...seen.ipFragmentVersions].sort()).toEqual([4, 6]);
    const perFrame = new Map<string, number>();
    for (const { captured } of seen.messages) {
      const key = `${captured.association}#${captured.frames.join(',')}`;
      perFrame.set(key, (perFrame.get(key) ?? 0) + 1);
    }
    expect([...perFrame.values()].some((n) => n >= 2)).toBe(true);
  });

  it('pcap and pcapng, with Ethernet, Linux SLL2 and raw IP link types', () => {
    expect(new Set(seen.summaries.map((s) => s.format))).toEqual(new Set(['pcap', 'pcapng']));
    const links = new Set(seen.summaries.flatMap((s) => Object.keys(s.linkTypes).map(Number)));
    for (const lt of [LINKTYPE.ethernet, LINKTYPE.linuxSll2, LINKTYPE.raw, LINKTYPE.ipv6]) expect(links).toContain(lt);
  });

  it('every capture stays small', () => {
    for (const c of PROJECT_CAPTURES) expect(readFileSync(path(captureFile(c))).length, c.name).toBeLessThan(100_000);
  });
});
