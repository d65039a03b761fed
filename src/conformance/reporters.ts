/**
 * Reporters of a conformance run: console summary by area, JUnit XML (failures and errors kept
 * apart), JSON with every verdict, and a self-contained HTML page. A CRASH (the agent saw the target
 * exit during the case) shows the exit status or signal, the target's last output and the restart
 * in every one of them.
 */
import type { CaseResult, RunReport, TargetCrash, Verdict } from './runner.js';
import { UNEXPECTED, VERDICTS, zeroCounts } from './runner.js';

/** One live progress line for a finished case. */
export function progressLine(r: CaseResult, index: number, total: number): string {
  const why = r.verdict === 'PASS' ? '' : r.crash !== undefined ? `  ${(r.reason ?? '').split('\n')[0]}` : `  ${r.requirement ?? ''}${r.level ? ` (${r.level})` : ''} ${r.expected !== undefined ? `expected ${r.expected}; got ${r.actual ?? ''}` : (r.reason ?? '').split('\n')[0]}`;
  return `[${String(index + 1).padStart(String(total).length)}/${total}] ${r.verdict.padEnd(7)} ${r.id}${why}`;
}

/** Verdict counts per area, as a text table, and the run's outcome. */
export function summaryTable(report: RunReport): string {
  const areas = new Map<string, Record<Verdict, number>>();
  for (const r of report.results) {
    const row = areas.get(r.area) ?? zeroCounts();
    row[r.verdict]++;
    areas.set(r.area, row);
  }
  const width = Math.max(4, ...[...areas.keys()].map((a) => a.length));
  const head = `${'area'.padEnd(width)} ${VERDICTS.map((v) => v.padStart(7)).join(' ')}`;
  const rows = [...areas.entries()].map(([a, c]) => `${a.padEnd(width)} ${VERDICTS.map((v) => String(c[v]).padStart(7)).join(' ')}`);
  const total = `${'total'.padEnd(width)} ${VERDICTS.map((v) => String(report.counts[v]).padStart(7)).join(' ')}`;
  const sanity = `sanity exchange: before ${report.sanity.before ? 'ok' : 'FAILED'}, after ${report.sanity.after ? 'ok' : 'FAILED'}${report.sanity.afterTimeouts.length ? `, after TIMEOUTs ${report.sanity.afterTimeouts.filter((s) => s.ok).length}/${report.sanity.afterTimeouts.length} ok` : ''}${report.restarts !== undefined ? `; target restarted ${report.restarts} time(s) through the agent` : ''}`;
  return [head, '-'.repeat(head.length), ...rows, '-'.repeat(head.length), total, '', sanity, `result: ${report.ok ? 'OK' : 'FAILED'} (target ${report.target.name}, seed ${report.seed}, ${report.durationMs} ms)`].join('\n');
}

/** Details of every non-pass verdict with its exchange. */
export function failureDetails(report: RunReport): string {
  return report.results
    .filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP')
    .map((r) => [`${r.verdict} ${r.id}: ${r.rule}`, detailText(r), ...(r.crash !== undefined ? [crashText(r.crash, '  ')] : []), ...r.trace.map((t) => `    ${t.at} ms ${t.direction === 'toTarget' ? '→' : t.direction === 'fromTarget' ? '←' : '·'} ${t.endpoint}: ${t.text}`)].join('\n'))
    .join('\n\n');
}

function detailText(r: CaseResult): string {
  return [
    r.requirement !== undefined ? `  requirement: ${r.requirement}${r.level ? ` (${r.level}, level UNCONFIRMED)` : ''}` : '',
    r.expected !== undefined ? `  expected: ${r.expected}` : '',
    r.actual !== undefined ? `  actual: ${r.actual}` : '',
    r.reason !== undefined ? `  reason: ${r.reason}` : '',
  ].filter((s) => s !== '').join('\n');
}

/** The crash block of a report: how the target ended, the restart, its last output (indented). */
export function crashText(c: TargetCrash, indent = ''): string {
  const restart = c.restarted ? `restarted through the agent, answering again after ${c.restartMs ?? '?'} ms` : `not restarted: ${c.restartError ?? 'unknown'}`;
  return [
    `${indent}crash: the target (agent run ${c.run}, pid ${c.pid ?? '?'}) ${c.how} at ${c.at}`,
    `${indent}  exit status: ${c.code ?? '-'}, signal: ${c.signal ?? '-'}; ${restart}`,
    `${indent}  the case's own outcome: ${c.caseOutcome}`,
    `${indent}  target output (last ${c.output.length} lines):`,
    ...c.output.map((l) => `${indent}    ${l}`),
  ].join('\n');
}

const xml = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * JUnit XML: one testsuite per area; FAIL/TIMEOUT/XPASS are failures, ERROR and CRASH errors (a
 * CRASH's type is `CRASH`, the target's output goes to `system-err`), SKIP/XFAIL skipped.
 */
