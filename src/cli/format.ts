/** Text rendering of decoded messages: an indented field tree, pool handles shown as text when printable. */
import { toJson, type DecodeResult, type Json } from '../../codecs/index.js';

function render(v: Json, indent: string, lines: string[], key: string): void {
  if (Array.isArray(v)) {
    if (v.length === 0) {
      lines.push(`${indent}${key}: []`);
      return;
    }
    lines.push(`${indent}${key}:`);
    v.forEach((item, i) => render(item, `${indent}  `, lines, `[${i}]`));
  } else if (v !== null && typeof v === 'object') {
    lines.push(`${indent}${key}:`);
    for (const [k, x] of Object.entries(v)) render(x, `${indent}  `, lines, k);
  } else {
    const shown = typeof v === 'number' && Number.isInteger(v) && v > 9 ? `${v} (0x${v.toString(16)})` : String(v);
    lines.push(`${indent}${key}: ${shown}`);
  }
}

/** Render a decode result as indented text. */
export function formatText(r: DecodeResult): string {
  const lines: string[] = [];
  const m = toJson(r.value) as { [k: string]: Json };
  lines.push(`${String(m.protocol).toUpperCase()} ${String(m.type)} (${r.bytesRead} octets, ${r.profile} numbering)`);
  for (const [k, v] of Object.entries(m)) {
    if (k === 'protocol' || k === 'type') continue;
    render(v, '  ', lines, k);
  }
  if (r.tolerated.length) render(toJson(r.tolerated), '', lines, 'tolerated');
  if (r.skipped.length) render(toJson(r.skipped), '', lines, 'skipped unknown parameters');
  return `${lines.join('\n')}\n`;
}
