/**
 * Loads a capture for replay and lint: every ASAP/ENRP message (decoded leniently, and strictly
 * for the lint) and every association control chunk, in frame order, each tied to an
 * {@link AssociationInstance}.
 */
import { decode, type Message, type Protocol } from '../../codecs/index.js';
import { CaptureError, readCaptureMessages, type CapturedMessage } from '../capture/index.js';
import { REPLAY_ERR, ReplayError } from './errors.js';
import type { AssociationInstance, Endpoint, LoadedCapture, TimedControl, TimedItem, TimedMessage } from './model.js';
import { scanSctpControl, type RawControl } from './sctp-control.js';

function decodeBoth(bytes: Uint8Array, protocol: Protocol): Pick<TimedMessage, 'message' | 'decodeError' | 'strictError' | 'legacy'> {
  let message: Message | undefined;
  let decodeError: string | undefined;
  let strictError: string | undefined;
  try {
    message = decode(bytes, { protocol, mode: 'lenient', profile: 'auto' }).value;
  } catch (e) {
    decodeError = e instanceof Error ? e.message : String(e);
  }
  try {
    decode(bytes, { protocol, mode: 'strict', profile: 'auto' });
  } catch (e) {
    strictError = e instanceof Error ? e.message : String(e);
  }
  return { message, decodeError, strictError, legacy: message?.profile === 'legacy' };
}

/** Both endpoints, sorted: the same whichever way the packet flows. */
const portsKey = (a: Endpoint, b: Endpoint): string => {
  const x = `${a.ip}|${a.port}|${a.udpPort ?? ''}`;
  const y = `${b.ip}|${b.port}|${b.udpPort ?? ''}`;
  return x <= y ? `${x}~${y}` : `${y}~${x}`;
};

/**
 * Tracks association instances by port pair. A new instance begins at an INIT, or at any packet
 * after the previous instance ended.
 */
class InstanceTracker {
  readonly instances = new Map<number, AssociationInstance>();
  private readonly open = new Map<string, AssociationInstance>();
  private next = 1;

  private create(key: string, src: Endpoint, dst: Endpoint, time: number, frame: number, sawInit: boolean): AssociationInstance {
    const a: AssociationInstance = {
      id: this.next++,
      initiator: src,
      responder: dst,
      initiatorAddresses: new Set([src.ip]),
      responderAddresses: new Set([dst.ip]),
      start: time,
      startFrame: frame,
      end: undefined,
      endFrame: undefined,
      endReason: undefined,
      endedBy: undefined,
      sawInit,
      established: false,
    };
    this.instances.set(a.id, a);
    this.open.set(key, a);
    return a;
  }

  private addressesOf(a: AssociationInstance, e: Endpoint): Set<string> {
    const isInitiator = a.initiator.port === e.port && a.initiator.udpPort === e.udpPort && (a.initiator.ip === e.ip || a.responder.port !== e.port || a.responder.udpPort !== e.udpPort);
    return isInitiator ? a.initiatorAddresses : a.responderAddresses;
  }

  /** The instance a packet from `src` to `dst` belongs to. */
  forPacket(src: Endpoint, dst: Endpoint, time: number, frame: number): AssociationInstance {
    const key = portsKey(src, dst);
    let a = this.open.get(key);
    if (a === undefined || a.end !== undefined) a = this.create(key, src, dst, time, frame, false);
    this.addressesOf(a, src).add(src.ip);
    return a;
  }

  control(c: RawControl): AssociationInstance {
    const key = portsKey(c.src, c.dst);
    let a = this.open.get(key);
    if (c.chunk === 'init') {
      // A retransmitted INIT of the same handshake keeps its instance.
      const retransmission = a !== undefined && a.end === undefined && a.sawInit && a.initiator.port === c.src.port && a.initiator.udpPort === c.src.udpPort && !this.hasData(a);
      if (!retransmission) a = this.create(key, c.src, c.dst, c.time, c.frame, true);
    } else if (a === undefined || (a.end !== undefined && c.chunk !== 'shutdown' && c.chunk !== 'shutdownComplete' && c.chunk !== 'shutdownAck' && c.chunk !== 'abort')) {
      a = this.create(key, c.src, c.dst, c.time, c.frame, false);
    }
    if (c.chunk === 'initAck') a!.established = true;
    const mine = this.addressesOf(a!, c.src);
    mine.add(c.src.ip);
    for (const x of c.addresses) mine.add(x);
    if ((c.chunk === 'shutdown' || c.chunk === 'abort') && a!.end === undefined) {
      a!.end = c.time;
      a!.endFrame = c.frame;
      a!.endReason = c.chunk === 'abort' ? 'abort' : 'shutdown';
      a!.endedBy = c.src;
    }
    return a!;
  }

