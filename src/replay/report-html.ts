/**
 * `--report FILE.html`: one self-contained page (inline CSS, no scripts, no external assets)
 * with the replay, the lint and the live replay, whichever ran.
 */
import type { Divergence, LintFinding } from './divergence.js';
import { isUnexplained } from './explain.js';
import type { LintReport } from './lint.js';
import type { LiveReport } from './live.js';
import type { ReplayReport } from './replay.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const sec = (ms: number): string => (ms / 1000).toFixed(3);

function divergenceRows(ds: readonly Divergence[]): string {
  if (ds.length === 0) return '<p class="ok">No divergence.</p>';
  return `<table><tr><th>frames</th><th>t (s)</th><th>kind</th><th>requirements</th><th>what</th><th>captured</th><th>reference</th><th>at odds</th><th>explanation</th></tr>${ds
    .map(
      (d) =>
        `<tr class="${isUnexplained(d) ? 'bad' : d.atOdds}"><td>${esc(d.frames.join(', '))}</td><td>${sec(d.time)}</td><td>${esc(d.kind)}</td><td>${esc(d.requirements.join(', '))}</td><td>${esc(d.summary)}</td><td>${esc(d.captured)}</td><td>${esc(d.reference)}</td><td>${esc(d.atOdds)}</td><td>${esc(d.explanation)}</td></tr>`,
    )
    .join('')}</table>`;
}

function findingRows(fs: readonly LintFinding[]): string {
  if (fs.length === 0) return '<p class="ok">No finding.</p>';
  return `<table><tr><th>severity</th><th>frames</th><th>t (s)</th><th>check</th><th>requirements</th><th>finding</th><th>at odds</th><th>verdict</th></tr>${fs
    .map(
      (f) =>
        `<tr class="${f.verdict.startsWith('UNEXPLAINED') ? 'bad' : f.atOdds}"><td>${f.severity}</td><td>${esc(f.frames.join(', '))}</td><td>${sec(f.time)}</td><td>${esc(f.check)}</td><td>${esc(f.requirements.join(', '))}</td><td>${esc(f.summary)}</td><td>${esc(f.atOdds)}</td><td>${esc(f.verdict)}</td></tr>`,
    )
    .join('')}</table>`;
}

/** The whole page. */
export function htmlReport(parts: { readonly replay?: ReplayReport; readonly lint?: LintReport; readonly live?: LiveReport }, generatedAt: string): string {
  const body: string[] = [];
  const title = parts.replay?.file ?? parts.lint?.file ?? parts.live?.file ?? 'replay';
  if (parts.replay) {
    const r = parts.replay;
    const t = r.totals;
    body.push(`<h2>Replay against the reference registrar</h2><p>${r.messages} ASAP/ENRP messages in ${r.frames} frames. ${t.divergences} divergence(s): ${t.captured} real deviation(s) of the captured registrar, ${t.cannotShow} the capture cannot show, ${t.reference} of the reference, ${t.neither} allowed either way, <b>${t.unexplained} unexplained</b>.</p>`);
    for (const g of r.registrars) {
      body.push(`<h3>${esc(g.label)}</h3><details><summary>configuration inferred from the capture</summary><ul>${g.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></details>`);
      body.push(divergenceRows(g.divergences));
    }
  }
  if (parts.lint) body.push(`<h2>Lint</h2><p>${parts.lint.counts.error} error(s), ${parts.lint.counts.warning} warning(s), ${parts.lint.counts.info} info.</p>${findingRows(parts.lint.findings)}`);
  if (parts.live) {
    const l = parts.live;
    body.push(`<h2>Live replay against ${esc(l.target)}</h2><p>${l.sent} message(s) sent on ${l.associations} association(s), ${l.answers} answer(s) received; ${l.divergences.length} divergence(s).</p>${divergenceRows(l.divergences)}`);
    if (l.notes.length > 0) body.push(`<ul>${l.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>rserpool-harness replay: ${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#eee}
tr.bad td{background:#fdd}
tr.captured td{background:#fff6dd}
tr.capture-cannot-show td{background:#eef4ff}
tr.reference td{background:#fcc}
.ok{color:#070}
</style></head><body>
<h1>rserpool-harness replay: ${esc(title)}</h1>
<p>Generated ${esc(generatedAt)}. Rows: yellow = real deviation of the captured registrar from the digest, blue = something the capture cannot show, red = unexplained or a mistake of the reference.</p>
${body.join('\n')}
</body></html>
`;
}
