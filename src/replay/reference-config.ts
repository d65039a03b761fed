/**
 * The reference's configuration as the user knows it (`replay --reference-config FILE`,
 * `--registrar-args "…"`): the captured registrar's own command line, or explicit
 * {@link RegistrarConfig} values. Inference (infer-config.ts) only guesses; when the captured
 * registrar is ours, its exact settings are known, and guessing them wrongly (cause profile, PE
 * address scope, timers) shows up as divergences that are not there.
 *
 * The argument list is parsed by the `registrar` command itself (src/cli/registrar.ts), so what the
 * replay configures can never drift from what the networked registrar ran with: the command's own
 * option definitions, defaults and flags→config mapping build the configuration. The command is run
 * with a start function that keeps the node options and opens no socket.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { Writable } from 'node:stream';
import { defaultConfig, type RegistrarConfig } from '../registrar/index.js';
import { registerRegistrar } from '../cli/registrar.js';
import { type RegistrarNodeOptions } from '../net/registrar-node.js';
import { REPLAY_ERR, ReplayError } from './errors.js';

/** What the user says about the captured registrar's configuration. */
export interface ReferenceConfigSpec {
  /** The captured registrar's `registrar` command arguments (without `registrar` itself). */
  readonly registrarArgs?: readonly string[];
  /** {@link RegistrarConfig} values; applied over the arguments' configuration (or over the inferred one). */
  readonly config?: Partial<RegistrarConfig>;
  /** Where the spec came from, for the report (file name, "--registrar-args", "capture comment"). */
  readonly source?: string;
}

/** A configuration built from a {@link ReferenceConfigSpec}. */
export interface GivenConfig {
  /**
   * The complete configuration the registrar command would have run with (registrar defaults for
   * whatever the arguments leave out), or undefined when only `config` values were given.
   * `serverId` is 0 when the arguments carry no `--id` (the command would draw a random one):
   * the capture's ID is used then.
   */
  readonly base: RegistrarConfig | undefined;
  /** Explicit values: `config` of the spec, over `base`. */
  readonly overrides: Partial<RegistrarConfig>;
  /** `key: value (from …)` lines for the report: every value the user fixed. */
  readonly evidence: readonly string[];
  /** UDP ports of the registrar's sockets (`--asap`, `--enrp`): SCTP over UDP there (RFC 6951). */
  readonly sctpOverUdpPorts: readonly number[];
}

/** Arguments that make the command do something besides configuring (and must not run here). */
const DROPPED = new Set(['--pcap']);

/**
 * Splits a shell-like argument string: whitespace separates, single or double quotes group,
 * backslash escapes. Enough for the command lines the interop test and users write.
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i]!;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new ReplayError(REPLAY_ERR.badOption, `unterminated ${quote} in registrar arguments: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

/** Removes the options that would have side effects here (the capture file of `--pcap`). */
function withoutSideEffects(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (DROPPED.has(name)) {
      if (eq < 0) i++;
      continue;
    }
    out.push(a);
  }
  // A pasted command line may still start with the command's name.
  if (out[0] === 'registrar') out.shift();
  return out;
}

const sink = (): Writable & { text: string } => {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
};

/** Rejects the start to stop the command before it opens sockets. */
class ConfigCaptured extends Error {}

/**
 * The configuration the `registrar` command builds from `args`, and the options the arguments set
 * (as opposed to the command's defaults). Throws {@link ReplayError} (RSP_ERR_REPLAY_BAD_OPTION)
 * for arguments the command rejects.
 */
export function configFromRegistrarArgs(args: readonly string[]): Promise<RegistrarArgsConfig> {
  return parseWithCommand(withoutSideEffects(args));
}

/** What {@link configFromRegistrarArgs} finds. */
export interface RegistrarArgsConfig {
  /** The configuration; `serverId` 0 when the arguments carry no `--id`. */
  readonly config: RegistrarConfig;
  /** The options the arguments set (not the command's defaults), with their values. */
  readonly given: ReadonlyArray<{ readonly option: string; readonly value: string }>;
  readonly idGiven: boolean;
  /** UDP ports of the registrar's ASAP and ENRP sockets. */
  readonly udpPorts: readonly number[];
}

