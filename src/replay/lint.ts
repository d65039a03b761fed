/**
 * `replay --lint`: passive checks of a capture, without any replay. Each finding names its
 * frames, the requirement it checks (rule paraphrased next to each check) and a verdict.
 */
import type { Message } from '../../codecs/index.js';
import { computeChecksum } from '../handlespace/checksum.js';
import type { LintFinding, AtOdds } from './divergence.js';
import { handleText, idText, messageText } from './describe.js';
import { liftPolicy } from './legacy.js';
import { sameEndpoint, type LoadedCapture, type TimedMessage } from './model.js';
import { findRegistrars, isRegistrarEndpoint, type RegistrarRole } from './roles.js';
import { findLives } from './run.js';

/** Lint of one capture. */
export interface LintReport {
  readonly file: string;
  readonly findings: readonly LintFinding[];
  readonly registrars: readonly string[];
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const REQUESTS: Readonly<Record<string, string>> = { registration: 'registrationResponse', deregistration: 'deregistrationResponse', handleResolution: 'handleResolutionResponse' };
const RESPONSES = new Set(Object.values(REQUESTS));

class Findings {
  readonly list: LintFinding[] = [];
  add(check: string, frames: readonly number[], time: number, requirements: readonly string[], severity: LintFinding['severity'], summary: string, atOdds: AtOdds, verdict: string): void {
    this.list.push({ check, frames: [...frames].sort((a, b) => a - b), time, requirements, severity, summary, atOdds, verdict });
  }
}

/** Runs every check over `capture`. */
export function lintCapture(capture: LoadedCapture): LintReport {
  const f = new Findings();
  const roles = findRegistrars(capture);
  const msgs = capture.items.filter((i): i is TimedMessage => i.kind === 'message');
  const byRegistrar = (e: { ip: string; port: number }): RegistrarRole | undefined => roles.registrars.find((r) => isRegistrarEndpoint(r, e));
  const endOf = new Map(roles.registrars.map((r) => [r, findLives(capture, r).flatMap((l) => (l.end ? [l.end.time] : []))]));
  const nearEnd = (r: RegistrarRole | undefined, t: number): number | undefined => (r === undefined ? undefined : endOf.get(r)?.find((e) => Math.abs(e - t) <= 1000));

  // ER-1 / ER-3: what the strict RFC decoder refuses but rsplib (lenient) accepts — or nobody.
  for (const m of msgs) {
    if (m.decodeError !== undefined) {
      f.add('decode.failed', [m.frame], m.time, ['ER-1', 'ER-3'], 'error', `undecodable ${m.protocol.toUpperCase()} message: ${m.decodeError}`, 'captured', 'UNEXPLAINED: the sender put a message on the wire that no decoding profile accepts');
    } else if (m.strictError !== undefined && !m.legacy) {
      const x = m.message!;
      const rsplib05 = x.protocol === 'asap' && x.type === 'registrationResponse' && x.operationError?.causes.some((c) => c.code === 0x0005 && c.info.length === 0);
      f.add(
        'decode.lenientOnly',
        [m.frame],
        m.time,
        ['ER-1', rsplib05 ? 'REG-4' : 'ER-3'],
        'info',
        `${messageText(x)}: accepted only by the lenient (rsplib) decoder: ${m.strictError}`,
        'captured',
        rsplib05
          ? 'real rsplib deviation (REG-4): Inconsistent Pooling Policy is sent without the policy parameter as cause info; tshark 4.0 flags it malformed too'
          : 'rsplib encoding the strict RFC reading refuses (see the digest\'s rsplib deviations); harmless towards rsplib peers',
      );
    }
  }

  // REG-1 / DR-1 / HR-1: every request is answered on its association with the matching type,
  // pool handle and PE ID; no answer comes without a request.
  const open = new Map<string, TimedMessage[]>();
  const keyOf = (assoc: number | undefined, type: string): string => `${assoc}/${type}`;
  for (const m of msgs) {
    const x = m.message;
    if (x?.protocol !== 'asap' || m.transport !== 'sctp') continue;
    const responseType = REQUESTS[x.type];
    if (responseType !== undefined && byRegistrar(m.dst)) {
      const k = keyOf(m.association, responseType);
      open.set(k, [...(open.get(k) ?? []), m]);
      continue;
    }
    if (!RESPONSES.has(x.type)) continue;
    const k = keyOf(m.association, x.type);
    const waiting = open.get(k) ?? [];
    const req = waiting.shift();
    if (req === undefined) {
      f.add('answer.withoutRequest', [m.frame], m.time, ['REG-1', 'DR-1', 'HR-1'], 'error', `${messageText(x)} without a request on its association`, 'capture-cannot-show', 'UNEXPLAINED unless the request was sent before the capture began');
      continue;
    }
    const q = req.message!;
    if ('poolHandle' in q && 'poolHandle' in x && hex(q.poolHandle) !== hex(x.poolHandle)) {
      f.add('answer.otherPool', [req.frame, m.frame], m.time, ['REG-1', 'DR-1', 'HR-1'], 'error', `answer for ${handleText(x.poolHandle)} to a request for ${handleText(q.poolHandle)}`, 'captured', 'UNEXPLAINED');
    }
    if (q.protocol === 'asap' && q.type === 'registration' && x.type === 'registrationResponse' && q.poolElement.peId !== x.peId) {
      f.add('answer.otherPe', [req.frame, m.frame], m.time, ['REG-1'], 'error', `Registration Response for PE ${idText(x.peId)} to a registration of ${idText(q.poolElement.peId)}`, 'captured', 'UNEXPLAINED');
    }
    // REG-1: R = 1 exactly when an Operation Error says why.
    if (x.type === 'registrationResponse' && x.flags.R !== (x.operationError !== undefined)) {
      f.add('flags.reject', [m.frame], m.time, ['REG-1'], 'error', `Registration Response with R=${x.flags.R ? 1 : 0} ${x.operationError ? 'and' : 'but no'} Operation Error`, 'captured', 'UNEXPLAINED');
    }
    // HR-2: an error answer carries no PEs (and rsplib no policy either).
    if (x.type === 'handleResolutionResponse' && x.operationError !== undefined && x.poolElements.length > 0) {
      f.add('resolution.errorWithPes', [m.frame], m.time, ['HR-2'], 'error', 'Handle Resolution Response with an Operation Error and PEs', 'captured', 'UNEXPLAINED');
    }
    // HR-1 (rsplib): a successful answer carries a policy; it must be the pool's.
    if (x.type === 'handleResolutionResponse' && x.operationError === undefined && x.poolElements.length > 0) {
      const pol = x.policy === undefined ? undefined : liftPolicy(x.policy)?.name;
      const first = x.poolElements[0]!;
      const pePol = liftPolicy(first.policy)?.name;
      if (pol !== undefined && pePol !== undefined && pol !== pePol) f.add('resolution.policy', [m.frame], m.time, ['HR-1', 'REG-3'], 'error', `policy parameter ${pol} but the first PE has ${pePol}`, 'captured', 'UNEXPLAINED');
    }
  }
  for (const [, waiting] of open) {
    for (const req of waiting) {
      const a = req.association !== undefined ? capture.associations.get(req.association) : undefined;
      const r = byRegistrar(req.dst);
      const end = nearEnd(r, req.time);
      const assocEnd = a?.end;
      let verdict = 'UNEXPLAINED';
      let atOdds: AtOdds = 'captured';
      if (end !== undefined) {
        verdict = `the registrar's process was ending: it closed all its associations at once at t=${(end / 1000).toFixed(3)} s (${end >= req.time ? `${Math.round(end - req.time)} ms after the request` : 'while the request was on its way'}); not a protocol failure`;
        atOdds = 'capture-cannot-show';
      } else if (req.time > capture.duration - 1000) {
        verdict = 'the capture ends before the answer could appear';
        atOdds = 'capture-cannot-show';
      } else if (assocEnd !== undefined && assocEnd - req.time < 50) {
        verdict = `the requester closed its association ${Math.round(assocEnd - req.time)} ms after asking (frame ${a?.endFrame}), before an answer could be sent`;
        atOdds = 'capture-cannot-show';
      }
      f.add('request.unanswered', [req.frame], req.time, ['REG-1', 'DR-1', 'HR-1'], atOdds === 'captured' ? 'error' : 'info', `${messageText(req.message)} never answered`, atOdds, verdict);
    }
  }

  // KA-1: Keep-Alives go only to PEs registered on that association (or taken over: H = 1).
  // KA-2: an Ack answers a Keep-Alive for the same PE.
  const registeredOn = new Map<string, number>();
  const kaOutstanding = new Map<string, TimedMessage>();
  for (const m of msgs) {
    const x = m.message;
    if (x?.protocol !== 'asap' || m.association === undefined) continue;
    if (x.type === 'registrationResponse' && !x.flags.R) registeredOn.set(`${m.association}/${hex(x.poolHandle)}/${x.peId}`, m.frame);
    // KA-4 / TO-3: a Keep-Alive with H = 1 makes its sender the PE's home on that association.
    if (x.type === 'endpointKeepAlive' && x.flags.H) {
      registeredOn.set(`${m.association}/${hex(x.poolHandle)}/${x.peId ?? ''}`, m.frame);
      kaOutstanding.set(`${m.association}/${x.peId ?? ''}`, m);
    }
    if (x.type === 'endpointKeepAlive' && !x.flags.H) {
      const k = `${m.association}/${hex(x.poolHandle)}/${x.peId ?? ''}`;
      const known = x.peId === undefined ? [...registeredOn.keys()].some((y) => y.startsWith(`${m.association}/${hex(x.poolHandle)}/`)) : registeredOn.has(k);
      if (!known) {
        const before = capture.associations.get(m.association)?.sawInit === false;
        f.add('keepAlive.unregistered', [m.frame], m.time, ['KA-1'], before ? 'info' : 'error', `${messageText(x)} to a PE never registered on that association`, before ? 'capture-cannot-show' : 'captured', before ? 'the association (and the registration) predates the capture' : 'UNEXPLAINED');
      }
      kaOutstanding.set(`${m.association}/${x.peId ?? ''}`, m);
    }
    if (x.type === 'endpointKeepAliveAck') {
      const k = `${m.association}/${x.peId}`;
      if (!kaOutstanding.delete(k) && !kaOutstanding.delete(`${m.association}/`)) {
        const takeover = msgs.some((y) => y.index < m.index && y.message?.protocol === 'asap' && y.message.type === 'endpointKeepAlive' && y.message.flags.H && y.message.peId === x.peId);
        f.add('keepAliveAck.unsolicited', [m.frame], m.time, ['KA-2'], 'info', `${messageText(x)} without an outstanding Keep-Alive on that association`, 'neither', takeover ? 'answer to the takeover Keep-Alive (H=1) that arrived on another association (TO-3, KA-4)' : 'allowed: KA-2 says any Ack restarts the timer; rsplib PEs do not send unsolicited Acks, so this is worth a look');
      }
    }
  }

  // CK-1: each Presence carries the checksum of the sender's own PEs, as far as the capture shows
  // them (accepted registrations, minus deregistrations, Keep-Alive removals, association ends).
  for (const r of roles.registrars) {
    if (r.serverId === undefined) continue;
    const owned = new Map<string, { poolHandle: Uint8Array; peId: number; association: number | undefined }>();
    let lastChange = -Infinity;
    let sawOwnRegistration = false;
    let pendingMismatch: { frames: number[]; time: number; got: number; want: number } | undefined;
    const flush = (): void => {
      if (pendingMismatch === undefined) return;
      const p = pendingMismatch;
      const predates = !sawOwnRegistration || capture.items[0]!.time + 5000 > p.time;
      f.add(
        'presence.checksum',
        p.frames,
        p.time,
        ['CK-1'],
        predates ? 'info' : 'warning',
        `${r.label}: Presence checksum 0x${p.got.toString(16).padStart(4, '0')}, the PEs it accepted in the capture sum to 0x${p.want.toString(16).padStart(4, '0')} (${p.frames.length} Presence(s))`,
        'capture-cannot-show',
        predates ? 'PEs registered before the capture began are counted by the registrar but invisible here' : 'UNEXPLAINED: a PE the capture does not show as registered or removed (check the frames)',
      );
      pendingMismatch = undefined;
    };
    for (const it of capture.items) {
      if (it.kind === 'control') {
        if ((it.chunk === 'abort' || it.chunk === 'shutdown') && (isRegistrarEndpoint(r, it.src) || isRegistrarEndpoint(r, it.dst))) {
          // T-4 / KA-3: an ended association takes its PEs along.
          for (const [k, v] of owned) if (v.association === it.association) { owned.delete(k); lastChange = it.time; }
        }
        continue;
      }
      const x: Message | undefined = it.message;
      if (x === undefined) continue;
      if (x.protocol === 'asap' && x.type === 'registrationResponse' && !x.flags.R && isRegistrarEndpoint(r, it.src)) {
        owned.set(`${hex(x.poolHandle)}/${x.peId}`, { poolHandle: x.poolHandle, peId: x.peId, association: it.association });
        sawOwnRegistration = true;
        lastChange = it.time;
      }
      // TO-3: a takeover Keep-Alive (H = 1) makes the sender the PE's home.
      if (x.protocol === 'asap' && x.type === 'endpointKeepAlive' && x.flags.H && x.serverId === r.serverId && x.peId !== undefined) {
        owned.set(`${hex(x.poolHandle)}/${x.peId}`, { poolHandle: x.poolHandle, peId: x.peId, association: it.association });
        lastChange = it.time;
      }
      if (x.protocol === 'asap' && x.type === 'deregistrationResponse' && isRegistrarEndpoint(r, it.src)) {
        owned.delete(`${hex(x.poolHandle)}/${x.peId}`);
        lastChange = it.time;
      }
      if (x.protocol === 'enrp' && x.type === 'handleUpdate' && x.senderId === r.serverId && x.updateAction === 1) {
        owned.delete(`${hex(x.poolHandle)}/${x.poolElement.peId}`);
        lastChange = it.time;
      }
      if (x.protocol === 'enrp' && x.type === 'presence' && x.senderId === r.serverId) {
        const want = computeChecksum(owned.values());
        // Changes within 50 ms may be in flight between the registrar's state and the capture.
        if (want === x.peChecksum || it.time - lastChange < 50) {
          flush();
          continue;
        }
        if (pendingMismatch !== undefined && pendingMismatch.got === x.peChecksum && pendingMismatch.want === want) pendingMismatch.frames.push(it.frame);
        else {
          flush();
          pendingMismatch = { frames: [it.frame], time: it.time, got: x.peChecksum, want };
        }
      }
    }
    flush();
  }

  // PP-3: a Presence with R = 1 over SCTP gets a Presence back.
  for (const m of msgs) {
    const x = m.message;
    if (x?.protocol !== 'enrp' || x.type !== 'presence' || !x.flags.R || m.transport !== 'sctp') continue;
    const from = x.serverInformation?.serverId ?? x.senderId;
    const answered = msgs.some((y) => y.index > m.index && y.time - m.time <= 2000 && y.message?.protocol === 'enrp' && y.message.type === 'presence' && y.message.receiverId === from && sameEndpoint(y.src, m.dst));
    if (!answered && x.senderId !== 0) {
      const r = byRegistrar(m.dst);
      const end = nearEnd(r, m.time);
      if (r === undefined || !roles.registrars.some((y) => y.serverId === x.receiverId)) {
        f.add('presence.unanswered', [m.frame], m.time, ['PP-3'], 'info', `${messageText(x)} not answered within 2 s`, 'neither', `the receiver ${idText(x.receiverId)} is not a registrar but an ENRP client (rsplib's hsdump announces itself, asks for the peer list and handle table and leaves; it does not answer Presences), so PP-3 does not bind it`);
        continue;
      }
      f.add('presence.unanswered', [m.frame], m.time, ['PP-3'], end !== undefined ? 'info' : 'error', `${messageText(x)} not answered within 2 s`, end !== undefined ? 'capture-cannot-show' : 'captured', end !== undefined ? 'the receiver was ending' : 'UNEXPLAINED');
    }
  }

  // HU-1 / HU-2: a DEL_PE names a PE its sender announced or accepted (else it predates the capture).
  const announced = new Set<string>();
  for (const m of msgs) {
    const x = m.message;
    if (x?.protocol === 'asap' && x.type === 'registration') announced.add(`${hex(x.poolHandle)}/${x.poolElement.peId}`);
    if (x?.protocol === 'enrp' && x.type === 'handleUpdate') {
      const k = `${hex(x.poolHandle)}/${x.poolElement.peId}`;
      if (x.updateAction === 0) announced.add(k);
      else if (!announced.has(k)) f.add('handleUpdate.unknownPe', [m.frame], m.time, ['HU-1'], 'info', `${messageText(x)} for a PE the capture never showed`, 'capture-cannot-show', 'the PE was registered before the capture began');
    }
    // REG-2: the home ID a registrar gives PEs in ENRP is its own.
    if (x?.protocol === 'enrp' && x.type === 'handleUpdate' && x.updateAction === 0 && x.poolElement.homeRegistrarId !== x.senderId && !x.flags.T) {
      f.add('handleUpdate.foreignHome', [m.frame], m.time, ['REG-2', 'HU-1'], 'warning', `${messageText(x)}: ADD_PE for a PE whose home is another PR`, 'captured', 'UNEXPLAINED');
    }
  }
  const findings = f.list.sort((a, b) => a.time - b.time || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
  return {
    file: capture.file,
    findings,
    registrars: roles.registrars.map((r) => r.label),
    counts: { error: findings.filter((x) => x.severity === 'error').length, warning: findings.filter((x) => x.severity === 'warning').length, info: findings.filter((x) => x.severity === 'info').length },
  };
}
