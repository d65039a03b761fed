/**
 * The synchronous streaming core of the capture reader: push chunks of a pcap/pcapng file in,
 * receive ASAP/ENRP messages and events. It peels link layer, IP (with fragment reassembly),
 * UDP and SCTP (with DATA/I-DATA reassembly) in that order (transports.md §5).
 */
import { u16be } from './bytes.js';
import type { CaptureEvent, CaptureLayer, IpFragmentsEvent, SkipReason } from './capture-events.js';
import { SKIP_REASON } from './capture-events.js';
import { CaptureFileReader } from './capture-file.js';
import { CAPTURE_DEFAULTS, type CaptureDecoderOptions } from './capture-options.js';
import type { CaptureFormat, CaptureRecord, CaptureTimestamp } from './capture-record.js';
import { bump, copySummary, emptySummary, type CaptureSummary } from './capture-summary.js';
import type { CapturedMessage, CaptureTransport } from './captured-message.js';
import { CaptureError } from './errors.js';
import { ipText } from './ip-address-text.js';
import { IpFragmentReassembler, type AbandonedDatagram } from './ip-fragments.js';
import { IP_PROTOCOL } from './ip-protocols.js';
import type { IpResult } from './ip-result.js';
import { parseIpv4 } from './ipv4.js';
import { parseIpv6, walkIpv6Headers } from './ipv6.js';
import { stripLinkLayer } from './link-types.js';
import { RSERPOOL_PPID, UDP_PORT, protocolByPort, type RserpoolProtocol } from './rserpool-ids.js';
import { SctpAssociations, directionKey } from './sctp-associations.js';
import { SCTP_CHUNK, T_BIT, sctpChunkName } from './sctp-chunk-types.js';
import { initiateTag, readDataChunk, walkSctpPacket } from './sctp-packet.js';
import { SctpReassembler, type IncompleteUserMessage, type ReassemblyListener, type UserMessage } from './sctp-reassembly.js';

/** Anything the reader produces. */
export type CaptureItem = CapturedMessage | CaptureEvent;

/** Receives the decoder's output, in capture order. */
export type CaptureSink = (item: CaptureItem) => void;

/** Where a transport-layer packet came from. */
interface Origin {
  /** Frames that carried it: one, or all fragments of a reassembled IP datagram. */
  readonly frames: readonly number[];
  readonly timestamp: CaptureTimestamp;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** The capture cut octets this packet needs. */
  readonly truncated: boolean;
}

/** Context of the chunk that completes a user message. */
interface SctpContext {
  readonly origin: Origin;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly transport: CaptureTransport;
  readonly encapsulation: { readonly srcPort: number; readonly dstPort: number } | undefined;
  readonly association: string;
}

/**
 * Push-driven decoder; see the module comment. Output goes to the sink given to the constructor,
 * in capture order; the last item of a read is a `summary` event, sent by {@link finish}.
 *
 * Bad frames never throw: they become events. {@link push} and {@link finish} throw only a
 * {@link CaptureError}, when the container itself is unreadable (empty, unknown, truncated or
 * corrupt input); everything decoded before that point has already been delivered.
 */
export class CaptureDecoder {
  private readonly file: CaptureFileReader;
  private readonly ipFragments: IpFragmentReassembler;
  private readonly sctp: SctpReassembler<SctpContext>;
  private readonly associations: SctpAssociations;
  private readonly stats: CaptureSummary = emptySummary();
  private readonly sctpOverUdpPorts: ReadonlySet<number>;
  private readonly portHeuristic: boolean;
  private readonly skipEvents: boolean;
  /** Output of the record being decoded; handed to the sink once the record is done. */
  private queue: CaptureItem[] = [];
  private finished = false;
  /** The error that made the input unreadable; the decoder refuses further work after it. */
  private failure: unknown;

