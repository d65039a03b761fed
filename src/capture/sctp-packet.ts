/**
 * SCTP common header and chunk walk (RFC 9260 §3; transports.md §5.7).
 */
import { pad4, u16be, u32be } from './bytes.js';
import { sctpChecksum, storedSctpChecksum } from './crc32c.js';
import { CHUNK_HEADER, DATA_FLAG, SCTP_CHUNK, SCTP_CHUNK_NAME, unknownChunkStops } from './sctp-chunk-types.js';
import type { DataChunk } from './sctp-reassembly.js';

const COMMON_HEADER = 12;

/** Where one chunk lies in its packet. */
export interface ChunkView {
  readonly type: number;
  readonly flags: number;
  /** Offset of the chunk header in the packet. */
  readonly offset: number;
  /** Chunk Length field (header included, padding excluded). */
  readonly length: number;
}

/** A walked SCTP packet. */
export interface SctpPacketView {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly verificationTag: number;
  readonly storedChecksum: number;
  /** Computed CRC32c; undefined when the packet is truncated and cannot be checked. */
  readonly computedChecksum: number | undefined;
  readonly chunks: readonly ChunkView[];
  /** Set when the walk stopped early: why. */
  readonly stopped: { readonly kind: 'truncated' | 'malformed' | 'unknown-chunk'; readonly detail: string } | undefined;
}

/**
 * Walks an SCTP packet. `truncated` says the capture cut it, in which case the checksum is not
 * computed and a chunk running past the end is not an error of the sender. Returns a string when
 * even the common header is missing.
 */
export function walkSctpPacket(packet: Uint8Array, truncated: boolean): SctpPacketView | string {
  if (packet.length < COMMON_HEADER) return `SCTP packet of ${packet.length} octets, shorter than the common header`;
  const chunks: ChunkView[] = [];
  let stopped: SctpPacketView['stopped'];
  let pos = COMMON_HEADER;
  while (pos < packet.length) {
    if (pos + 4 > packet.length) {
      stopped = truncated
        ? { kind: 'truncated', detail: 'chunk header cut by the capture' }
        : { kind: 'malformed', detail: `${packet.length - pos} stray octets after the last chunk` };
      break;
    }
    const type = packet[pos]!;
    const length = u16be(packet, pos + 2);
    if (length < 4) {
      stopped = { kind: 'malformed', detail: `chunk length ${length} below 4 at offset ${pos}` };
      break;
    }
    if (pos + length > packet.length) {
      stopped = truncated
        ? { kind: 'truncated', detail: `chunk ${type} cut by the capture` }
        : { kind: 'malformed', detail: `chunk ${type} of length ${length} overruns the packet at offset ${pos}` };
      break;
    }
    chunks.push({ type, flags: packet[pos + 1]!, offset: pos, length });
    // An unknown type whose high bit is clear tells the receiver to discard the rest of the packet.
    if (!SCTP_CHUNK_NAME.has(type) && unknownChunkStops(type)) {
      if (pos + pad4(length) < packet.length) stopped = { kind: 'unknown-chunk', detail: `unknown chunk type ${type} stops processing of the packet` };
      break;
    }
    pos += pad4(length);
  }
  return {
    srcPort: u16be(packet, 0),
    dstPort: u16be(packet, 2),
    verificationTag: u32be(packet, 4),
    storedChecksum: storedSctpChecksum(packet),
    computedChecksum: truncated ? undefined : sctpChecksum(packet),
    chunks,
    stopped,
  };
}

/** The Initiate Tag of an INIT or INIT ACK chunk, or undefined if the chunk is too short. */
export function initiateTag(packet: Uint8Array, chunk: ChunkView): number | undefined {
  return chunk.length >= CHUNK_HEADER.init ? u32be(packet, chunk.offset + 4) : undefined;
}

/**
 * Reads a DATA or I-DATA chunk, or returns why it is unusable. A chunk without user data is a
 * protocol violation (the receiver aborts with "No User Data").
 */
export function readDataChunk(packet: Uint8Array, chunk: ChunkView, frames: readonly number[], checksumOk: boolean): DataChunk | string {
  const o = chunk.offset;
  if (chunk.type === SCTP_CHUNK.data) {
    if (chunk.length <= CHUNK_HEADER.data) return `DATA chunk of length ${chunk.length} carries no user data`;
    return {
      kind: 'DATA',
      tsn: u32be(packet, o + 4),
      flags: chunk.flags,
      streamId: u16be(packet, o + 8),
      ssn: u16be(packet, o + 10),
      mid: 0,
      fsn: 0,
      ppid: u32be(packet, o + 12),
      data: packet.subarray(o + CHUNK_HEADER.data, o + chunk.length),
      frames,
      checksumOk,
    };
  }
  if (chunk.length <= CHUNK_HEADER.iData) return `I-DATA chunk of length ${chunk.length} carries no user data`;
  // Octets 16–19 hold the PPID in the first fragment and the FSN in the others.
  const begin = (chunk.flags & DATA_FLAG.begin) !== 0;
  const word = u32be(packet, o + 16);
  return {
    kind: 'I-DATA',
    tsn: u32be(packet, o + 4),
    flags: chunk.flags,
    streamId: u16be(packet, o + 8),
    ssn: 0,
    mid: u32be(packet, o + 12),
    fsn: begin ? 0 : word,
    ppid: begin ? word : undefined,
    data: packet.subarray(o + CHUNK_HEADER.iData, o + chunk.length),
    frames,
    checksumOk,
  };
}
