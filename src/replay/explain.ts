/**
 * Explains divergences: each rule recognises one known cause — a documented rsplib deviation
 * from the digest, or something the capture cannot show — and says which side is at odds.
 * Whatever no rule recognises stays marked UNEXPLAINED, which makes the replay fail (exit 1).
 */
import type { Divergence } from './divergence.js';
import { idText } from './describe.js';
import { isRegistrarEndpoint } from './roles.js';
import { sameEndpoint, type Endpoint, type TimedControl } from './model.js';
import type { RunResult } from './run.js';

/** Prefix of the explanation of a divergence no rule recognised. */
export const UNEXPLAINED = 'UNEXPLAINED';

/** A rule: returns true when it explained the divergence (and set `atOdds` / `explanation`). */
type Rule = (d: Divergence, run: RunResult) => boolean;

/**
 * Whether `e` is the registrar's own SCTP stack: one of its endpoints, or — SCTP over UDP — any
 * SCTP port behind its UDP socket (IP and UDP port): a userland stack may open an association to a
 * peer from an ephemeral SCTP port, as our networked registrar does, and the UDP socket is the
 * process's own.
 */
function fromRegistrarStack(r: RunResult['registrar'], e: Endpoint): boolean {
  if (isRegistrarEndpoint(r, e)) return true;
  return e.udpPort !== undefined && [...r.asap, ...r.enrp].some((x) => x.ip === e.ip && x.udpPort === e.udpPort);
}

/** Whether a deregistration names the PE of a Keep-Alive described as `reference` (`… PE $xxxxxxxx`). */
function samePe(m: { readonly peId: number }, reference: string): boolean {
  const id = /PE \$([0-9a-f]{8})/.exec(reference);
  return id === null || parseInt(id[1]!, 16) === m.peId;
}

/** Time of a divergence's reference output, parsed back from its summary (`at t=… s`). */
function refTime(d: Divergence): number {
  const m = /at t=(-?[\d.]+) s/.exec(d.summary);
  return m ? Number(m[1]) * 1000 : d.time;
}

