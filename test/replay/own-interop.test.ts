/**
 * Issue #10's closing check, on loopback: a session of OUR networked registrar (`rserpool-harness
 * registrar --pcap`, the interop test's way of running it) replays against the reference with the
 * registrar's own arguments and shows no divergence at all; the same capture replayed with another
 * configuration diverges, so the check has teeth. No lab needed: the session is recorded here.
 *
 * The workload mirrors the interop session's ASAP side: PEs of two policies register (one with an
 * inconsistent policy, refused with cause info under the RFC cause profile, REG-4), answer
 * Keep-Alives (KA-1), a PU resolves, one PE deregisters (DR-1), the others close their
 * associations (T-4). An ENRP client in the manner of hsdump is left out: its peering depends on a
 * process that ends (see explain.ts, peer-unreachable).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolElementNode } from '../../src/net/pool-element.js';
import { resolvePool } from '../../src/net/pool-user.js';
import { configFromRegistrarArgs, readEmbeddedConfig, registrarArgsComment, replayFile, sectionComments, splitArgs } from '../../src/replay/index.js';
import { MemorySink, openCaptureWriter } from '../../src/capture/write/index.js';
import { LINKTYPE } from '../../src/capture/index.js';
import { cli } from '../support/cli.js';
import { tempDir } from './helpers.js';

/**
 * `file` with its Section Header Block replaced by one carrying `comment`: what the registrar
 * writes once its capture embeds its arguments (see embedded-config.ts).
 */
function withSectionComment(file: string, comment: string, out: string): void {
  const bytes = readFileSync(file);
  const shbLength = bytes.readUInt32LE(4);
  const sink = new MemorySink();
  openCaptureWriter(sink, { format: 'pcapng', interfaces: [{ linkType: LINKTYPE.ipv4 }], comment, application: 'rserpool-harness' });
  const head = sink.bytes();
  const newShb = head.subarray(0, new DataView(head.buffer, head.byteOffset).getUint32(4, true));
  writeFileSync(out, Buffer.concat([newShb, bytes.subarray(shbLength)]));
}

