/**
 * `conformance --agent URL` with real processes, no mocks: the `agent` command supervising our
 * networked reference registrar wrapped so that it crashes on a pool handle longer than 32 octets
 * (as rsplib 3.4.4 does on asap/registration/reject/pool-handle-too-long), driven by the real CLI
 * over SCTP/UDP on loopback. The crash becomes CRASH with the exit status or signal, the
 * registrar's last output and the exchange; the agent restarts the registrar and the following cases
 * PASS; listed as CRASH in an expectations file it is an XFAIL and the run is OK.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../src/agent/index.js';
import { describeConfig, embeddedNetworkConfig } from '../../src/conformance/embedded-network.js';
import type { RunReport } from '../../src/conformance/runner.js';
import { freeUdpPort, startAgent, type AgentProcess } from '../agent/agent-process.js';
import { cli } from '../support/cli.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-on-long-handle.mjs', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../conformance/schemas/junit.xsd', import.meta.url));
const XMLLINT = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;

const CRASHER = 'asap/registration/reject/pool-handle-too-long';
/** The crashing case between cases that pass against the reference registrar (PE / PU roles only). */
const CASES = ['asap/registration/reject/empty-pool-handle', CRASHER, 'asap/registration/reject/foreign-address', 'asap/registration/reject/user-port-zero', 'asap/registration/update/answered'];

let dir: string;
let targetConfig: string;
const agents: AgentProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conf-agent-'));
  // What the cases are told: the fixture runs the embedded network run's configuration.
  targetConfig = join(dir, 'target.json');
  writeFileSync(targetConfig, JSON.stringify(describeConfig(embeddedNetworkConfig())));
});

afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

/** An agent supervising the crashing registrar on a free loopback port. */
async function supervised(how: 'exit' | 'signal'): Promise<{ agent: AgentProcess; port: number }> {
  const port = await freeUdpPort();
  const agent = await startAgent([process.execPath, FIXTURE, String(port), how]);
  agents.push(agent);
  return { agent, port };
}

function conformance(port: number, agentUrl: string, name: string, extra: string[] = []): { status: number | null; stdout: string; stderr: string; report: RunReport; files: Record<'json' | 'junit' | 'html', string> } {
  const files = { json: join(dir, `${name}.json`), junit: join(dir, `${name}.xml`), html: join(dir, `${name}.html`) };
  const r = cli('conformance', '--target', `udp:127.0.0.1:${port}`, '--target-config', targetConfig, '--agent', agentUrl, '--restart-timeout', '20', '--json', files.json, '--junit', files.junit, '--html', files.html, '--only', ...CASES, ...extra);
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as RunReport;
  return { ...r, report, files };
}

describe('rserpool-harness conformance --agent', () => {
  it('turns a crash into CRASH with the exit status and output tail, restarts the registrar, and the following cases PASS', async () => {
    const { agent, port } = await supervised('exit');
    const r = conformance(port, agent.url, 'crash');
    expect(r.status, r.stderr).toBe(1);
    const byId = new Map(r.report.results.map((x) => [x.id, x]));
    const crash = byId.get(CRASHER)!;
    expect(crash.verdict).toBe('CRASH');
    expect(crash.crash?.code).toBe(70);
    expect(crash.crash?.signal).toBeNull();
    expect(crash.crash?.restarted).toBe(true);
    // Seen while the case still waited for its answer (deadline 5000 ms): the exchange was cut short.
    expect(crash.crash?.caseOutcome).toContain('cut short: the target had exited');
    expect(crash.durationMs).toBeLessThan(4000);
    expect(crash.crash?.output.some((l) => l.includes('INTERNAL ERROR: condition size <= MAX_POOLHANDLESIZE'))).toBe(true);
    // The exchange that killed it: the 33-octet handle went out.
    expect(crash.trace.some((t) => t.direction === 'toTarget' && t.text.includes('"poolHandleText":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'))).toBe(true);
    for (const id of CASES.filter((c) => c !== CRASHER)) expect(byId.get(id)?.verdict, id).toBe('PASS');
    expect(r.report.counts.CRASH).toBe(1);
    expect(r.report.counts.PASS).toBe(4);
    expect(r.report.restarts).toBe(1);
    expect(r.report.sanity.after).toBe(true);
    expect(r.report.ok).toBe(false);
    // The agent restarted it once and it runs.
    const st = await new AgentClient(agent.url).status();
    expect(st.state).toBe('running');
    expect(st.run).toBe(2);
    // Console, JUnit, HTML carry the crash.
    expect(r.stderr).toMatch(/CRASH\s+asap\/registration\/reject\/pool-handle-too-long\s+the target exited with status 70/);
    expect(r.stdout).toContain('exit status: 70, signal: -; restarted through the agent');
    expect(r.stdout).toContain('INTERNAL ERROR');
    const junit = readFileSync(r.files.junit, 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*errors="1"/);
    expect(junit).toContain('type="CRASH"');
    expect(junit).toMatch(/<system-err>[^<]*INTERNAL ERROR: condition size &lt;= MAX_POOLHANDLESIZE/);
    if (XMLLINT) {
      const v = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, r.files.junit], { encoding: 'utf8' });
      expect(v.status, `${v.stdout}${v.stderr}`).toBe(0);
    }
    const html = readFileSync(r.files.html, 'utf8');
    expect(html).toContain('CRASH 1');
    expect(html).toContain('INTERNAL ERROR: condition size &lt;= MAX_POOLHANDLESIZE');
  }, 60_000);

  it('a crash listed as CRASH in the expectations is an XFAIL with its crash details, and the run is OK', async () => {
    const { agent, port } = await supervised('signal');
    const expect_ = join(dir, 'expect.txt');
    writeFileSync(expect_, `${CRASHER}  CRASH  aborts on a pool handle over 32 octets (REG-11)\n`);
    const r = conformance(port, agent.url, 'xfail', ['--expect-fail', expect_]);
    expect(r.status, r.stderr).toBe(0);
    const results = r.report.results;
    // Listed CRASH cases run last.
    expect(results.at(-1)?.id).toBe(CRASHER);
    expect(results.at(-1)?.verdict).toBe('XFAIL');
    expect(results.at(-1)?.crash?.signal).toBe('SIGABRT');
    expect(results.at(-1)?.crash?.output.some((l) => l.includes('INTERNAL ERROR'))).toBe(true);
    expect(results.filter((x) => x.verdict === 'PASS').length).toBe(4);
    expect(r.report.sanity.after).toBe(true);
    expect(r.report.ok).toBe(true);
    expect(r.stderr).toContain('was killed by signal SIGABRT');
    if (XMLLINT) {
      const v = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, r.files.junit], { encoding: 'utf8' });
      expect(v.status, `${v.stdout}${v.stderr}`).toBe(0);
    }
    expect(readFileSync(r.files.junit, 'utf8')).toMatch(/<skipped [^>]*\/><system-err>/);
  }, 60_000);

  it('needs --target, and an agent that answers', async () => {
    const alone = cli('conformance', '--agent', 'http://127.0.0.1:9');
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--agent supervises an external registrar; it needs --target');
    const bad = cli('conformance', '--target', 'udp:127.0.0.1:9', '--agent', 'ftp://x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('RSP_ERR_AGENT_BAD_ADDRESS');
    const port = await freeUdpPort();
    const gone = cli('conformance', '--target', `udp:127.0.0.1:${port}`, '--agent', `http://127.0.0.1:${port}`, '--only', CRASHER);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('RSP_ERR_AGENT_UNREACHABLE');
  }, 60_000);
});