async function parseWithCommand(args: string[]): Promise<RegistrarArgsConfig> {
  const idGiven = args.some((a) => a === '--id' || a.startsWith('--id='));
  const full = idGiven ? args : [...args, '--id', '1'];
  let captured: RegistrarConfig | undefined;
  let udpPorts: number[] = [];
  const start = (options: RegistrarNodeOptions): Promise<never> => {
    captured = options.config;
    udpPorts = [...new Set([options.asap.port, ...(options.enrp !== undefined ? [options.enrp.port] : [])])];
    return Promise.reject(new ConfigCaptured('configuration captured'));
  };
  const out = sink();
  const err = sink();
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
  registerRegistrar(program, out, err, { start });
  const cmd = program.commands.find((c) => c.name() === 'registrar');
  if (cmd === undefined) throw new ReplayError(REPLAY_ERR.badOption, 'the registrar command is not available');
  try {
    await program.parseAsync(['registrar', ...full], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new ReplayError(REPLAY_ERR.badOption, `registrar arguments rejected: ${err.text.trim() || e.message}`, { cause: e });
    throw e;
  }
  if (captured === undefined) throw new ReplayError(REPLAY_ERR.badOption, `registrar arguments did not configure a registrar: ${err.text.trim()}`);
  const given: Array<{ option: string; value: string }> = [];
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli' || (key === 'id' && !idGiven)) continue;
    const v: unknown = cmd.getOptionValue(key);
    given.push({ option: o.long ?? key, value: describe(v) });
  }
  return { config: idGiven ? captured : { ...captured, serverId: 0 }, given, idGiven, udpPorts };
}

function describe(v: unknown): string {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => `${describe(k)}=${describe(x)}`).join(',');
  if (Array.isArray(v)) return v.map(describe).join(',');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const CONFIG_KEYS = new Set(Object.keys(defaultConfig(1)));

/**
 * Validates a `--reference-config` JSON document: `{ "registrarArgs": [..] | "…", "config": {..} }`,
 * or a bare object of {@link RegistrarConfig} values. Throws {@link ReplayError} on anything else.
 */
export function parseReferenceConfigJson(text: string, source: string): ReferenceConfigSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ReplayError(REPLAY_ERR.badOption, `${source}: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ReplayError(REPLAY_ERR.badOption, `${source}: expected a JSON object`);
  const o = doc as Record<string, unknown>;
  const wrapped = 'registrarArgs' in o || 'config' in o;
  let registrarArgs: string[] | undefined;
  if (o['registrarArgs'] !== undefined) {
    const a = o['registrarArgs'];
    if (typeof a === 'string') registrarArgs = splitArgs(a);
    else if (Array.isArray(a) && a.every((x): x is string => typeof x === 'string')) registrarArgs = a;
    else throw new ReplayError(REPLAY_ERR.badOption, `${source}: registrarArgs must be a string or an array of strings`);
  }
  const config = (wrapped ? o['config'] : o) ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new ReplayError(REPLAY_ERR.badOption, `${source}: config must be an object`);
  const unknown = Object.keys(config).filter((k) => !CONFIG_KEYS.has(k));
  if (unknown.length > 0) throw new ReplayError(REPLAY_ERR.badOption, `${source}: unknown registrar setting(s) ${unknown.join(', ')} (known: ${[...CONFIG_KEYS].join(', ')})`);
  if (wrapped) {
    const extra = Object.keys(o).filter((k) => k !== 'registrarArgs' && k !== 'config');
    if (extra.length > 0) throw new ReplayError(REPLAY_ERR.badOption, `${source}: unknown key(s) ${extra.join(', ')} (expected registrarArgs, config)`);
  }
  return { ...(registrarArgs !== undefined ? { registrarArgs } : {}), config: config as Partial<RegistrarConfig>, source };
}

/** Reads a `--reference-config` file; see {@link parseReferenceConfigJson}. */
export async function readReferenceConfig(file: string): Promise<ReferenceConfigSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ReplayError(REPLAY_ERR.badOption, `cannot read --reference-config ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return parseReferenceConfigJson(text, file);
}

/** Builds the configuration a spec fixes; see {@link GivenConfig}. */
export async function resolveReferenceConfig(spec: ReferenceConfigSpec): Promise<GivenConfig> {
  const source = spec.source ?? 'reference configuration';
  const evidence: string[] = [];
  let base: RegistrarConfig | undefined;
  let sctpOverUdpPorts: readonly number[] = [];
  if (spec.registrarArgs !== undefined) {
    const r = await configFromRegistrarArgs(spec.registrarArgs);
    base = r.config;
    sctpOverUdpPorts = r.udpPorts;
    const opts = r.given.map((g) => `${g.option} ${g.value}`).join(' ');
    evidence.push(`registrar arguments (${source}): ${opts || '(none)'}; every other setting is the registrar command's default`);
  }
  const overrides = { ...(spec.config ?? {}) };
  for (const [k, v] of Object.entries(overrides)) evidence.push(`${k}: ${describe(v)} (given: ${source})`);
  return { base, overrides, evidence, sctpOverUdpPorts };
}
