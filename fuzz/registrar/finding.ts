/**
 * A registrar finding on disk: everything needed to replay it from the file alone (the steps carry
 * their octets), plus what the target printed last.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Address } from '../../codecs/index.js';
import type { Failure, OracleName } from './oracles.js';
import type { Step } from './sequence.js';
import type { TargetSpec } from './targets.js';

/** The file format (version 1). */
export interface RegistrarFinding {
  readonly kind: 'registrar';
  readonly version: 1;
  readonly oracle: OracleName;
  readonly detail: string;
  /** Campaign seed and the sequence the failure was attributed to (the last one run). */
  readonly seed: number;
  readonly sequence: number;
  readonly target: TargetSpec;
  /** The agent that supervised the target, if any. */
  readonly agent?: string;
  readonly peAddresses: readonly Address[];
  /** Pool handle (hex) of the sanity Handle Resolution. */
  readonly sanityPool: string;
  /** The (shrunk) steps; `send` steps carry the octets. */
  readonly steps: readonly Step[];
  /** The octets of every send step in order, hex (a quick view of what was sent). */
  readonly messagesHex: readonly string[];
  /** How many steps the failing input had before shrinking, and whether shrinking finished. */
  readonly originalSteps: number;
  readonly shrinkTests: number;
  readonly shrinkComplete: boolean;
  /** The last sequence alone reproduced it (else earlier sequences since the last reset are included). */
  readonly reproducedAlone: boolean;
  /** The target's last output lines (from the agent), oldest first. */
  readonly targetOutputTail: readonly string[];
  readonly foundAt: string;
}

/** The one-line replay command of a finding file (run in the same network namespace as the campaign). */
export function replayCommand(file: string): string {
  const ns = currentNetns();
  return `${ns !== undefined ? `ip netns exec ${ns} ` : ''}npx rserpool-harness fuzz replay ${resolve(file)}`;
}

/** The name of the named network namespace this process runs in (`ip netns exec NAME`), if any. */
function currentNetns(): string | undefined {
  try {
    const self = statSync('/proc/self/ns/net');
    for (const name of readdirSync('/run/netns')) {
      const st = statSync(join('/run/netns', name));
      if (st.ino === self.ino && st.dev === self.dev) return name;
    }
  } catch {
    // not Linux, or no permission: print the plain command
  }
  return undefined;
}

/** Builds the record. */
export function makeFinding(f: Omit<RegistrarFinding, 'kind' | 'version' | 'messagesHex' | 'foundAt' | 'oracle' | 'detail'> & { failure: Failure }): RegistrarFinding {
  const { failure, ...rest } = f;
  return {
    kind: 'registrar',
    version: 1,
    oracle: failure.oracle,
    detail: failure.detail,
    ...rest,
    messagesHex: f.steps.flatMap((s) => (s.op === 'send' ? [s.hex] : [])),
    foundAt: new Date().toISOString(),
  };
}

/** Writes a finding; returns its path. */
export function saveFinding(dir: string, f: RegistrarFinding): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(f.steps)).digest('hex').slice(0, 10);
  const file = join(dir, `registrar-${f.oracle}-s${f.seed}-q${f.sequence}-${hash}.json`);
  writeFileSync(file, `${JSON.stringify(f, null, 2)}\n`);
  return file;
}

/** Reads a finding file; throws Error `RSP_ERR_FUZZ_BAD_FINDING` when it is not one. */
export function loadFinding(text: string): RegistrarFinding {
  const f = JSON.parse(text) as Partial<RegistrarFinding>;
  if (f.kind !== 'registrar' || f.version !== 1 || !Array.isArray(f.steps) || typeof f.sanityPool !== 'string' || f.target === undefined) {
    throw new Error('RSP_ERR_FUZZ_BAD_FINDING: not a registrar finding file (kind "registrar", version 1, steps, sanityPool, target)');
  }
  return f as RegistrarFinding;
}

/** Reads a finding file from disk. */
export function readFinding(file: string): RegistrarFinding {
  return loadFinding(readFileSync(file, 'utf8'));
}
