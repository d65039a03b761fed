/**
 * A small dependency-free SVG line chart grid: one panel per measurement, ops/PE/s (log scale)
 * against pool size, one line per (policy, implementation) — the layout of the seed papers'
 * handlespace figures.
 */

/** One line of a panel. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** One panel. */
export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

const W = 420;
const H = 300;
const M = { left: 70, right: 16, top: 34, bottom: 46 };

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

function panelSvg(panel: Panel, ox: number, oy: number, xMax: number): string {
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.ceil(Math.log10(Math.max(...ys)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => ox + M.left + (x / xMax) * pw;
  const sy = (y: number): number => oy + M.top + ph - ((Math.log10(y) - lo) / Math.max(hi - lo, 1)) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${ox + W / 2}" y="${oy + 20}" text-anchor="middle" font-size="13" font-weight="bold">${escape(panel.title)}</text>`);
  parts.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  for (let e = lo; e <= hi; e++) {
    const y = sy(10 ** e);
    parts.push(`<line x1="${ox + M.left}" x2="${ox + M.left + pw}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${ox + M.left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${fmt(10 ** e)}</text>`);
  }
  for (let x = 0; x <= xMax; x += 5000) {
    const px = sx(x);
    parts.push(`<line x1="${px}" x2="${px}" y1="${oy + M.top}" y2="${oy + M.top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${px}" y="${oy + M.top + ph + 14}" text-anchor="middle" font-size="10">${fmt(x)}</text>`);
  }
  parts.push(`<text x="${ox + M.left + pw / 2}" y="${oy + H - 12}" text-anchor="middle" font-size="11">PEs in the pool</text>`);
  parts.push(
    `<text x="${ox + 14}" y="${oy + M.top + ph / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${ox + 14} ${oy + M.top + ph / 2})">ops/PE/s</text>`,
  );
  for (const s of panel.series) {
    const pts = s.points.filter((p) => p.y > 0);
    if (pts.length === 0) continue;
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of pts) {
      parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
  }
  return parts.join('\n');
}

/** Renders panels in a grid of `columns`, with a shared legend and a caption line. */
export function renderPanels(panels: readonly Panel[], columns: number, caption: string): string {
  const rows = Math.ceil(panels.length / columns);
  const legendH = 60;
  const width = columns * W;
  const height = rows * H + legendH;
  const xMax = Math.max(...panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q.x))));
  const body = panels.map((p, i) => panelSvg(p, (i % columns) * W, Math.floor(i / columns) * H, xMax));
  const seen = new Map<string, Series>();
  for (const p of panels) for (const s of p.series) if (!seen.has(s.label)) seen.set(s.label, s);
  const legend = [...seen.values()].map((s, i) => {
    const x = 20 + (i % 3) * 260;
    const y = rows * H + 18 + Math.floor(i / 3) * 18;
    return (
      `<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>` +
      `<text x="${x + 36}" y="${y + 4}" font-size="11">${escape(s.label)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    ...legend,
    `<text x="20" y="${height + 12}" font-size="10" fill="#555">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
