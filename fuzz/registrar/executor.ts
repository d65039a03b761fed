/**
 * Plays one sequence against a target (in-process or over the network): opens each actor's
 * association on first use, sends the steps' octets, lets PEs answer Keep-Alives like live PEs,
 * watches for associations the target aborts, and ends with the sanity Handle Resolution.
 */
import { performance } from 'node:perf_hooks';
import { PPID, type Address, type Message } from '../../codecs/index.js';
import type { Endpoint, Role, Target } from '../../src/conformance/target.js';
import type { Failure } from './oracles.js';
import { describeStep, labelType, type Step } from './sequence.js';

/** How to run steps. */
export interface ExecuteOptions {
  /** Addresses the target should see for PE actors (in-process; a network target sees the socket's). */
  readonly peAddresses: readonly Address[];
  /** How long the sanity Handle Resolution may take (target time: virtual in-process). */
  readonly sanityDeadlineMs: number;
  /** Wall-clock budget of one step (in-process hang oracle); 0 = none. */
  readonly stepBudgetMs: number;
  /** Real time to let the last replies arrive before the checks (network). */
  readonly settleMs: number;
}

/** Seen from outside after each step: in-process checks, agent crash reports. */
export interface ExecuteHooks {
  /** A problem found since the last call (drains). */
  readonly problem?: () => Failure | undefined;
}

/** What one run did. */
export interface ExecutionResult {
  readonly failure?: Failure;
  /** Steps carried out. */
  readonly executed: number;
  /** Message types sent well-formed, as `protocol.type`. */
  readonly sent: readonly string[];
  /** Message types the target sent, as `protocol.type`. */
  readonly received: readonly string[];
  /** Octets sent. */
  readonly octets: number;
}

interface ActorState {
  readonly ep: Endpoint;
  readonly role: Role;
  /** The driver gave the target a reason to abort (malformed octets, a foreign PPID). */
  provoked: boolean;
  closedByUs: boolean;
  /** Network: why the association went down (`peerAbort`, `shutdown`, `timeout: …`). */
  downReason: string | undefined;
}

/** The part of an SCTP association the executor listens to. */
interface DownNotifier {
  on(event: 'down', listener: (d: { reason: string; detail?: string }) => void): unknown;
}

