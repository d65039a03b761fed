/**
 * The registrar fuzzer over the network, under the agent: a smoke campaign against our own
 * networked registrar on loopback finds nothing; a registrar child that crashes on a given input
 * IS found, with the input, the target's last output and a replay command.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runRegistrarCampaign } from '../../fuzz/registrar/campaign.js';
import { loadFinding } from '../../fuzz/registrar/finding.js';
import { AgentClient } from '../../src/agent/index.js';
import { freeUdpPort, startAgent, type AgentProcess } from '../agent/agent-process.js';

const BIN = fileURLToPath(new URL('../../bin/rserpool-harness.mjs', import.meta.url));
const CRASHING = fileURLToPath(new URL('./fixtures/crashing-registrar.mjs', import.meta.url));

const agents: AgentProcess[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

async function readyAgent(command: string[], marker: RegExp): Promise<AgentClient> {
  const a = await startAgent(command);
  agents.push(a);
  const client = new AgentClient(a.url);
  const end = Date.now() + 15_000;
  while (!(await client.output(50)).some((l) => marker.test(l.text))) {
    if (Date.now() > end) throw new Error(`target not ready: ${(await client.output(50)).map((l) => l.text).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return client;
}

describe('registrar fuzzing (network, under the agent)', () => {
  it('a 4-second campaign against our networked registrar on loopback finds nothing', async () => {
    const asap = await freeUdpPort();
    const enrp = await freeUdpPort();
    const agent = await readyAgent([process.execPath, BIN, 'registrar', '--asap', `udp:127.0.0.1:${asap}`, '--enrp', `udp:127.0.0.1:${enrp}`, '--id', '0x77', '--log-level', 'info'], /registrarStarted/);
    const r = await runRegistrarCampaign({ seed: 3, seconds: 4, target: { kind: 'network', spec: `udp:127.0.0.1:${asap},enrp=${enrp}` }, agent });
    expect(r.findings.map((f) => `${f.finding.oracle}: ${f.finding.detail}`)).toEqual([]);
    expect(r.aborted).toBeUndefined();
    expect(r.sequences).toBeGreaterThan(3);
    expect(r.typesSent).toEqual(expect.arrayContaining(['asap.registration', 'asap.handleResolution']));
    expect(r.typesReceived).toEqual(expect.arrayContaining(['asap.registrationResponse', 'asap.handleResolutionResponse']));
    expect((await agent.status()).unexpectedExits).toBe(0);
  });

  it('finds a registrar that crashes on an input, with the target output tail, and restarts it', async () => {
    const asap = await freeUdpPort();
    const agent = await readyAgent([process.execPath, CRASHING, String(asap)], /listening on/);
    const dir = mkdtempSync(join(tmpdir(), 'rsp-netfuzz-'));
    const r = await runRegistrarCampaign({ seed: 1, seconds: 20, target: { kind: 'network', spec: `udp:127.0.0.1:${asap}` }, agent, findingsDir: dir, stopOnFinding: true, shrinkMaxTests: 0 });
    expect(r.findings).toHaveLength(1);
    const { finding, file, replay } = r.findings[0]!;
    expect(finding.oracle).toBe('crash');
    expect(finding.detail).toMatch(/exited with status 70/);
    expect(finding.targetOutputTail.join('\n')).toMatch(/FATAL: Endpoint Unreachable received/);
    expect(replay).toContain(file!);
    const saved = loadFinding(readFileSync(file!, 'utf8'));
    expect(saved.agent).toBe(agent.url);
    // The input is in the file: some send step is an Endpoint Unreachable (ASAP type 0x08).
    expect(saved.steps.some((s) => s.op === 'send' && s.hex.startsWith('08'))).toBe(true);
    expect(r.targetRestarts).toBeGreaterThanOrEqual(1);
    // The campaign left the target running again.
    expect((await agent.status()).state).toBe('running');
  });
});