export function junitXml(report: RunReport): string {
  const byArea = new Map<string, CaseResult[]>();
  for (const r of report.results) byArea.set(r.area, [...(byArea.get(r.area) ?? []), r]);
  const count = (rs: CaseResult[], vs: Verdict[]) => rs.filter((r) => vs.includes(r.verdict)).length;
  const suites = [...byArea.entries()].map(([area, rs]) => {
    const time = (rs.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(3);
    const cases = rs.map((r) => {
      const body = `${detailText(r)}\n${r.trace.map((t) => `${t.at} ms ${t.direction} ${t.endpoint}: ${t.text}`).join('\n')}`;
      let inner = '';
      if (r.verdict === 'FAIL' || r.verdict === 'TIMEOUT' || r.verdict === 'XPASS') inner = `<failure message="${xml(`${r.verdict}: ${r.requirement ?? ''} expected ${r.expected ?? r.reason ?? ''}`)}" type="${r.verdict}">${xml(body)}</failure>`;
      else if (r.verdict === 'ERROR') inner = `<error message="${xml((r.reason ?? '').split('\n')[0])}" type="ERROR">${xml(body)}</error>`;
      else if (r.verdict === 'CRASH') inner = `<error message="${xml((r.reason ?? '').split('\n')[0])}" type="CRASH">${xml(body)}</error>`;
      else if (r.verdict === 'SKIP' || r.verdict === 'XFAIL') inner = `<skipped message="${xml(r.verdict === 'XFAIL' ? `expected failure: ${r.requirement ?? ''} ${r.actual ?? ''}` : (r.reason ?? ''))}"/>`;
      // The target's own last words (also for an expected CRASH, XFAIL): what CI shows as stderr.
      if (r.crash !== undefined) inner += `<system-err>${xml(crashText(r.crash))}</system-err>`;
      return `    <testcase name="${xml(r.id)}" classname="${xml(area.replace('/', '.'))}" time="${(r.durationMs / 1000).toFixed(3)}">${inner}</testcase>`;
    });
    return `  <testsuite name="${xml(area)}" tests="${rs.length}" failures="${count(rs, ['FAIL', 'TIMEOUT', 'XPASS'])}" errors="${count(rs, ['ERROR', 'CRASH'])}" skipped="${count(rs, ['SKIP', 'XFAIL'])}" time="${time}" timestamp="${report.startedAt.slice(0, 19)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const c = report.counts;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="rserpool-harness conformance (${xml(report.target.name)})" tests="${report.results.length}" failures="${c.FAIL + c.TIMEOUT + c.XPASS}" errors="${c.ERROR + c.CRASH}" skipped="${c.SKIP + c.XFAIL}" time="${(report.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** JSON with every verdict (trace octets as hex). */
export function jsonReport(report: RunReport): string {
  return JSON.stringify(report, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 2);
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained HTML page (inline CSS, no scripts or external resources). */
export function htmlReport(report: RunReport): string {
  const colour: Record<Verdict, string> = { PASS: '#2e7d32', FAIL: '#c62828', TIMEOUT: '#ef6c00', ERROR: '#6a1b9a', CRASH: '#b71c1c', SKIP: '#757575', XFAIL: '#558b2f', XPASS: '#ad1457' };
  const rows = report.results.map((r) => {
    const detail = r.verdict === 'PASS' ? '' : `<details><summary>details</summary><pre>${html(detailText(r))}${r.crash !== undefined ? `\n${html(crashText(r.crash))}` : ''}\n${html(r.trace.map((t) => `${t.at} ms ${t.direction} ${t.endpoint}: ${t.text}`).join('\n'))}</pre></details>`;
    return `<tr><td><span class="v" style="background:${colour[r.verdict]}">${r.verdict}</span></td><td><code>${html(r.id)}</code></td><td>${html(r.requirements.map((q) => `${q.id} (${q.level})`).join(', '))}</td><td>${html(r.rule)}${detail}</td></tr>`;
  });
  const counts = VERDICTS.map((v) => `<span class="v" style="background:${colour[v]}">${v} ${report.counts[v]}</span>`).join(' ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>RSerPool conformance: ${html(report.target.name)}</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}.v{color:#fff;padding:1px 6px;border-radius:3px;font-size:90%}pre{white-space:pre-wrap;font-size:85%;background:#f6f6f6;padding:6px}</style></head>
<body><h1>RSerPool registrar conformance</h1>
<p>Target <b>${html(report.target.name)}</b>, seed ${report.seed}, started ${html(report.startedAt)}, ${report.durationMs} ms. Result: <b>${report.ok ? 'OK' : 'FAILED'}</b>.</p>
<p>${counts}</p>
<p>Requirement levels come from the project digest and are UNCONFIRMED against the RFC text; <i>rsplib-only</i> marks reference-implementation behaviour, not an RFC rule.</p>
<pre>${html(summaryTable(report))}</pre>
<table><thead><tr><th>verdict</th><th>case</th><th>requirements</th><th>rule</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}

/** Whether a verdict fails the run. */
export function isUnexpected(v: Verdict): boolean {
  return UNEXPECTED.has(v);
}
