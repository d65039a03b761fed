/**
 * What each message type declares about itself: its code, its flag letters, its fixed fields after
 * the header, and how its parameters are read, written and measured.
 */
import type { Message } from '../types.js';
import type { DecodeContext, ParamWalker, Writer } from '../wire.js';

/** What a message reader gets: the context, a walker over its parameters, and its fixed fields. */
export interface MessageInput {
  readonly ctx: DecodeContext;
  readonly params: ParamWalker;
  /** Offset of the first octet after the 4-octet header. */
  readonly fixed: number;
  /** Named flags, as booleans, for the letters this type defines. */
  readonly flags: Readonly<Record<string, boolean>>;
  /** Path prefix: the message type name. */
  readonly path: string;
}

/** One message type's codec parts. `M` is the member of the message union. */
export interface MessageSpec<M extends Message = Message> {
  readonly code: number;
  readonly type: M['type'];
  /** Flag letters and their bit values (bit 0 = 0x01). */
  readonly flagBits: Readonly<Record<string, number>>;
  /** Octets of fixed fields between the header and the first parameter. */
  readonly fixedLength: number;
  /** Build the message body (everything but protocol/profile/reservedFlags/flags). */
  read(input: MessageInput): Omit<M, 'protocol' | 'profile' | 'reservedFlags' | 'flags'>;
  /** Write fixed fields and parameters (the header is written by the caller). */
  write(w: Writer, m: M, path: string): void;
  /** Octets of fixed fields and parameters, the last parameter's padding included. */
  bodyLength(m: M, legacy: boolean): number;
}

/** Helper to keep each spec's `M` while storing them in one table. */
export const spec = <M extends Message>(s: MessageSpec<M>): MessageSpec<M> => s;
