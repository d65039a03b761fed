/**
 * What the registrar fuzzer sends: a sequence of steps, each plain JSON data with the exact octets,
 * so a finding file replays byte for byte without the generator. Actors (PEs, PUs, peer
 * registrars) are named in the steps and opened on first use, so any subsequence a shrinker keeps
 * is still runnable.
 */
import type { Role } from '../../src/conformance/target.js';

/** Sends octets from an actor on its association (opened on first use, re-opened after a close). */
export interface SendStep {
  readonly op: 'send';
  readonly actor: string;
  readonly role: Role;
  /** Server ID a peer actor claims (routing of the target's ENRP messages to it). */
  readonly serverId?: number;
  /** The message octets, hex. */
  readonly hex: string;
  readonly ppid: number;
  /** Message type and what was done to it, e.g. `registration` or `handleUpdate+truncate,bitFlip`. */
  readonly label: string;
  /** The octets are not a well-formed message of the association's protocol (mutated, foreign, random). */
  readonly malformed: boolean;
}

/** Closes (SHUTDOWN) or aborts an actor's association. */
export interface CloseStep {
  readonly op: 'close';
  readonly actor: string;
  readonly abort: boolean;
}

/** Lets time pass (virtual in-process, real on the network). */
export interface SleepStep {
  readonly op: 'sleep';
  readonly ms: number;
}

/** One step. */
export type Step = SendStep | CloseStep | SleepStep;

/** A generated sequence. */
export interface FuzzSequence {
  /** Its number in the campaign (with the seed it rebuilds the sequence). */
  readonly index: number;
  readonly steps: readonly Step[];
  /** Pool handle (hex) the sanity Handle Resolution asks for afterwards. */
  readonly sanityPool: string;
}

/** A one-line description of a step, for logs and finding files. */
export function describeStep(s: Step): string {
  switch (s.op) {
    case 'send':
      return `${s.actor} → ${s.label}${s.malformed ? ' (malformed)' : ''} [${s.hex.length / 2} octets, ppid ${s.ppid}]`;
    case 'close':
      return `${s.actor} ${s.abort ? 'ABORT' : 'SHUTDOWN'}`;
    case 'sleep':
      return `sleep ${s.ms} ms`;
  }
}

/** The message type name of a send step's label (before any `+mutation`). */
export function labelType(label: string): string {
  return label.split('+')[0]!.split(':')[0]!;
}
