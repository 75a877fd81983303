/**
 * Inline SVG charts for the HTML sign-off: a latency histogram and a trend line. Plain SVG
 * markup, no script and no external asset, so the page opens anywhere and prints to PDF as is.
 */
import type { ChartHistogram } from '../findings/finding.ts';

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3).replace(/\.?0+$/, ''));

/** Requests per latency bucket as bars, each labelled with its upper bound. */
export function histogramSvg(h: ChartHistogram, title: string): string {
  const width = 720;
  const height = 200;
  const left = 48;
  const bottom = 36;
  const top = 12;
  const n = Math.max(1, h.counts.length);
  const peak = Math.max(1, ...h.counts);
  const barW = (width - left - 8) / n;
  const plotH = height - bottom - top;
  const bars = h.counts
    .map((count, i) => {
      const barH = (count / peak) * plotH;
      const x = left + i * barW;
      const label = i === 0 ? `≤${fmt(h.bounds[0] ?? 0)}` : fmt(h.bounds[i] ?? 0);
      return (
        `<rect x="${(x + 1).toFixed(1)}" y="${(top + plotH - barH).toFixed(1)}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${barH.toFixed(1)}" class="bar"><title>${escapeHtml(`${i === 0 ? `≤ ${fmt(h.bounds[0] ?? 0)}` : `${fmt(h.bounds[i - 1] ?? 0)}–${fmt(h.bounds[i] ?? 0)}`} ms: ${count} requests`)}</title></rect>` +
        `<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 14}" class="tick" text-anchor="middle">${escapeHtml(label)}</text>`
      );
    })
    .join('');
  return `<figure class="chart"><svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotH}" x2="${width - 8}" y2="${top + plotH}" class="axis"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" class="axis"/>
<text x="${left - 6}" y="${top + 10}" class="tick" text-anchor="end">${peak}</text><text x="${left - 6}" y="${top + plotH}" class="tick" text-anchor="end">0</text>
${bars}
<text x="${(left + width) / 2}" y="${height - 4}" class="tick" text-anchor="middle">latency (ms, upper bound of each bucket)${h.from === 'percentiles' ? ', estimated from percentiles' : ''}</text>
</svg><figcaption>${escapeHtml(title)}: ${h.total} requests</figcaption></figure>`;
}

/** A value across runs, oldest first, the last point being this run. */
export function trendSvg(points: { label: string; value: number | undefined }[], title: string, unit = ''): string {
  const width = 340;
  const height = 90;
  const pad = 10;
  const known = points.filter((p): p is { label: string; value: number } => p.value !== undefined && Number.isFinite(p.value));
  if (known.length === 0) return '';
  const lo = Math.min(...known.map((p) => p.value));
  const hi = Math.max(...known.map((p) => p.value));
  const span = hi - lo || 1;
  const x = (i: number) => pad + (points.length <= 1 ? (width - 2 * pad) / 2 : (i * (width - 2 * pad)) / (points.length - 1));
  const y = (v: number) => height - 22 - ((v - lo) / span) * (height - 40);
  const coords = points.map((p, i) => (p.value === undefined ? undefined : `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)).filter(Boolean);
  const dots = points
    .map((p, i) =>
      p.value === undefined ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="${i === points.length - 1 ? 4 : 2.5}" class="${i === points.length - 1 ? 'dot now' : 'dot'}"><title>${escapeHtml(`${p.label}: ${fmt(p.value)}${unit}`)}</title></circle>`,
    )
    .join('');
  const last = known[known.length - 1]!;
  return `<figure class="chart trend"><svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
<polyline points="${coords.join(' ')}" class="line"/>${dots}
<text x="${pad}" y="${height - 4}" class="tick">min ${fmt(lo)}${unit} · max ${fmt(hi)}${unit} · now ${fmt(last.value)}${unit}</text>
</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}