const RULES: ReadonlyArray<{ readonly name: string; readonly rule: Rule }> = [
  {
    // The scenario stopped the registrar: its kernel ABORTs what was still open, and requests
    // that arrived while the process was going down stay unanswered. No protocol rule applies.
    name: 'registrar-ended',
    rule: (d, run) => {
      const end = run.registrarEnd;
      if (end === undefined || d.kind !== 'answer.missing' || d.time < end.time - 1000) return false;
      d.atOdds = 'capture-cannot-show';
      d.explanation = `the captured registrar's process was ending: ${Math.round(end.time - d.time)} ms later it ended all its associations at once (ABORT / SHUTDOWN) (frames ${end.frames.slice(0, 4).join(', ')}${end.frames.length > 4 ? ', …' : ''}) and sent nothing more; the capture cannot show whether the request was still read`;
      return true;
    },
  },
  {
    // KA-1 vs REG-14 / KA-2 / DR-1: a Keep-Alive due within a few ms of a request from the same PE
    // that restarts the timer (or, a deregistration, stops it). Which one the registrar handled first is scheduling, not protocol.
    name: 'keep-alive-race',
    rule: (d, run) => {
      if (d.kind !== 'keepAlive.missing') return false;
      const t = refTime(d);
      const frame = d.frames[0];
      const assoc = run.capture.items.find((i) => i.frame === frame)?.association;
      const racer = run.inputs.find(
        (i) =>
          i.item.association === assoc &&
          i.item.time >= t &&
          i.item.time - t <= 50 &&
          i.item.message?.protocol === 'asap' &&
          // A deregistration of the PE (DR-1) ends its timer altogether.
          (i.item.message.type === 'registration' || i.item.message.type === 'endpointKeepAliveAck' || (i.item.message.type === 'deregistration' && samePe(i.item.message, d.reference))),
      );
      if (racer === undefined) return false;
      d.atOdds = 'capture-cannot-show';
      d.explanation = `timer race: the Keep-Alive was due ${(racer.item.time - t).toFixed(1)} ms before the PE's ${racer.item.message?.type} (frame ${racer.item.frame}), which restarts the Keep-Alive timer (REG-14, KA-2) or, a deregistration, ends it (DR-1); the captured registrar handled the request first, the reference the timer; both orders are correct and the capture cannot show the registrar's scheduling`;
      return true;
    },
  },
  {
    // HU-1 / PP-6 / ST-2: the registrar did try to reach the peer, but the peer's port refused
    // the association (INIT answered by ABORT), so no message could appear in the capture.
    name: 'peer-unreachable',
    rule: (d, run) => {
      if (d.kind !== 'handleUpdate.missing' && d.kind !== 'enrpRequest.missing') return false;
      const m = /→ ?\$([0-9a-f]{8})/.exec(d.reference);
      if (m === null) return false;
      const peer = parseInt(m[1]!, 16);
      const eps = run.peerEndpoints.get(peer) ?? [];
      const t = refTime(d);
      const init = run.capture.items
        .filter(
          (i) => i.kind === 'control' && i.chunk === 'init' && fromRegistrarStack(run.registrar, i.src) && eps.some((e) => sameEndpoint(e, i.dst)) && Math.abs(i.time - t) <= 1000 && run.capture.associations.get(i.association)?.established !== true,
        )
        .sort((a, b) => Math.abs(a.time - t) - Math.abs(b.time - t))[0];
      if (init !== undefined) {
        d.atOdds = 'capture-cannot-show';
        d.explanation = `the captured registrar did try: it opened an association to peer ${idText(peer)} (INIT, frame ${init.frame}), which the peer's host refused with ABORT (nothing listened there any more: the peer — a finished hsdump, or a registrar that had died — was gone); the capture cannot show the message it would have sent`;
        return true;
      }
      // Earlier: its last attempt to reach the peer was refused and the peer has been silent since,
      // so the registrar holds no association to it; whether it drops the message or opens another
      // association for it is its transport's choice, not a protocol rule, and leaves no trace.
      const refused = run.capture.items.filter(
        (i): i is TimedControl => i.kind === 'control' && i.chunk === 'init' && i.time <= t && fromRegistrarStack(run.registrar, i.src) && eps.some((e) => sameEndpoint(e, i.dst)),
      ).at(-1);
      if (refused === undefined || run.capture.associations.get(refused.association)?.established === true) return false;
      const heardSince = run.capture.items.some((i) => i.time > refused.time && i.time <= t && i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.senderId === peer);
      if (heardSince) return false;
      d.atOdds = 'capture-cannot-show';
      d.explanation = `the captured registrar could not reach peer ${idText(peer)}: its last association attempt (INIT, frame ${refused.frame}, ${((t - refused.time) / 1000).toFixed(3)} s before) was refused with ABORT and the peer has sent nothing since; without an association the message cannot appear in the capture (whether the registrar drops it or tries once more is its transport's choice)`;
      return true;
    },
  },
  {
    // PP-2 / PP-6: the capture begins with the peering already up (no INIT for the ENRP
    // association), so the registrar knew the peer before the first frame; the reference meets
    // it for the first time and probes it / asks for its list.
    name: 'peering-predates-capture',
    rule: (d, run) => {
      if (d.kind !== 'enrpRequest.missing' || !/Presence R=1|List Request/.test(d.reference)) return false;
      const m = /→ ?\$([0-9a-f]{8})/.exec(d.reference);
      if (m === null) return false;
      const peer = parseInt(m[1]!, 16);
      const t = refTime(d);
      const first = run.inputs.find((i) => i.item.message?.protocol === 'enrp' && i.item.message.senderId === peer && i.item.transport === 'sctp');
      const assoc = first?.item.association !== undefined ? run.capture.associations.get(first.item.association) : undefined;
      if (first === undefined || assoc === undefined || assoc.sawInit || run.life.from > 0 || t - first.item.time > 100 || first.item.time - run.capture.items[0]!.time > 5000) return false;
      d.atOdds = 'capture-cannot-show';
      d.explanation = `the capture begins with the peering already running (the ENRP association carrying frame ${first.item.frame} was set up before the first frame), so the registrar had known peer ${idText(peer)} for a while; the reference only meets it at that frame, as a new peer (PP-2, PP-6)`;
      return true;
    },
  },
  {
    // PP-2 / PP-6 in the 2007 rsplib: the demo capture's registrars (pre-RFC numbering) never
    // probe a newly heard peer with R = 1 and ask only their mentor for its peer list; the digest
    // describes rsplib 3.x, which does both.
    name: 'rsplib-2007-peering',
    rule: (d, run) => {
      if (d.kind !== 'enrpRequest.missing' || !/Presence R=1|List Request/.test(d.reference)) return false;
      const legacy = run.capture.items.some((i) => i.kind === 'message' && i.legacy);
      if (!legacy) return false;
      const probes = run.capture.items.filter((i) => i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'presence' && i.message.flags.R).length;
      if (probes > 0) return false;
      d.atOdds = 'captured';
      d.explanation = `deviation of the 2007 rsplib registrars recorded here (pre-RFC numbering) from the digest's rsplib 3.x behaviour: they never send a Presence with R=1 (${probes} in the whole capture) and send a List Request only to their mentor, so a peer heard anew (after a restart or takeover) is neither probed (PP-2) nor asked for its list (PP-6)`;
      return true;
    },
  },
  {
    // PP-4 / TO-1 / TO-2: several PRs detect the same dead peer; which detector fires first
    // depends on each process's own timers. The captured registrar got another PR's Init
    // Takeover first and acknowledged it, which TO-2 allows.
    name: 'takeover-detector-race',
    rule: (d, run) => {
      if (d.kind !== 'enrpRequest.missing' || !/Init Takeover of \$([0-9a-f]{8})/.test(d.reference)) return false;
      const target = parseInt(/Init Takeover of \$([0-9a-f]{8})/.exec(d.reference)![1]!, 16);
      const t = refTime(d);
      const other = run.inputs.find((i) => i.item.message?.protocol === 'enrp' && i.item.message.type === 'initTakeover' && i.item.message.targetId === target && Math.abs(i.item.time - t) <= 3000);
      if (other === undefined || other.item.message?.protocol !== 'enrp') return false;
      d.atOdds = 'capture-cannot-show';
      d.explanation = `two registrars detected the failure of ${idText(target)} at about the same time; the captured one received ${idText(other.item.message!.senderId)}'s Init Takeover (frame ${other.item.frame}, ${((other.item.time - t) / 1000).toFixed(3)} s from the reference's own detection) before starting its own and acknowledged it (TO-2); the reference's detector fired first. The capture cannot show the registrars' internal timer phases`;
      return true;
    },
  },
  {
    // LS-1 / ST-1 / PP-2: rsplib lists its configured peer entries that no Presence has
    // identified yet, with Server ID 0 — an ID that means "unknown" and that receivers ignore.
    name: 'list-unidentified-static-peer',
    rule: (d) => {
      if (d.kind !== 'list.content') return false;
      const m = /captured \[([^\]]*)\], reference \[([^\]]*)\]/.exec(d.summary);
      if (m === null) return false;
      const cap = m[1]!.split(', ').filter((x) => x !== '$00000000' && x !== '');
      const ref = m[2]!.split(', ').filter((x) => x !== '');
      if (cap.join() !== ref.join() || !m[1]!.includes('$00000000')) return false;
      d.atOdds = 'captured';
      d.explanation =
        'rsplib deviation: its List Response includes its static peer entry (-peer=ADDR) that no Presence has identified yet, as Server Information with Server ID 0; ID 0 is never a valid PR (ST-1) and receivers skip it (LS-1). The reference keeps no ID-less peer entries, so it lists only identified peers';
      return true;
    },
  },
];

/** Applies the rules; returns the divergences, each with an explanation. */
export function explainDivergences(divergences: Divergence[], run: RunResult): Divergence[] {
  for (const d of divergences) {
    if (d.explanation !== '') continue;
    const hit = RULES.find((r) => r.rule(d, run));
    if (hit === undefined) d.explanation = `${UNEXPLAINED}: no known cause; check the frames against the digest (provisionally the ${d.atOdds} side)`;
  }
  return divergences;
}

/** Whether a divergence still needs a human. */
export function isUnexplained(d: Divergence): boolean {
  return d.explanation.startsWith(UNEXPLAINED);
}