const BIN = fileURLToPath(new URL('../../bin/rserpool-harness.mjs', import.meta.url));
const tmp = tempDir();
let registrar: ChildProcess | undefined;
let peer: ChildProcess | undefined;
let capture = '';
let args: string[] = [];
let log = '';
const quiet = (): void => undefined;

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; registrar log:\n${log}`);
}

beforeAll(async () => {
  const port = await freePort();
  capture = join(tmp.dir, 'own-session.pcapng');
  // The interop test's choices, scaled down: one UDP socket for ASAP and ENRP, announces off,
  // short timers so Keep-Alives happen within the session.
  args = splitArgs(
    `--asap udp:127.0.0.1:${port} --enrp udp:127.0.0.1:${port} --id 16 --enrp-address 127.0.0.1 --min-address-scope loopback ` +
      '--asap-announce off --enrp-announce off --mentor-discovery-timeout 500 --peer-heartbeat-cycle 1500 --peer-max-time-last-heard 4000 --peer-max-time-no-response 1500 ' +
      '--keep-alive-transmission-interval 1000 --keep-alive-timeout-interval 2000 --max-bad-pe-reports 2',
  );
  const child = spawn(process.execPath, [BIN, 'registrar', ...args, '--pcap', capture, '--log', 'json', '--log-level', 'debug'], { stdio: ['ignore', 'ignore', 'pipe'] });
  registrar = child;
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await until('startup.ended', () => log.includes('"startup.ended"') || child.exitCode !== null, 20_000);
  expect(child.exitCode).toBeNull();
  // A peer registrar on the same address and the same ENRP SCTP port 9901, told apart from ours
  // only by its UDP port (as the lab's guest registrars behind slirp): it peers with ours (PP-2),
  // audits it (Handle Table Request, CK-2) and receives our Handle Updates (HU-1).
  const peerPort = await freePort();
  const peerChild = spawn(process.execPath, [BIN, 'registrar', '--asap', `udp:127.0.0.1:${peerPort}`, '--enrp', `udp:127.0.0.1:${peerPort}`, '--id', '32', '--enrp-address', '127.0.0.1', '--asap-announce', 'off', '--enrp-announce', 'off', '--mentor-discovery-timeout', '500', '--peer-heartbeat-cycle', '1500', '--peer', `16@udp:127.0.0.1:${port}`, '--log', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  peer = peerChild;
  let peerLog = '';
  peerChild.stderr!.on('data', (d: Buffer) => (peerLog += d.toString()));
  await until('peer startup.ended', () => peerLog.includes('"startup.ended"') || peerChild.exitCode !== null, 20_000);
  await sleep(500);

  const at = { host: '127.0.0.1', port };
  const pe = (peId: number, policy: Parameters<typeof PoolElementNode.start>[0]['policy'], pool = 'EchoPool') =>
    PoolElementNode.start({ registrar: at, pool, peId, policy, lifetime: 30_000, userAddress: '127.0.0.1', userPort: 5000 + (peId & 0xff), log: quiet });
  const since = new Map<string, number>();
  const a = await pe(0x10000001, { name: 'roundRobin' });
  since.set('a', Date.now());
  await sleep(150);
  const b = await pe(0x10000002, { name: 'roundRobin' });
  since.set('b', Date.now());
  await sleep(150);
  const c = await pe(0x10000003, { name: 'leastUsed', load: 0 }, 'LUPool');
  since.set('c', Date.now());
  // A deregistration right when the PE's Keep-Alive is due races the timer (both orders are
  // correct, explain.ts says so); this test wants none: deregister half-way between Keep-Alives.
  const midway = async (pe: string): Promise<void> => {
    for (;;) {
      const phase = (Date.now() - since.get(pe)!) % 1000;
      if (phase >= 400 && phase <= 600) return;
      await sleep(20);
    }
  };
  // REG-4: an inconsistent policy is refused (the RFC cause profile carries the policy as cause info).
  await expect(pe(0x1000000f, { name: 'leastUsed', load: 0 })).rejects.toThrow(/refused/);
  await sleep(300);
  await resolvePool(at, 'EchoPool', { count: 2, interval: 300, each: () => undefined });
  // KA-1: Keep-Alives 1 s after the registrations, answered by the PEs.
  await sleep(1600);
  await resolvePool(at, 'LUPool', { count: 1, interval: 0, items: 4, each: () => undefined });
  await midway('b');
  await b.stop(); // DR-1
  await sleep(300);
  await expect(resolvePool(at, 'NoSuchPool', { count: 1, interval: 0, each: () => undefined })).rejects.toThrow(); // HR-2
  await midway('a');
  await a.stop();
  await midway('c');
  await c.stop();
  await sleep(300);
  child.kill('SIGTERM');
  await until('registrar exit', () => child.exitCode !== null || child.signalCode !== null, 10_000);
  registrar = undefined;
  peer?.kill('SIGTERM');
}, 60_000);

afterAll(() => {
  registrar?.kill('SIGTERM');
  peer?.kill('SIGTERM');
  tmp.done();
});

describe('our registrar replays against the reference with its own arguments (issue #10)', () => {
  it('recorded a session', () => {
    expect(existsSync(capture)).toBe(true);
    expect(statSync(capture).size).toBeGreaterThan(1000);
  });

  it('the registrar arguments build the configuration the registrar command builds', async () => {
    const { config, given, idGiven } = await configFromRegistrarArgs(args);
    expect(idGiven).toBe(true);
    expect(config.serverId).toBe(16);
    expect(config.seed).toBe(16);
    expect(config.causeProfile).toBe('rfc');
    expect(config.keepAliveTransmissionInterval).toBe(1000);
    expect(config.asapAnnounce).toBe(false);
    expect(config.enrpTransport?.addresses.map((x) => x.address)).toEqual(['127.0.0.1']);
    expect(given.map((g) => g.option)).toContain('--min-address-scope');
  });

  it('replayed with the same arguments: zero divergences', async () => {
    const r = await replayFile(capture, { registrarArgs: args });
    expect(r.lines).toEqual([]);
    expect(r.divergences).toBe(0);
    // Something was compared: the registrations, resolutions and Keep-Alives went into the reference.
    const reg = r.report.registrars[0]!;
    expect(reg.serverId).toBe(16);
    expect(reg.lives[0]!.inputs).toBeGreaterThan(10);
    expect(reg.evidence.join('\n')).toMatch(/registrar arguments/);
  }, 30_000);

  it('negative twin: another configuration diverges (REG-8 scope, REG-4 cause info)', async () => {
    const scope = await replayFile(capture, { registrarArgs: [...args, '--min-address-scope', 'siteLocal'] });
    expect(scope.report.registrars.flatMap((x) => x.divergences.map((d) => d.kind))).toContain('registration.outcome');
    const causes = await replayFile(capture, { registrarArgs: [...args, '--cause-profile', 'rsplib'] });
    expect(causes.report.registrars.flatMap((x) => x.divergences.map((d) => d.kind))).toContain('registration.causeInfo');
    const ka = await replayFile(capture, { registrarArgs: [...args, '--keep-alive-transmission-interval', '3000'] });
    expect(ka.divergences).toBeGreaterThan(0);
  }, 30_000);

  it('CLI: --registrar-args and --reference-config replay it with exit 0 and no divergence; the report names the given values', () => {
    const r = cli('replay', capture, '--registrar-args', args.join(' '), '--fail-on', 'any', '--json', '-', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { replay: { totals: { divergences: number }; registrars: Array<{ evidence: string[] }> } };
    expect(doc.replay.totals.divergences).toBe(0);
    expect(doc.replay.registrars[0]!.evidence.some((e) => /registrar arguments \(--registrar-args\): .*--keep-alive-transmission-interval 1000/.test(e))).toBe(true);
    const json = join(tmp.dir, 'reference.json');
    writeFileSync(json, JSON.stringify({ registrarArgs: args }));
    expect(cli('replay', capture, '--reference-config', json, '--fail-on', 'any', '--quiet').status).toBe(0);
    // The registrar wrote its arguments into the capture: told nothing, the replay uses them …
    expect(cli('replay', capture, '--fail-on', 'any', '--quiet').status).toBe(0);
    // … and without any configuration the capture is not even read as SCTP (the UDP port is not 9899).
    expect(cli('replay', capture, '--no-embedded-config', '--quiet').status).toBe(3);
  }, 60_000);

  it('a capture carrying its registrar arguments (pcapng comment) replays clean without being told', async () => {
    const file = join(tmp.dir, 'own-session-commented.pcapng');
    withSectionComment(capture, registrarArgsComment([...args, '--pcap', 'x.pcapng']), file);
    expect(sectionComments(readFileSync(file))).toHaveLength(1);
    expect((await readEmbeddedConfig(file))?.registrarArgs).toContain('--keep-alive-transmission-interval');
    const r = await replayFile(file);
    expect(r.lines).toEqual([]);
    expect(r.report.registrars[0]!.evidence.join('\n')).toMatch(/the capture's own comment/);
    // The registrar's own capture carries the arguments it ran with (src/cli/registrar.ts).
    expect((await readEmbeddedConfig(capture))?.registrarArgs).toContain('--keep-alive-transmission-interval');
  }, 30_000);

  it('rejects arguments the registrar command rejects, with a typed error', async () => {
    await expect(configFromRegistrarArgs(['--min-address-scope', 'planet'])).rejects.toMatchObject({ code: 'RSP_ERR_REPLAY_BAD_OPTION' });
  });
});
