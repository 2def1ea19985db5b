/**
 * The scale-out chart (docs/scale-throughput.svg, written by `npm run bench:scale`): jobs per minute for each
 * set-up — the bot alone on SQLite, then `marionette worker` processes on PostgreSQL — as horizontal bars in the
 * style of bench/chart.ts, each labelled with its wall time and its throughput relative to the first set-up.
 */
export interface ScaleChartRow {
  readonly label: string;
  /** Wall time from the first command to the last delivery. */
  readonly seconds: number;
  readonly jobsPerMinute: number;
}

const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'];

/** `subtitle`: what was measured and where (jobs, model, machine), in one line. */
export function scaleChartSvg(title: string, subtitle: string, rows: readonly ScaleChartRow[]): string {
  const width = 760;
  const barHeight = 26;
  const left = 250;
  const top = 64;
  const height = top + rows.length * (barHeight + 14) + 30;
  const max = Math.max(1e-9, ...rows.map((r) => r.jobsPerMinute));
  const scale = (width - left - 200) / max;
  const base = rows[0]?.jobsPerMinute ?? 0;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#666">${esc(subtitle)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barHeight + 14);
    const w = Math.max(0, row.jobsPerMinute * scale);
    const relative = base > 0 ? `, ×${(row.jobsPerMinute / base).toFixed(2)}` : '';
    parts.push(
      `<text x="${left - 8}" y="${y + barHeight * 0.68}" text-anchor="end">${esc(row.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLOURS[i % COLOURS.length]!}">` +
        `<title>${esc(row.label)}: ${row.jobsPerMinute.toFixed(2)} jobs per minute in ${row.seconds.toFixed(1)} s</title></rect>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + barHeight * 0.68}">${row.jobsPerMinute.toFixed(1)} (${row.seconds.toFixed(1)} s${relative})</text>`,
    );
  });
  parts.push(`<text x="${width - 10}" y="${height - 8}" text-anchor="end" fill="#666">jobs per minute (wall time, relative to the first)</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}
