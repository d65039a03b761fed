/**
 * `fuzz replay FILE` for registrar findings: plays the saved steps against the recorded target
 * (in-process: a fresh reference registrar or the recorded variant) and says whether the same
 * oracle fails again.
 */
import { AgentClient } from '../../src/agent/index.js';
import { AgentWatch } from './agent-watch.js';
import { replaySteps } from './campaign.js';
import type { RegistrarFinding } from './finding.js';
import { sanityCheck } from './executor.js';
import { RegistrarChecks, TARGET_LEVEL, type Failure } from './oracles.js';
import { makeTarget, type TargetSpec } from './targets.js';

/** Waits until a network target answers a Handle Resolution (a restarted lab guest needs ~20 s). */
async function untilAnswering(spec: TargetSpec, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const target = makeTarget(spec, new RegistrarChecks());
    const down = await sanityCheck(target, '00', 3000);
    await target.dispose().catch(() => undefined);
    if (down === undefined) return;
    if (Date.now() >= until) throw new Error(`RSP_ERR_FUZZ_TARGET_DOWN: the target does not answer: ${down.oracle}: ${down.detail}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Overrides for a replay (the target moved, another agent). */
export interface ReplayOverrides {
  readonly target?: string;
  readonly agent?: string;
}

/** The replay's verdict. */
export interface RegistrarReplay {
  readonly reproduced: boolean;
  readonly failure?: Failure;
  readonly target: TargetSpec;
}

/** Replays a registrar finding. */
export async function replayRegistrarFinding(f: RegistrarFinding, over: ReplayOverrides = {}): Promise<RegistrarReplay> {
  const target: TargetSpec = over.target !== undefined ? { kind: 'network', spec: over.target } : f.target;
  // `none` replays without the recorded agent (a crash then shows as an unanswered resolution).
  const agentUrl = over.agent === 'none' ? undefined : (over.agent ?? (over.target === undefined ? f.agent : undefined));
  const agent = agentUrl !== undefined && target.kind === 'network' ? new AgentClient(agentUrl) : undefined;
  const watch = agent !== undefined ? new AgentWatch(agent) : undefined;
  if (watch !== undefined) await watch.start();
  const network = target.kind === 'network';
  try {
    if (network) await untilAnswering(target, agent !== undefined ? 180_000 : 10_000);
    if (watch !== undefined) await watch.resync();
    const failure = await replaySteps(
      target,
      f.steps,
      f.sanityPool,
      { peAddresses: f.peAddresses, sanityDeadlineMs: network ? 3000 : 2000, stepBudgetMs: network ? 0 : 2000, settleMs: network ? 20 : 0 },
      agent,
      watch,
    );
    // With an agent a crash is known for sure; without one, any target-level failure stands for it.
    const targetLevel = (o: string): boolean => (TARGET_LEVEL as readonly string[]).includes(o);
    const reproduced = failure !== undefined && (failure.oracle === f.oracle || (agent === undefined && targetLevel(failure.oracle) && targetLevel(f.oracle)));
    // Leave a supervised target running for the next replay or campaign.
    if (agent !== undefined && failure?.oracle === 'crash') await agent.restart().catch(() => undefined);
    return { reproduced, ...(failure !== undefined ? { failure } : {}), target };
  } finally {
    await watch?.stop();
  }
}