/** A network endpoint's main SCTP association, if the endpoint exposes it (in-process ones do not). */
function mainAssociation(ep: Endpoint): DownNotifier | undefined {
  const e = ep as { links?: Map<number, { sctp?: DownNotifier }>; sctp?: DownNotifier };
  const link = ep.association !== undefined ? e.links?.get(ep.association) : undefined;
  const sctp = link?.sctp ?? e.sctp;
  return typeof sctp?.on === 'function' ? sctp : undefined;
}

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** Runs `steps`, then the sanity check on `sanityPool` (hex). Never throws: failures are results. */
export async function executeSteps(target: Target, steps: readonly Step[], sanityPool: string, options: ExecuteOptions, hooks: ExecuteHooks = {}): Promise<ExecutionResult> {
  const actors = new Map<string, ActorState>();
  const sent = new Set<string>();
  const received = new Set<string>();
  let octets = 0;
  let executed = 0;
  const noteReceived = (m: Message): void => {
    received.add(`${m.protocol}.${m.type}`);
  };
  const open = async (name: string, role: Role, serverId: number | undefined): Promise<ActorState> => {
    const ep = await target.open(role, {
      name,
      ...(role === 'pe' ? { addresses: options.peAddresses } : {}),
      ...(serverId !== undefined ? { serverId } : {}),
      onMessage: (r, self) => {
        // Every message is consumed here (coverage), so no inbox fills up.
        noteReceived(r.message);
        // A live PE answers Keep-Alives (KA-2), so a keep-alive timeout never explains an abort.
        if (r.message.type === 'endpointKeepAlive' && r.message.peId !== undefined) {
          self.send({ protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: r.message.poolHandle, peId: r.message.peId }, r.association);
        }
        // A live peer acknowledges takeovers (TO-2), so a takeover can run to its end.
        if (r.message.protocol === 'enrp' && r.message.type === 'initTakeover' && serverId !== undefined) {
          self.send({ protocol: 'enrp', type: 'initTakeoverAck', senderId: serverId, receiverId: r.message.senderId, targetId: r.message.targetId }, r.association);
        }
        return true;
      },
    });
    const a: ActorState = { ep, role, provoked: false, closedByUs: false, downReason: undefined };
    // Network endpoints expose their SCTP association: its 'down' reason tells an ABORT or
    // SHUTDOWN from the target apart from our own retransmission timeout.
    const sctp = mainAssociation(ep);
    sctp?.on('down', (d) => {
      a.downReason = `${d.reason}${d.detail ? `: ${d.detail}` : ''}`;
    });
    actors.set(name, a);
    return a;
  };
  const checkAborts = (step: number | undefined): Failure | undefined => {
    for (const [name, a] of actors) {
      if (a.closedByUs || !a.ep.closed) continue;
      actors.delete(name); // the next step of this actor opens a new association
      // Our own give-up (no SACKs, peer unreachable) is not the target closing anything: a hang shows in the sanity check.
      if (a.downReason?.startsWith('timeout') === true) continue;
      if (!a.provoked) {
        const how = a.downReason !== undefined ? ` (${a.downReason})` : '';
        return { oracle: 'abort-without-cause', detail: `the target closed ${name}'s association (${a.role})${how} although only well-formed messages were sent on it`, ...(step !== undefined ? { step } : {}) };
      }
    }
    return undefined;
  };
  const result = (failure?: Failure): ExecutionResult => ({ ...(failure ? { failure } : {}), executed, sent: [...sent], received: [...received], octets });

  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const t0 = performance.now();
    try {
      if (s.op === 'send') {
        let a = actors.get(s.actor);
        if (a === undefined || a.ep.closed) {
          actors.delete(s.actor);
          const opening = open(s.actor, s.role, s.serverId);
          try {
            const crashed = hooks.problem !== undefined ? await raceProblem(opening.then(() => undefined), hooks.problem) : undefined;
            if (crashed !== undefined) return result({ ...crashed, step: i });
            a = await opening;
          } catch (e) {
            // No association to the target could be set up: it is down or hangs.
            return result({ oracle: 'unresponsive', detail: `opening ${s.actor}'s association: ${e instanceof Error ? e.message : String(e)}`, step: i });
          }
        }
        const bytes = fromHex(s.hex);
        octets += bytes.length;
        if (s.malformed) a.provoked = true;
        else sent.add(labelType(s.label));
        a.ep.sendRaw(bytes, s.ppid);
      } else if (s.op === 'close') {
        const a = actors.get(s.actor);
        if (a !== undefined && !a.ep.closed) {
          a.closedByUs = true;
          if (s.abort) a.ep.abort();
          else a.ep.close();
        }
        actors.delete(s.actor);
      } else {
        await target.sleep(s.ms);
      }
    } catch (e) {
      // Anything thrown while sending, closing or sleeping escaped the registrar (in-process) or the driver.
      const msg = e instanceof Error ? e.message : String(e);
      return result({ oracle: 'exception', detail: `step ${i} (${describeStep(s)}): ${e instanceof Error ? (e.stack ?? msg).split('\n').slice(0, 4).join(' | ') : msg}`, step: i });
    }
    executed++;
    const elapsed = performance.now() - t0;
    const problem = hooks.problem?.();
    if (problem !== undefined) return result({ ...problem, step: i });
    if (options.stepBudgetMs > 0 && elapsed > options.stepBudgetMs && s.op !== 'sleep') {
      return result({ oracle: 'hang', detail: `step ${i} (${describeStep(s)}) took ${elapsed.toFixed(0)} ms (budget ${options.stepBudgetMs} ms)`, step: i });
    }
    const aborted = checkAborts(i);
    if (aborted !== undefined) return result(aborted);
  }
  if (options.settleMs > 0) await new Promise((r) => setTimeout(r, options.settleMs));
  const late = hooks.problem?.() ?? checkAborts(undefined);
  if (late !== undefined) return result(late);
  const sanity = await raceProblem(sanityCheck(target, sanityPool, options.sanityDeadlineMs), hooks.problem);
  const after = hooks.problem?.();
  return result(after ?? sanity);
}

/**
 * Waits for `p`, but returns a problem reported meanwhile at once (a crash seen by the agent
 * must not wait out an association set-up timeout against a dead target).
 */
async function raceProblem(p: Promise<Failure | undefined>, problem: (() => Failure | undefined) | undefined): Promise<Failure | undefined> {
  if (problem === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  // Kept here too: a problem taken (drained) by the poll must not be lost if `p` wins the race.
  let taken: Failure | undefined;
  const polled = new Promise<Failure>((resolve) => {
    const tick = (): void => {
      taken = problem();
      if (taken !== undefined) resolve(taken);
      else timer = setTimeout(tick, 50);
    };
    timer = setTimeout(tick, 50);
  });
  try {
    const r = await Promise.race([p, polled]);
    return taken ?? r;
  } finally {
    clearTimeout(timer);
    p.catch(() => undefined);
  }
}

/** The sanity Handle Resolution: any Handle Resolution Response (even "unknown pool") within the deadline. */
export async function sanityCheck(target: Target, poolHex: string, deadlineMs: number): Promise<Failure | undefined> {
  let pu: Endpoint;
  try {
    pu = await target.open('pu', { name: 'sanity' });
  } catch (e) {
    return { oracle: 'unresponsive', detail: `sanity PU: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    pu.send({ protocol: 'asap', type: 'handleResolution', poolHandle: fromHex(poolHex) });
    const until = pu.now() + deadlineMs;
    for (;;) {
      const left = until - pu.now();
      if (left <= 0) break;
      const r = await pu.receive(left);
      if (r === undefined) break;
      if (r.ppid === PPID.asap && r.message.type === 'handleResolutionResponse') return undefined;
    }
    return { oracle: 'no-answer', detail: `no Handle Resolution Response within ${deadlineMs} ms${pu.closed ? ' (the target closed the association)' : ''}` };
  } catch (e) {
    return { oracle: 'exception', detail: `sanity check: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    pu.close();
  }
}
