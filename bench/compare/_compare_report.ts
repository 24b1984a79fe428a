// The outputs of bench/compare/compare.ts: the ratio table (text) and an SVG bar chart.

import type { Ratio } from "./_measure.ts";

/** One line of the table: a ratio of ours to a reference, and its target (null: none). */
export interface Row {
  readonly id: string;
  readonly label: string;
  readonly inFlight: number;
  readonly ratio: Ratio;
  /** The ratio to stay at or under; null for a reference line. */
  readonly target: number | null;
  readonly note: string;
}

const f = (n: number) => n.toFixed(2);

export const met = (row: Row): boolean | null =>
  row.target === null ? null : row.ratio.median <= row.target;

/** The table, as Markdown (readable in a terminal too). */
export function table(rows: readonly Row[], meta: Record<string, unknown>): string {
  const lines = [
    "",
    "| hot path | in flight | ratio (median of 3 runs) | runs min–max | target | met |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const ok = met(row);
    lines.push(
      `| ${row.label}${row.note ? ` (${row.note})` : ""} | ${row.inFlight} | ${
        f(row.ratio.median)
      } | ${f(row.ratio.min)}–${f(row.ratio.max)} | ${
        row.target === null ? "—" : `≤ ${f(row.target)}`
      } | ${ok === null ? "" : ok ? "yes" : "**no**"} |`,
    );
  }
  lines.push("", `machine and versions: ${JSON.stringify(meta)}`);
  return lines.join("\n");
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A horizontal bar per row: the ratio, a tick at the target, 1.0 marked. */
export function svgChart(
  rows: readonly Row[],
  meta: { command?: unknown; date?: unknown },
): string {
  const shown = rows.filter((r) => r.target !== null);
  const left = 470;
  const width = 360;
  const barH = 16;
  const gap = 8;
  const top = 40;
  const max = Math.max(2, ...shown.map((r) => Math.max(r.ratio.max, r.target ?? 0))) * 1.05;
  const x = (v: number) => left + (v / max) * width;
  const height = top + shown.length * (barH + gap) + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${
      left + width + 80
    }" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="16" font-size="13" font-weight="bold">sessionkit / reference, time ratio (lower is better; tick = target)</text>`,
    `<text x="8" y="31" fill="#555">${escape(String(meta.command))} · ${
      escape(String(meta.date))
    }</text>`,
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${
      height - 24
    }" stroke="#999" stroke-dasharray="3,3"/>`,
    `<text x="${x(1) - 6}" y="${height - 10}" fill="#555">1.0</text>`,
  ];
  shown.forEach((row, i) => {
    const y = top + i * (barH + gap);
    const ok = met(row);
    parts.push(
      `<text x="8" y="${y + 12}">${escape(`${row.label} (c=${row.inFlight})`.slice(0, 78))}</text>`,
      `<rect x="${left}" y="${y}" width="${x(row.ratio.median) - left}" height="${barH}" fill="${
        ok ? "#3a7" : "#d54"
      }"/>`,
      `<line x1="${x(row.ratio.min)}" y1="${y + barH / 2}" x2="${x(row.ratio.max)}" y2="${
        y + barH / 2
      }" stroke="#222"/>`,
      `<line x1="${x(row.target!)}" y1="${y - 2}" x2="${x(row.target!)}" y2="${
        y + barH + 2
      }" stroke="#000" stroke-width="2"/>`,
      `<text x="${x(Math.max(row.ratio.max, row.target!)) + 6}" y="${y + 12}">${
        f(row.ratio.median)
      }</text>`,
    );
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}
