/**
 * Classic pcap files (transports.md §5.1): a 24-octet global header, then a 16-octet header per
 * record. Written little-endian, as libpcap does on the usual hosts.
 */
import type { CaptureTimestamp } from '../capture-record.js';
import type { ByteSink } from './byte-sink.js';
import { DEFAULT_SNAPLEN, checkTimestamp, type CaptureWriter, type InterfaceDescription } from './capture-writer.js';

/** Global header magic numbers (as a 32-bit value in the file's byte order). */
export const PCAP_MAGIC = Object.freeze({ micros: 0xa1b2c3d4, nanos: 0xa1b23c4d } as const);

/** A classic pcap writer; it has exactly one interface, whose link type is in the global header. */
export class PcapWriter implements CaptureWriter {
  readonly format = 'pcap' as const;
  private frames = 0;
  private readonly nanos: boolean;
  private readonly snaplen: number;
  private readonly header = new Uint8Array(16);
  private readonly view = new DataView(this.header.buffer);

  constructor(
    private readonly sink: ByteSink,
    private readonly iface: InterfaceDescription,
  ) {
    this.nanos = iface.tsresol === 9;
    this.snaplen = iface.snaplen ?? DEFAULT_SNAPLEN;
    const g = new Uint8Array(24);
    const v = new DataView(g.buffer);
    v.setUint32(0, this.nanos ? PCAP_MAGIC.nanos : PCAP_MAGIC.micros, true);
    v.setUint16(4, 2, true); // version 2.4
    v.setUint16(6, 4, true);
    // thiszone and sigfigs stay 0: timestamps are UTC and no accuracy is claimed.
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, iface.linkType, true);
    sink.write(g);
  }

  get frameCount(): number {
    return this.frames;
  }

  linkType(index: number): number {
    if (index !== 0) throw new RangeError(`a pcap file has one interface, not ${index + 1}`);
    return this.iface.linkType;
  }

  writeFrame(frame: Uint8Array, t: CaptureTimestamp, iface = 0, originalLength = frame.length): void {
    this.linkType(iface);
    checkTimestamp(t);
    if (frame.length > this.snaplen) throw new RangeError(`frame of ${frame.length} octets exceeds the snap length ${this.snaplen}`);
    if (originalLength < frame.length) throw new RangeError('original length below the captured length');
    const v = this.view;
    v.setUint32(0, t.seconds, true);
    // Microsecond files drop the sub-microsecond part.
    v.setUint32(4, this.nanos ? t.nanos : Math.floor(t.nanos / 1000), true);
    v.setUint32(8, frame.length, true);
    v.setUint32(12, originalLength, true);
    this.sink.write(this.header);
    this.sink.write(frame);
    this.frames++;
  }

  close(): void {
    this.sink.close();
  }
}
