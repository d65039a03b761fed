/**
 * Console output of the replay and the lint: one block per registrar, one paragraph per
 * divergence or finding, frames first so they can be looked up in Wireshark.
 */
import type { Divergence, LintFinding } from './divergence.js';
import { isUnexplained } from './explain.js';
import type { LintReport } from './lint.js';
import type { ReplayReport } from './replay.js';

const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const frames = (f: readonly number[]): string => (f.length === 0 ? 'frame ?' : f.length === 1 ? `frame ${f[0]}` : `frames ${f.slice(0, 8).join(', ')}${f.length > 8 ? `, … (${f.length})` : ''}`);

/** One divergence as text lines; `other` names the compared side (`reference`, or `live`). */
export function divergenceText(d: Divergence, other = 'reference'): string {
  const flag = isUnexplained(d) ? '!!' : '--';
  return [
    `  ${flag} [${d.kind}] ${frames(d.frames)}, t=${sec(d.time)} (${d.requirements.join(', ')})`,
    `     ${d.summary}`,
    `     captured:  ${d.captured}`,
    `     ${`${other}:`.padEnd(10)} ${d.reference}`,
    `     at odds with the digest: ${d.atOdds} — ${d.explanation}`,
  ].join('\n');
}

/** The replay report as console text. */
export function replayText(r: ReplayReport): string {
  const out: string[] = [`replay ${r.file}: ${r.messages} ASAP/ENRP messages in ${r.frames} frames, ${r.registrars.length} registrar(s)`];
  for (const g of r.registrars) {
    out.push('', `${g.label}: ${g.divergences.length} divergence(s)`);
    for (const e of g.evidence) out.push(`   config ${e}`);
    g.lives.forEach((l, i) => out.push(`   life ${i + 1}: ${l.inputs} inputs replayed from t=${sec(l.from)}, reference started t=${sec(l.startAt)}${l.end !== undefined ? `, registrar ended t=${sec(l.end)}` : ''}; ${l.referenceOutputs} reference outputs`));
    for (const d of g.divergences) out.push(divergenceText(d));
  }
  const t = r.totals;
  out.push('', `total: ${t.divergences} divergence(s): ${t.captured} real deviation(s) of the captured registrar, ${t.cannotShow} the capture cannot show, ${t.reference} of the reference, ${t.neither} allowed either way; ${t.unexplained} UNEXPLAINED`);
  for (const n of r.readerNotes) out.push(`reader: ${n}`);
  return out.join('\n') + '\n';
}

/** One lint finding as text lines. */
export function findingText(f: LintFinding): string {
  return [`  ${f.severity.toUpperCase().padEnd(7)} [${f.check}] ${frames(f.frames)}, t=${sec(f.time)} (${f.requirements.join(', ')})`, `     ${f.summary}`, `     verdict (${f.atOdds}): ${f.verdict}`].join('\n');
}

/** The lint report as console text. */
export function lintText(r: LintReport): string {
  const out = [`lint ${r.file}: registrars ${r.registrars.join(', ') || 'none'}`];
  for (const f of r.findings) out.push(findingText(f));
  out.push(`total: ${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.info} info`);
  return out.join('\n') + '\n';
}
