/**
 * Picks the container writer for a format, so callers can switch between pcap and pcapng with
 * one setting.
 */
import type { CaptureFormat } from '../capture-record.js';
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter, InterfaceDescription } from './capture-writer.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

/** What kind of capture file to write. */
export interface CaptureFileSpec {
  readonly format: CaptureFormat;
  /** pcap: exactly one. pcapng: one or more. */
  readonly interfaces: readonly InterfaceDescription[];
  /** pcapng only: `shb_userappl`. */
  readonly application?: string;
  /** pcapng only: `opt_comment` of the Section Header Block. */
  readonly comment?: string;
}

/** Opens a capture writer on a sink; the file header is written at once. */
export function openCaptureWriter(sink: ByteSink, spec: CaptureFileSpec): CaptureWriter {
  if (spec.format === 'pcapng') return new PcapngWriter(sink, spec.interfaces, { ...(spec.application !== undefined ? { application: spec.application } : {}), ...(spec.comment !== undefined ? { comment: spec.comment } : {}) });
  if (spec.interfaces.length !== 1) throw new RangeError(`a pcap file has exactly one interface, not ${spec.interfaces.length}`);
  return new PcapWriter(sink, spec.interfaces[0]!);
}
