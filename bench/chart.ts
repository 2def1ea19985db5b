/**
 * A small SVG bar chart (no dependencies): per-stage milliseconds per frame for
 * each benchmark row, stacked, so where the time goes can be seen at a glance.
 */
export interface ChartRow {
  readonly label: string;
  readonly stages: ReadonlyArray<{ readonly name: string; readonly ms: number }>;
}

const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'];

export function stackedBarSvg(title: string, rows: readonly ChartRow[], unit = 'ms per frame'): string {
  const width = 760;
  const barHeight = 26;
  const left = 190;
  const top = 48;
  const legendHeight = 30;
  const height = top + rows.length * (barHeight + 14) + legendHeight + 20;
  const max = Math.max(1e-9, ...rows.map((r) => r.stages.reduce((a, s) => a + s.ms, 0)));
  const scale = (width - left - 80) / max;
  const names = [...new Set(rows.flatMap((r) => r.stages.map((s) => s.name)))];
  const colour = (name: string) => COLOURS[names.indexOf(name) % COLOURS.length]!;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barHeight + 14);
    parts.push(`<text x="${left - 8}" y="${y + barHeight * 0.68}" text-anchor="end">${esc(row.label)}</text>`);
    let x = left;
    for (const s of row.stages) {
      const w = Math.max(0, s.ms * scale);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${colour(s.name)}">` +
          `<title>${esc(s.name)}: ${s.ms.toFixed(2)} ${unit}</title></rect>`,
      );
      x += w;
    }
    const total = row.stages.reduce((a, s) => a + s.ms, 0);
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barHeight * 0.68}">${total.toFixed(1)}</text>`);
  });
  const ly = top + rows.length * (barHeight + 14) + 10;
  names.forEach((n, i) => {
    const x = left + i * 130;
    parts.push(`<rect x="${x}" y="${ly}" width="12" height="12" fill="${colour(n)}"/><text x="${x + 18}" y="${ly + 11}">${esc(n)}</text>`);
  });
  parts.push(`<text x="${width - 10}" y="${height - 8}" text-anchor="end" fill="#666">${esc(unit)}</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}
