/**
 * Records the UDP datagrams of a networked node (SCTP over UDP, RFC 6951) into a pcapng file with
 * the project's capture writer, so a session against a foreign implementation can be replayed and
 * checked later. Each datagram becomes a raw IPv4/IPv6 + UDP frame stamped with the wall clock;
 * the UDP checksum is real, so tshark decodes the SCTP inside (`-d udp.port==9899,sctp` is the
 * default dissector mapping for port 9899).
 */
import { CaptureClock, CaptureInterface, FileSink, openCaptureWriter, type CaptureWriter } from '../capture/write/index.js';
import { LINKTYPE } from '../capture/link-types.js';
import type { RemoteAddress } from '../transport/sctp/index.js';

/** Typed error code: the capture file could not be written. */
export const NET_ERR_CAPTURE = 'RSP_ERR_NET_CAPTURE';

/** Appends datagrams to a pcapng file (each written at once); {@link PcapTap.close} ends it. */
export class PcapTap {
  private readonly sink: FileSink;
  private readonly writer: CaptureWriter;
  private readonly v4: CaptureInterface;
  private readonly v6: CaptureInterface;
  private readonly clock: CaptureClock;
  private last = 0n;
  private closed = false;
  /** Datagrams written. */
  count = 0;

  /**
   * Opens (truncates) `path`. `comment` goes into the Section Header Block (the registrar puts its
   * arguments there, so `replay` runs the reference with the same configuration). Throws an Error
   * starting with {@link NET_ERR_CAPTURE}.
   */
  constructor(readonly path: string, comment?: string) {
    try {
      // Unbuffered: a node killed with SIGKILL (a registrar failure scenario) keeps its capture.
      this.sink = new FileSink(path, 0);
    } catch (e) {
      throw new Error(`${NET_ERR_CAPTURE}: cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.writer = openCaptureWriter(this.sink, {
      format: 'pcapng',
      interfaces: [
        { linkType: LINKTYPE.ipv4, tsresol: 9, name: 'udp4' },
        { linkType: LINKTYPE.ipv6, tsresol: 9, name: 'udp6' },
      ],
      application: 'rserpool-harness',
      ...(comment !== undefined ? { comment } : {}),
    });
    const now = wallNanos();
    this.last = now;
    this.clock = new CaptureClock({ seconds: Number(now / 1_000_000_000n), nanos: Number(now % 1_000_000_000n) });
    // The gap is 0: the clock follows the wall clock below, frames are not spread artificially.
    this.v4 = new CaptureInterface(this.writer, this.clock, { seed: 1, index: 0, frameGapNanos: 0, mtu: 65535 });
    this.v6 = new CaptureInterface(this.writer, this.clock, { seed: 2, index: 1, frameGapNanos: 0, mtu: 65535 });
  }

  /** Records one datagram between `local` (our socket) and `remote`. Never throws. */
  readonly tap = (direction: 'in' | 'out', bytes: Uint8Array, local: RemoteAddress, remote: RemoteAddress): void => {
    if (this.closed) return;
    const now = wallNanos();
    if (now > this.last) {
      this.clock.advanceNanos(Number(now - this.last));
      this.last = now;
    }
    const [src, dst] = direction === 'in' ? [remote, local] : [local, remote];
    const v6 = src.address.includes(':') || dst.address.includes(':');
    // A wildcard-bound socket has no address of its own on the wire; the peer's family decides.
    const fix = (a: string): string => (a === '0.0.0.0' || a === '::' ? (v6 ? '::1' : '127.0.0.1') : a);
    try {
      (v6 ? this.v6 : this.v4).sendUdp({ src: fix(src.address), dst: fix(dst.address), srcPort: src.port, dstPort: dst.port, payload: bytes });
      this.count++;
    } catch {
      // A capture problem must never disturb the node it watches.
    }
  };

  /** Flushes and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.writer.close();
  }
}

function wallNanos(): bigint {
  // process.hrtime is monotonic, not wall time: anchor it once to Date.now().
  return ANCHOR + (process.hrtime.bigint() - HR0);
}
const HR0 = process.hrtime.bigint();
const ANCHOR = BigInt(Date.now()) * 1_000_000n;