  /** Instances that carried DATA already (a later INIT is a new association). */
  private readonly touched = new Set<number>();
  markData(a: AssociationInstance): void {
    a.established = true;
    this.touched.add(a.id);
  }
  private hasData(a: AssociationInstance): boolean {
    return this.touched.has(a.id);
  }
}

/** Options of {@link loadCapture}. */
export interface LoadOptions {
  /**
   * UDP ports carrying SCTP (RFC 6951) besides 9899: a registrar's own sockets when its
   * configuration is known (`--registrar-args "--asap udp:HOST:PORT"`).
   */
  readonly sctpOverUdpPorts?: readonly number[];
}

/**
 * Reads `file` for replay. Throws {@link ReplayError} `RSP_ERR_REPLAY_CAPTURE` when the file is
 * missing, not a capture, or corrupt.
 */
export async function loadCapture(file: string, options: LoadOptions = {}): Promise<LoadedCapture> {
  const captured: CapturedMessage[] = [];
  const readerNotes: string[] = [];
  let scan;
  try {
    const ports = options.sctpOverUdpPorts ?? [];
    scan = await scanSctpControl(file, ports);
    for await (const item of readCaptureMessages(file, { sctpOverUdpPorts: ports })) {
      if (item.kind === 'message') captured.push(item);
      else if (item.kind === 'malformed') readerNotes.push(`frames ${item.frames.join(',')}: malformed ${item.layer}: ${item.detail}`);
      else if (item.kind === 'incomplete-message') readerNotes.push(`frames ${item.frames.join(',')}: incomplete SCTP message (${item.reason})`);
      else if (item.kind === 'truncated-record') readerNotes.push(`frame ${item.frame}: truncated record`);
    }
  } catch (e) {
    if (e instanceof CaptureError) throw new ReplayError(REPLAY_ERR.capture, `${file}: ${e.message}`, { cause: e });
    throw new ReplayError(REPLAY_ERR.capture, `${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const epoch = scan.epoch;
  // Merge by frame; within a frame control chunks (INIT, SHUTDOWN) before the data they frame
  // would be wrong for SHUTDOWN, so a frame's messages go first and its control chunks after.
  type Pending = { frame: number; order: number; make: (index: number) => TimedItem };
  const pending: Pending[] = [];
  const tracker = new InstanceTracker();
  const events: Array<{ frame: number; order: number; c?: RawControl; m?: CapturedMessage }> = [];
  for (const m of captured) events.push({ frame: m.frames.at(-1) ?? 0, order: 0, m });
  for (const c of scan.controls) events.push({ frame: c.frame, order: c.chunk === 'init' || c.chunk === 'initAck' ? -1 : 1, c });
  events.sort((a, b) => a.frame - b.frame || a.order - b.order);
  for (const ev of events) {
    if (ev.c !== undefined) {
      const c = ev.c;
      const a = tracker.control(c);
      pending.push({ frame: ev.frame, order: ev.order, make: (index) => ({ ...c, index, association: a.id }) satisfies TimedControl });
      continue;
    }
    const m = ev.m!;
    const time = m.timestamp.seconds * 1000 + m.timestamp.nanos / 1e6 - epoch;
    const src: Endpoint = { ip: m.src, port: m.srcPort, ...(m.encapsulation !== undefined ? { udpPort: m.encapsulation.srcPort } : {}) };
    const dst: Endpoint = { ip: m.dst, port: m.dstPort, ...(m.encapsulation !== undefined ? { udpPort: m.encapsulation.dstPort } : {}) };
    const transport = m.transport === 'udp' ? 'udp' : 'sctp';
    let association: number | undefined;
    if (transport === 'sctp') {
      const a = tracker.forPacket(src, dst, time, m.frames[0] ?? 0);
      tracker.markData(a);
      association = a.id;
    }
    const decoded = decodeBoth(m.bytes, m.protocol);
    pending.push({
      frame: ev.frame,
      order: 0,
      make: (index) =>
        ({
          kind: 'message',
          index,
          frame: m.frames.at(-1) ?? 0,
          frames: m.frames,
          time,
          src,
          dst,
          transport,
          association,
          protocol: m.protocol,
          ppid: m.ppid,
          bytes: m.bytes,
          ...decoded,
        }) satisfies TimedMessage,
    });
  }
  const items = pending.map((p, i) => p.make(i));
  return { file, items, associations: tracker.instances, epoch, duration: scan.lastTime, readerNotes };
}