  constructor(
    private readonly sink: CaptureSink,
    options: CaptureDecoderOptions = {},
  ) {
    this.sctpOverUdpPorts = new Set([UDP_PORT.sctpTunneling, ...(options.sctpOverUdpPorts ?? [])]);
    this.portHeuristic = options.portHeuristic ?? false;
    this.skipEvents = options.skipEvents ?? false;
    this.file = new CaptureFileReader(
      {
        onFormat: (format: CaptureFormat) => {
          this.stats.format = format;
        },
        onRecord: (record: CaptureRecord) => this.onRecord(record),
      },
      { maxRecordBytes: options.maxRecordBytes ?? CAPTURE_DEFAULTS.maxRecordBytes, totalBytes: options.totalBytes },
    );
    const ip = options.ipFragmentLimits ?? {};
    this.ipFragments = new IpFragmentReassembler(
      { maxDatagrams: ip.maxDatagrams ?? CAPTURE_DEFAULTS.ipMaxDatagrams, maxBytes: ip.maxBytes ?? CAPTURE_DEFAULTS.ipMaxBytes },
      (d) => this.onAbandonedDatagram(d),
    );
    const s = options.sctpLimits ?? {};
    const maxDirections = s.maxDirections ?? CAPTURE_DEFAULTS.sctpMaxDirections;
    this.associations = new SctpAssociations({ maxDirections });
    this.sctp = new SctpReassembler(
      {
        maxBytes: s.maxBytes ?? CAPTURE_DEFAULTS.sctpMaxBytes,
        maxFragments: s.maxFragments ?? CAPTURE_DEFAULTS.sctpMaxFragments,
        maxFragmentsPerMessage: s.maxFragmentsPerMessage ?? CAPTURE_DEFAULTS.sctpMaxFragmentsPerMessage,
        maxDirections,
      },
      this.reassemblyListener(),
    );
  }

  /** Octets pushed so far. */
  get bytesRead(): number {
    return this.file.bytesReceived;
  }

  /** A snapshot of the counters so far. */
  summary(): CaptureSummary {
    const s = copySummary(this.stats);
    s.bytesRead = this.file.bytesReceived;
    s.associations = this.associations.associationCount;
    return s;
  }

