/**
 * The recording registrar's configuration inside its own capture: our networked registrar can put
 * its `registrar` arguments into the pcapng Section Header Block's comment (`opt_comment`) when it
 * opens `--pcap FILE`; `replay` then runs the reference with exactly that configuration without
 * being told (a user-given `--reference-config` / `--registrar-args` still wins).
 *
 * Format of the comment: `rserpool-harness registrar-args ` followed by a JSON array of strings.
 * A prefix keeps it apart from comments anyone else writes.
 */
import { open } from 'node:fs/promises';
import { REPLAY_ERR, ReplayError } from './errors.js';
import type { ReferenceConfigSpec } from './reference-config.js';
import { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC } from '../capture/pcapng.js';
import { PCAPNG_OPTION } from '../capture/write/pcapng-writer.js';

/** Prefix of the Section Header Block comment that carries registrar arguments. */
export const REGISTRAR_ARGS_COMMENT_PREFIX = 'rserpool-harness registrar-args ';


/**
 * The SHB comment recording `args` (the `registrar` command's arguments; `--pcap FILE` may stay,
 * the replay ignores it).
 */
export function registrarArgsComment(args: readonly string[]): string {
  return REGISTRAR_ARGS_COMMENT_PREFIX + JSON.stringify(args);
}

/** The `opt_comment` values of the first Section Header Block, or [] (classic pcap, no comment). */
export function sectionComments(head: Uint8Array): string[] {
  if (head.length < 28) return [];
  const le = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (le.getUint32(0, true) !== PCAPNG_BLOCK.sectionHeader) return [];
  const little = le.getUint32(8, true) === PCAPNG_BYTE_ORDER_MAGIC;
  if (!little && le.getUint32(8, false) !== PCAPNG_BYTE_ORDER_MAGIC) return [];
  const total = le.getUint32(4, little);
  const end = Math.min(total - 4, head.length);
  const out: string[] = [];
  for (let p = 24; p + 4 <= end; ) {
    const code = le.getUint16(p, little);
    const len = le.getUint16(p + 2, little);
    if (code === 0 || p + 4 + len > end) break;
    if (code === PCAPNG_OPTION.comment) out.push(new TextDecoder().decode(head.subarray(p + 4, p + 4 + len)));
    p += 4 + ((len + 3) & ~3);
  }
  return out;
}

/**
 * The registrar configuration embedded in `file`, if any. Throws {@link ReplayError}
 * (RSP_ERR_REPLAY_BAD_OPTION) for a comment with the prefix but no valid argument list, and
 * RSP_ERR_REPLAY_CAPTURE when the file cannot be read.
 */
export async function readEmbeddedConfig(file: string): Promise<ReferenceConfigSpec | undefined> {
  let head: Uint8Array;
  try {
    const h = await open(file, 'r');
    try {
      // An SHB with a long argument list stays well under 64 KiB (option length is 16 bit).
      const buf = new Uint8Array(70_000);
      const { bytesRead } = await h.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await h.close();
    }
  } catch (e) {
    throw new ReplayError(REPLAY_ERR.capture, `${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const comment = sectionComments(head).find((c) => c.startsWith(REGISTRAR_ARGS_COMMENT_PREFIX));
  if (comment === undefined) return undefined;
  let args: unknown;
  try {
    args = JSON.parse(comment.slice(REGISTRAR_ARGS_COMMENT_PREFIX.length));
  } catch (e) {
    throw new ReplayError(REPLAY_ERR.badOption, `${file}: the embedded registrar arguments are not JSON`, { cause: e });
  }
  if (!Array.isArray(args) || !args.every((x): x is string => typeof x === 'string')) throw new ReplayError(REPLAY_ERR.badOption, `${file}: the embedded registrar arguments are not a list of strings`);
  return { registrarArgs: args, source: 'the capture\'s own comment (pcapng SHB)' };
}
