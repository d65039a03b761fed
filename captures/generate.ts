/**
 * Generates the project's own captures and their expected decodes:
 *
 *     npx tsx captures/generate.ts [OUTPUT_DIR]
 *
 * Each capture `NAME.pcap[ng]` is scripted in `scenarios/NAME.ts` with fixed seeds and fixed
 * timestamps, so running this again writes identical files (a test checks that). Next to it goes
 * `NAME.expected.json`: exactly what `rserpool-harness decode NAME.pcap[ng] --format json` prints,
 * produced through the same function the CLI uses.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { decodeFiles } from '../src/cli/decode-files.js';
import { FileSink, type ByteSink } from '../src/capture/write/index.js';
import * as asapRegistrar from './scenarios/asap-registrar-ipv4.js';
import * as asapSession from './scenarios/asap-session-ipv6.js';
import * as enrpPeering from './scenarios/enrp-peering-sll2.js';
import * as idata from './scenarios/idata.js';
import * as sctpFragmentation from './scenarios/sctp-fragmentation.js';
import * as sctpOverUdp from './scenarios/sctp-over-udp.js';
import * as udpAnnounce from './scenarios/udp-announce.js';

/** One of the project's captures. */
export interface ProjectCapture {
  /** File name without extension. */
  readonly name: string;
  readonly extension: 'pcap' | 'pcapng';
  /** What it covers, in a line. */
  readonly covers: string;
  readonly build: (sink: ByteSink) => void;
}

/** Every capture this script writes. */
export const PROJECT_CAPTURES: readonly ProjectCapture[] = [
  {
    name: 'asap-registrar-ipv4',
    extension: 'pcap',
    covers: 'pcap/Ethernet/IPv4/SCTP: registration, keep-alive (H=0/1), deregistration, rejections with RFC and rsplib causes, handle resolution (+0x803f), unreachable, ASAP error',
    build: asapRegistrar.build,
  },
  {
    name: 'asap-session-ipv6',
    extension: 'pcapng',
    covers: 'pcapng/Ethernet/IPv6/SCTP: PU–PE session layer (cookie bundled with application data, cookie echo, business card), all five user transports, ASAP error',
    build: asapSession.build,
  },
  {
    name: 'enrp-peering-sll2',
    extension: 'pcapng',
    covers: 'pcapng (ns)/Linux SLL2/IPv4+IPv6/SCTP: every ENRP message, paging (M), rejects (R), takeover, bundled handle updates, ENRP error',
    build: enrpPeering.build,
  },
  {
    name: 'sctp-fragmentation',
    extension: 'pcap',
    covers: 'pcap/Ethernet/IPv4+IPv6: messages split into several DATA chunks (B/E) across packets; IPv4 fragments; IPv6 Fragment headers',
    build: sctpFragmentation.build,
  },
  {
    name: 'idata',
    extension: 'pcapng',
    covers: 'pcapng/Ethernet/IPv4+IPv6: I-DATA (RFC 8260) negotiated; several streams, unordered, bundled and fragmented (MID/FSN) messages',
    build: idata.build,
  },
  {
    name: 'sctp-over-udp',
    extension: 'pcapng',
    covers: 'pcapng/raw IPv4 + raw IPv6 interfaces: SCTP over UDP 9899 (RFC 6951), NAT-remapped client port, fragmented DATA inside UDP',
    build: sctpOverUdp.build,
  },
  {
    name: 'udp-announce',
    extension: 'pcap',
    covers: 'pcap/Ethernet (padded short frames)/IPv4+IPv6 multicast: ASAP Server Announce on UDP 3863 (bare and with every transport), ENRP Presence on UDP 9901',
    build: udpAnnounce.build,
  },
];

/** File name of a capture. */
export const captureFile = (c: ProjectCapture): string => `${c.name}.${c.extension}`;
/** File name of a capture's expected decode. */
export const expectedFile = (c: ProjectCapture): string => `${c.name}.expected.json`;

/** What `rserpool-harness decode FILE --format json` prints for one file (and its exit status). */
export async function decodeJson(file: string): Promise<{ readonly output: string; readonly status: number }> {
  let output = '';
  let errors = '';
  const collect = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const status = await decodeFiles(
    [file],
    { format: 'json', mode: 'strict', profile: 'auto', udpEncapPorts: [], portHeuristic: false, progress: false },
    collect((s) => (output += s)),
    collect((s) => (errors += s)),
  );
  if (errors) throw new Error(`decoding ${file} wrote to stderr: ${errors}`);
  return { output, status };
}

/** Writes every capture and its expected decode into `dir`; returns the paths written. */
export async function generateCaptures(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const c of PROJECT_CAPTURES) {
    const path = join(dir, captureFile(c));
    c.build(new FileSink(path));
    const { output, status } = await decodeJson(path);
    if (status !== 0) throw new Error(`${captureFile(c)} does not decode cleanly (exit status ${status})`);
    const expected = join(dir, expectedFile(c));
    await writeFile(expected, output);
    written.push(path, expected);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
  for (const f of await generateCaptures(dir)) console.log(f);
}