  /** Decodes the next chunk of the input. */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.finished) throw new Error('CaptureDecoder.push after finish');
    try {
      this.file.push(chunk);
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  /**
   * Declares the end of input: reports unfinished reassemblies, sends the `summary` event and
   * returns the summary. Throws {@link CaptureError} for empty, unknown or truncated input (after
   * delivering what was pending).
   */
  finish(): CaptureSummary {
    if (this.failure !== undefined) throw this.failure;
    if (this.finished) throw new Error('CaptureDecoder.finish called twice');
    this.finished = true;
    try {
      this.file.finish();
    } catch (e) {
      this.failure = e;
    }
    for (const d of this.ipFragments.drain()) this.onAbandonedDatagram(d);
    this.sctp.finish();
    this.flush();
    if (this.failure !== undefined) throw this.failure;
    const summary = this.summary();
    this.sink({ kind: 'summary', summary });
    return summary;
  }

  // ---- records and link layer -------------------------------------------------------------

  private onRecord(record: CaptureRecord): void {
    this.stats.records++;
    bump(this.stats.linkTypes, record.linkType);
    const truncated = record.capturedLength < record.originalLength;
    if (truncated) {
      this.stats.truncatedRecords++;
      this.queue.push({
        kind: 'truncated-record',
        frame: record.frame,
        fileOffset: record.fileOffset,
        capturedLength: record.capturedLength,
        originalLength: record.originalLength,
      });
    }
    try {
      this.dissectFrame(record, truncated);
    } catch (e) {
      if (e instanceof CaptureError) throw e;
      // A decoding bug must not end the read; it is reported against the frame instead.
      this.malformed([record.frame], 'internal', e instanceof Error ? `${e.name}: ${e.message}` : String(e), truncated);
    }
    this.flush();
  }

  private flush(): void {
    const items = this.queue;
    this.queue = [];
    for (const item of items) this.sink(item);
  }

  private dissectFrame(record: CaptureRecord, truncated: boolean): void {
    const frames = [record.frame];
    const link = stripLinkLayer(record.linkType, record.data);
    if (!link.ok) {
      if (link.reason === 'malformed') this.malformed(frames, 'link', link.detail, truncated);
      else this.skip(frames, link.reason, link.detail);
      return;
    }
    const ip = link.version === 4 ? parseIpv4(record.data, link.offset) : parseIpv6(record.data, link.offset);
    this.onIp(ip, frames, record.timestamp, truncated, link.version === 4 ? 'ipv4' : 'ipv6');
  }

  // ---- IP ---------------------------------------------------------------------------------

  private onIp(ip: IpResult, frames: readonly number[], timestamp: CaptureTimestamp, recordTruncated: boolean, layer: CaptureLayer): void {
    if (ip.kind === 'skip') {
      if (ip.reason === 'malformed') this.malformed(frames, layer, ip.detail, recordTruncated);
      else this.skip(frames, ip.reason, ip.detail);
      return;
    }
    if (ip.truncated && !recordTruncated) {
      this.malformed(frames, layer, 'IP length exceeds the frame', false);
      return;
    }
    if (ip.kind === 'fragment') {
      this.onFragment(ip, frames, timestamp, ip.truncated);
      return;
    }
    this.onTransport(ip.protocol, ip.payload, { frames, timestamp, src: ip.src, dst: ip.dst, truncated: ip.truncated });
  }

  private onFragment(
    ip: Extract<IpResult, { kind: 'fragment' }>,
    frames: readonly number[],
    timestamp: CaptureTimestamp,
    truncated: boolean,
  ): void {
    this.stats.ipFragments.fragments++;
    if (truncated) {
      // A cut fragment cannot contribute: its datagram will be reported incomplete.
      this.skip(frames, SKIP_REASON.truncated, `IPv${ip.version} fragment cut by the capture`);
      return;
    }
    const outcome = this.ipFragments.add({ ...ip, frame: frames[0]!, timestamp });
    if (outcome.kind === 'pending') return;
    if (outcome.kind === 'rejected') {
      this.stats.ipFragments.rejected++;
      this.queue.push({ ...fragmentEvent(ip, frames), outcome: 'rejected', detail: outcome.detail });
      return;
    }
    const d = outcome.datagram;
    this.stats.ipFragments.reassembled++;
    this.queue.push({ ...fragmentEvent(d, d.frames), outcome: 'reassembled' });
    if (d.version === 4) {
      this.onTransport(d.protocol, d.payload, { frames: d.frames, timestamp: d.timestamp, src: d.src, dst: d.dst, truncated: false });
      return;
    }
    // The fragmentable part of IPv6 may begin with more extension headers.
    this.onIp(walkIpv6Headers(d.src, d.dst, d.protocol, d.payload, false), d.frames, d.timestamp, false, 'ipv6');
  }

  private onAbandonedDatagram(d: AbandonedDatagram): void {
    this.stats.ipFragments.abandoned++;
    this.queue.push({ ...fragmentEvent(d, d.frames), outcome: d.reason });
  }

  private onTransport(protocol: number, payload: Uint8Array, origin: Origin): void {
    if (protocol === IP_PROTOCOL.sctp) this.onSctp(payload, origin, 'sctp', undefined);
    else if (protocol === IP_PROTOCOL.udp) this.onUdp(payload, origin);
    else this.skip(origin.frames, SKIP_REASON.otherIpProtocol, `IP protocol ${protocol}`);
  }

  // ---- UDP --------------------------------------------------------------------------------

  private onUdp(datagram: Uint8Array, origin: Origin): void {
    if (datagram.length < 8) {
      this.malformed(origin.frames, 'udp', 'UDP header cut short', origin.truncated);
      return;
    }
    const srcPort = u16be(datagram, 0);
    const dstPort = u16be(datagram, 2);
    const length = u16be(datagram, 4);
    // The UDP length bounds the payload; the checksum is not checked (0 is legal over IPv4, and
    // captures on the sending host often hold unfilled offloaded checksums).
    if (length < 8) {
      this.malformed(origin.frames, 'udp', `UDP length ${length} below 8`, false);
      return;
    }
    if (length > datagram.length) {
      if (origin.truncated) this.skip(origin.frames, SKIP_REASON.truncated, 'UDP datagram cut by the capture');
      else this.malformed(origin.frames, 'udp', `UDP length ${length} exceeds the ${datagram.length} octets of the IP payload`, false);
      return;
    }
    const payload = datagram.subarray(8, length);
    if (this.sctpOverUdpPorts.has(dstPort) || this.sctpOverUdpPorts.has(srcPort)) {
      this.onSctp(payload, { ...origin, truncated: false }, 'sctp-over-udp', { srcPort, dstPort });
      return;
    }
    // UDP carries only ASAP Server Announce and ENRP Presence; the port tells which protocol.
    const protocol = protocolByPort(srcPort, dstPort);
    if (protocol) {
      this.message({
        kind: 'message',
        frames: origin.frames,
        timestamp: origin.timestamp,
        src: ipText(origin.src),
        dst: ipText(origin.dst),
        srcPort,
        dstPort,
        transport: 'udp',
        protocol,
        classifiedBy: 'port',
        bytes: payload.slice(),
      });
      return;
    }
    if (srcPort === UDP_PORT.componentStatus || dstPort === UDP_PORT.componentStatus) {
      this.skip(origin.frames, SKIP_REASON.componentStatus, 'UDP port 2960');
    } else {
      this.skip(origin.frames, SKIP_REASON.udpOtherPort, `UDP ${srcPort} > ${dstPort}`);
    }
  }

  // ---- SCTP -------------------------------------------------------------------------------

  private onSctp(packet: Uint8Array, origin: Origin, transport: CaptureTransport, encapsulation: SctpContext['encapsulation']): void {
    const view = walkSctpPacket(packet, origin.truncated);
    if (typeof view === 'string') {
      this.malformed(origin.frames, 'sctp', view, origin.truncated);
      return;
    }
    this.stats.sctpPackets++;
    const { srcPort, dstPort, verificationTag: tag } = view;
    let checksumOk = false;
    let tBit = false;
    let hasData = false;
    let abortOnly = view.chunks.length > 0;
    for (const c of view.chunks) {
      bump(this.stats.chunkTypes, sctpChunkName(c.type));
      if ((c.type === SCTP_CHUNK.abort || c.type === SCTP_CHUNK.shutdownComplete) && c.flags & T_BIT) tBit = true;
      if (c.type === SCTP_CHUNK.data || c.type === SCTP_CHUNK.iData) hasData = true;
      if (c.type !== SCTP_CHUNK.abort) abortOnly = false;
      // Learn both tags before the packet's own direction gets a name.
      if (c.type === SCTP_CHUNK.initAck && tag !== 0) {
        const responderTag = initiateTag(packet, c);
        if (responderTag !== undefined) this.associations.learnInitAck(srcPort, dstPort, tag, responderTag);
      }
    }
    const dirKey = directionKey(srcPort, dstPort, tag);
    // INIT packets carry tag 0, and a set T bit means the sender's own tag: neither names the
    // receiving direction. An ABORT alone (e.g. refusing an INIT) ends an association rather
    // than showing one. None of them registers a new direction.
    const registrable = tag !== 0 && !tBit && !abortOnly;
    const association = registrable
      ? this.associations.nameFor(srcPort, dstPort, tag, origin.src, origin.dst)
      : (this.associations.nameOfDirection(dirKey) ?? dirKey);
    const known = registrable || association !== dirKey;
    if (view.computedChecksum === undefined) {
      this.stats.checksumUnverifiable++;
    } else if (view.computedChecksum !== view.storedChecksum) {
      // Reported, never dropped: offloaded checksums are often unfilled in captures.
      this.stats.checksumFailures++;
      if (view.storedChecksum === 0) this.stats.checksumZero++;
      this.queue.push({
        kind: 'sctp-checksum',
        frames: origin.frames,
        association: known ? association : undefined,
        stored: view.storedChecksum,
        computed: view.computedChecksum,
        zero: view.storedChecksum === 0,
      });
    } else {
      checksumOk = true;
    }
    if (view.stopped) {
      if (view.stopped.kind === 'truncated') this.skip(origin.frames, SKIP_REASON.truncated, view.stopped.detail);
      else this.malformed(origin.frames, 'sctp', view.stopped.detail, false);
    }

    const context: SctpContext = { origin, srcPort, dstPort, transport, encapsulation, association };
    const wanted = (ppid: number): boolean => this.classify(ppid, srcPort, dstPort) !== undefined;
    for (const c of view.chunks) {
      if (c.type === SCTP_CHUNK.data || c.type === SCTP_CHUNK.iData) {
        const chunk = readDataChunk(packet, c, origin.frames, checksumOk);
        if (typeof chunk === 'string') this.malformed(origin.frames, 'sctp', chunk, false);
        else this.sctp.add(dirKey, chunk, wanted, context);
      }
    }
    if (!hasData && !view.stopped) {
      this.skip(origin.frames, SKIP_REASON.sctpNoUserData, view.chunks.map((c) => sctpChunkName(c.type)).join(','));
    }
  }

  private classify(ppid: number, srcPort: number, dstPort: number): { protocol: RserpoolProtocol; by: 'ppid' | 'port' } | undefined {
    const byPpid = RSERPOOL_PPID.get(ppid);
    if (byPpid) return { protocol: byPpid, by: 'ppid' };
    if (!this.portHeuristic) return undefined;
    const byPort = protocolByPort(srcPort, dstPort);
    return byPort ? { protocol: byPort, by: 'port' } : undefined;
  }

  private reassemblyListener(): ReassemblyListener<SctpContext> {
    return {
      message: (_dir: string, m: UserMessage, ctx: SctpContext) => this.onUserMessage(m, ctx),
      unwanted: (dir: string, ppid: number, frames: readonly number[]) => {
        bump(this.stats.otherPpids, ppid);
        if (this.skipEvents) this.queue.push({ kind: 'skipped-message', frames, association: this.nameOf(dir), ppid });
      },
      duplicate: (dir: string, tsn: number, frames: readonly number[]) => {
        this.stats.duplicateChunks++;
        if (this.skipEvents) this.queue.push({ kind: 'duplicate-chunk', frames, association: this.nameOf(dir), tsn });
      },
      incomplete: (dir: string, m: IncompleteUserMessage) => {
        this.stats.incompleteMessages++;
        this.queue.push({
          kind: 'incomplete-message',
          frames: m.frames,
          association: this.nameOf(dir),
          chunkType: m.kind,
          streamId: m.streamId,
          bytes: m.bytes,
          reason: m.reason,
        });
      },
    };
  }

  /** Name of the association a direction key belongs to (directions are registered on sight). */
  private nameOf(dir: string): string {
    return this.associations.nameOfDirection(dir) ?? dir;
  }

  private onUserMessage(m: UserMessage, ctx: SctpContext): void {
    const c = this.classify(m.ppid, ctx.srcPort, ctx.dstPort)!;
    this.message({
      kind: 'message',
      frames: m.frames,
      timestamp: ctx.origin.timestamp,
      src: ipText(ctx.origin.src),
      dst: ipText(ctx.origin.dst),
      srcPort: ctx.srcPort,
      dstPort: ctx.dstPort,
      transport: ctx.transport,
      ...(ctx.encapsulation ? { encapsulation: ctx.encapsulation } : {}),
      association: ctx.association,
      streamId: m.streamId,
      ppid: m.ppid,
      checksumOk: m.checksumOk,
      protocol: c.protocol,
      classifiedBy: c.by,
      bytes: m.bytes,
    });
  }

  // ---- output -----------------------------------------------------------------------------

  private message(m: CapturedMessage): void {
    this.stats.messages[m.protocol]++;
    this.stats.transports[m.transport]++;
    this.queue.push(m);
  }

  private skip(frames: readonly number[], reason: SkipReason, detail: string): void {
    this.stats.skippedFrames[reason]++;
    if (this.skipEvents) this.queue.push({ kind: 'skipped-frame', frames, reason, detail });
  }

  /** A bad header; in a truncated record a header cut short is the capture's doing, not the sender's. */
  private malformed(frames: readonly number[], layer: CaptureLayer, detail: string, truncated: boolean): void {
    if (truncated) {
      this.skip(frames, SKIP_REASON.truncated, detail);
      return;
    }
    this.stats.malformed++;
    this.stats.skippedFrames.malformed++;
    this.queue.push({ kind: 'malformed', frames, layer, detail });
  }
}

/** The fields an `ip-fragments` event shares whatever its outcome. */
function fragmentEvent(
  d: { readonly version: 4 | 6; readonly src: Uint8Array; readonly dst: Uint8Array; readonly id: number },
  frames: readonly number[],
): Omit<IpFragmentsEvent, 'outcome' | 'detail'> {
  return { kind: 'ip-fragments', frames, version: d.version, src: ipText(d.src), dst: ipText(d.dst), id: d.id };
}
