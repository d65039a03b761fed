/**
 * A second look at the capture for what the message reader leaves out: the SCTP control chunks
 * that open and end associations (INIT / INIT ACK with their address lists, SHUTDOWN, ABORT).
 * The registrar's behaviour depends on them (T-4: a closed association deregisters its PEs;
 * REG-8: a PE may only register addresses of its association).
 */
import { open } from 'node:fs/promises';
import { CaptureFileReader } from '../capture/capture-file.js';
import type { CaptureRecord } from '../capture/capture-record.js';
import { CAPTURE_ERR, CaptureError } from '../capture/errors.js';
import { ipText } from '../capture/ip-address-text.js';
import { parseIpv4 } from '../capture/ipv4.js';
import { parseIpv6 } from '../capture/ipv6.js';
import { stripLinkLayer } from '../capture/link-types.js';
import { SCTP_CHUNK } from '../capture/sctp-chunk-types.js';
import { walkSctpPacket } from '../capture/sctp-packet.js';
import type { Endpoint, TimedControl } from './model.js';

/** A control chunk before it is tied to an association instance. */
export type RawControl = Omit<TimedControl, 'index' | 'association'>;

const CHUNKS: ReadonlyMap<number, TimedControl['chunk']> = new Map([
  [SCTP_CHUNK.init, 'init'],
  [SCTP_CHUNK.initAck, 'initAck'],
  [SCTP_CHUNK.shutdown, 'shutdown'],
  [SCTP_CHUNK.shutdownAck, 'shutdownAck'],
  [SCTP_CHUNK.shutdownComplete, 'shutdownComplete'],
  [SCTP_CHUNK.abort, 'abort'],
]);

/** INIT / INIT ACK fixed part: chunk header 4 + tag 4 + a_rwnd 4 + streams 4 + TSN 4. */
const INIT_FIXED = 20;

/** Address parameters (IPv4 5, IPv6 6) of an INIT or INIT ACK chunk. */
function initAddresses(packet: Uint8Array, offset: number, length: number): string[] {
  const out: string[] = [];
  const end = offset + length;
  for (let p = offset + INIT_FIXED; p + 4 <= end; ) {
    const type = (packet[p]! << 8) | packet[p + 1]!;
    const len = (packet[p + 2]! << 8) | packet[p + 3]!;
    if (len < 4 || p + len > end) break;
    if (type === 5 && len === 8) out.push(ipText(packet.subarray(p + 4, p + 8)));
    if (type === 6 && len === 20) out.push(ipText(packet.subarray(p + 4, p + 20)));
    p += (len + 3) & ~3;
  }
  return out;
}

/** Result of the control scan: the chunks and the capture's first timestamp (ms since 1970). */
export interface ControlScan {
  readonly controls: RawControl[];
  readonly epoch: number;
  readonly lastTime: number;
}

/**
 * Reads `path` once more and lists its association control chunks. Throws the reader's
 * {@link CaptureError} for an unreadable file.
 */
export async function scanSctpControl(path: string, sctpOverUdpPorts: readonly number[] = []): Promise<ControlScan> {
  const tunnel = new Set([9899, ...sctpOverUdpPorts]);
  const controls: RawControl[] = [];
  let epoch: number | undefined;
  let lastTime = 0;
  const onRecord = (r: CaptureRecord): void => {
    const abs = r.timestamp.seconds * 1000 + r.timestamp.nanos / 1e6;
    if (epoch === undefined) epoch = abs;
    const time = abs - epoch;
    lastTime = Math.max(lastTime, time);
    const link = stripLinkLayer(r.linkType, r.data);
    if (!link.ok) return;
    const ip = link.version === 4 ? parseIpv4(r.data, link.offset) : parseIpv6(r.data, link.offset);
    if (ip.kind !== 'packet') return;
    let sctp = ip.protocol === 132 ? ip.payload : undefined;
    let udp: { src: number; dst: number } | undefined;
    // SCTP over UDP (RFC 6951) on 9899 and the ports given.
    if (ip.protocol === 17 && ip.payload.length >= 8) {
      const sp = (ip.payload[0]! << 8) | ip.payload[1]!;
      const dp = (ip.payload[2]! << 8) | ip.payload[3]!;
      if (tunnel.has(sp) || tunnel.has(dp)) {
        sctp = ip.payload.subarray(8);
        udp = { src: sp, dst: dp };
      }
    }
    if (sctp === undefined) return;
    const view = walkSctpPacket(sctp, ip.truncated);
    if (typeof view === 'string') return;
    const src: Endpoint = { ip: ipText(ip.src), port: view.srcPort, ...(udp !== undefined ? { udpPort: udp.src } : {}) };
    const dst: Endpoint = { ip: ipText(ip.dst), port: view.dstPort, ...(udp !== undefined ? { udpPort: udp.dst } : {}) };
    for (const c of view.chunks) {
      const chunk = CHUNKS.get(c.type);
      if (chunk === undefined) continue;
      const addresses = chunk === 'init' || chunk === 'initAck' ? initAddresses(sctp, c.offset, c.length) : [];
      controls.push({ kind: 'control', frame: r.frame, time, src, dst, chunk, addresses });
    }
  };
  const reader = new CaptureFileReader({ onFormat: () => undefined, onRecord }, { maxRecordBytes: 16 * 1024 * 1024 });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new CaptureError(CAPTURE_ERR.io, 0, `cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const buffer = new Uint8Array(256 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
    }
    reader.finish();
  } finally {
    await handle.close();
  }
  return { controls, epoch: epoch ?? 0, lastTime };
}
