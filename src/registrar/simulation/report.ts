/** Text and JSON renderings of a {@link SimulationResult}; nothing time-of-day dependent. */
import type { SimulationOptions, SimulationResult } from './simulation.js';

/** Plain-text report. */
export function formatReport(o: SimulationOptions, r: SimulationResult): string {
  const lines: string[] = [];
  lines.push(`operation scope: ${o.registrars} registrars, ${o.pes} PEs, ${o.pus} PUs, ${o.seconds} s, seed ${o.seed}, loss ${o.loss ?? 0}${o.lossUntil !== undefined ? ` until ${o.lossUntil / 1000} s` : ''}`);
  lines.push(`registrations: ${r.registrations} new, ${r.reregistrations} re-registrations, ${r.refusals} refused`);
  lines.push(
    `handle resolutions: ${r.resolutions} (unknown pool ${r.unknownPool}, timed out ${r.resolutionTimeouts}); latency ms mean ${r.latency.mean.toFixed(3)} p50 ${r.latency.p50} p99 ${r.latency.p99} max ${r.latency.max}`,
  );
  const rem = Object.entries(r.removals);
  lines.push(`removals: ${rem.length === 0 ? 'none' : rem.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.takeovers.length === 0) lines.push('takeovers: none');
  for (const t of r.takeovers) lines.push(`takeover: registrar ${t.by} took over registrar ${t.target} at ${(t.at / 1000).toFixed(3)} s (${t.elements} PEs)`);
  lines.push('agreement over time (sizes per registrar, -1 = dead):');
  for (const s of r.samples) {
    if (s.at % 60_000 !== 0 && s !== r.samples[r.samples.length - 1]) continue;
    lines.push(`  t=${(s.at / 1000).toFixed(0)}s ${s.agree ? 'agree' : 'DIFFER'} [${s.sizes.join(', ')}]`);
  }
  const agreeing = r.samples.filter((s) => s.agree).length;
  lines.push(`samples in agreement: ${agreeing}/${r.samples.length}`);
  lines.push(`final: handlespaces ${r.finalAgreement ? 'agree' : 'DIFFER'}, per-owner checksums ${r.finalChecksumsAgree ? 'agree' : 'DIFFER'}`);
  lines.push(`messages lost: ${r.lost}; internal errors: ${r.internalErrors}`);
  lines.push('messages per type:');
  for (const [k, v] of Object.entries(r.messages)) lines.push(`  ${k} ${v}`);
  return lines.join('\n') + '\n';
}

/** JSON report (stable key order). */
export function jsonReport(o: SimulationOptions, r: SimulationResult): string {
  const options = { ...o, kills: o.kills === undefined ? [] : [...o.kills].map(([i, at]) => ({ registrar: i, at })) };
  return JSON.stringify({ options, result: r }, null, 2) + '\n';
}
