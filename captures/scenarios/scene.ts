/**
 * Sets up one capture file being generated: the writer, the shared clock and its interfaces.
 */
import type { CaptureTimestamp } from '../../src/capture/index.js';
import {
  CaptureClock,
  CaptureInterface,
  SctpAssociation,
  openCaptureWriter,
  type ByteSink,
  type CaptureFileSpec,
  type CaptureWriter,
  type LinkFramerOptions,
  type SctpAssociationOptions,
} from '../../src/capture/write/index.js';

/** The writer, clock and interfaces of a capture under construction. */
export interface Scene {
  readonly writer: CaptureWriter;
  readonly clock: CaptureClock;
  readonly interfaces: readonly CaptureInterface[];
  /** An association on interface `iface` (default 0), with a seed derived from the scene's. */
  association(options: Omit<SctpAssociationOptions, 'seed'>, iface?: number): SctpAssociation;
}

/** What a scene needs: file kind, start time, seed, and per-interface link options. */
export interface SceneSpec extends CaptureFileSpec {
  readonly start: CaptureTimestamp;
  readonly seed: number;
  readonly framing?: LinkFramerOptions;
  /** Link MTU of every interface (default 1500). */
  readonly mtu?: number;
}

/** Opens the writer and one {@link CaptureInterface} per declared interface. */
export function openScene(sink: ByteSink, spec: SceneSpec): Scene {
  const writer = openCaptureWriter(sink, spec);
  const clock = new CaptureClock(spec.start);
  const interfaces = spec.interfaces.map(
    (_, index) =>
      new CaptureInterface(writer, clock, {
        seed: spec.seed * 31 + index,
        index,
        ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}),
        ...(spec.framing ? { framing: spec.framing } : {}),
      }),
  );
  let associations = 0;
  return {
    writer,
    clock,
    interfaces,
    association: (options, iface = 0) => new SctpAssociation(interfaces[iface]!, { ...options, seed: spec.seed * 1000 + ++associations }),
  };
}
