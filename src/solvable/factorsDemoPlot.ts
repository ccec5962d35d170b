import type { FactorsDemoResult } from './factorsDemo.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number): string {
  return Number(x.toFixed(2)).toString();
}

/**
 * The demo's plot as a standalone SVG document: predicted against simulated excess loss on log–log
 * axes, one filled circle per case for Eq. (12) and one hollow square for Eq. (6), horizontal bars for
 * ±1 standard error of the simulation, and the diagonal y = x. Points on the diagonal are predictions
 * that match SGD.
 *
 * @param result - the output of `runFactorsDemo`.
 * @returns well-formed SVG (XML) text.
 */
export function factorsDemoSvg(result: FactorsDemoResult): string {
  const width = 760;
  const height = 560;
  const left = 90;
  const right = 240;
  const top = 50;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values: number[] = [];
  for (const r of result.rows) {
    const { mean, standardError } = r.simulated.excessLoss;
    values.push(r.eq6, r.eq12, mean + standardError);
    if (mean - standardError > 0) values.push(mean - standardError);
    else values.push(mean);
  }
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(...positive, 1)) - 0.05);
  const hi = Math.ceil(Math.log10(Math.max(...positive, 1e-12)) + 0.05);
  const span = Math.max(hi - lo, 1);
  const clampLog = (v: number): number => Math.log10(Math.max(v, 10 ** lo));
  const X = (v: number): number => left + ((clampLog(v) - lo) / span) * plotW;
  const Y = (v: number): number => top + plotH - ((clampLog(v) - lo) / span) * plotH;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml('SGD excess loss: predicted (Eq. 6, Eq. 12) vs simulated')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${left + plotW / 2}" y="28" text-anchor="middle" font-size="15">${escapeXml('Stationary excess loss of SGD: predicted vs simulated')}</text>`,
  );
  // Grid and decade ticks.
  out.push('<g stroke="#dddddd" stroke-width="1">');
  for (let d = lo; d <= hi; d++) {
    const x = fmt(X(10 ** d));
    const y = fmt(Y(10 ** d));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}"/>`);
    out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}"/>`);
  }
  out.push('</g>');
  out.push('<g fill="#333333">');
  for (let d = lo; d <= hi; d++) {
    out.push(`<text x="${fmt(X(10 ** d))}" y="${top + plotH + 18}" text-anchor="middle">1e${d}</text>`);
    out.push(`<text x="${left - 8}" y="${fmt(Y(10 ** d) + 4)}" text-anchor="end">1e${d}</text>`);
  }
  out.push('</g>');
  out.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333" stroke-width="1"/>`,
  );
  // The diagonal y = x.
  out.push(
    `<line x1="${fmt(X(10 ** lo))}" y1="${fmt(Y(10 ** lo))}" x2="${fmt(X(10 ** hi))}" y2="${fmt(Y(10 ** hi))}" stroke="#888888" stroke-dasharray="6 4" stroke-width="1.5"/>`,
  );
  // Axis labels.
  out.push(
    `<text x="${left + plotW / 2}" y="${height - 22}" text-anchor="middle" font-size="13">${escapeXml('simulated E f − f* (SGD at stationarity, ±1 SE)')}</text>`,
  );
  out.push(
    `<text transform="translate(24 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml('predicted E f − f*')}</text>`,
  );
  // Points.
  const labels = [...new Set(result.rows.map((r) => r.model))];
  const color = (label: string): string => PALETTE[labels.indexOf(label) % PALETTE.length]!;
  out.push('<g stroke-width="1.5">');
  for (const r of result.rows) {
    const c = color(r.model);
    const { mean, standardError } = r.simulated.excessLoss;
    const x0 = fmt(X(mean - standardError));
    const x1 = fmt(X(mean + standardError));
    const name = `${r.model}, δ=${r.lr}, m=${r.batchSize}`;
    for (const [pred, eq] of [
      [r.eq12, '12'],
      [r.eq6, '6'],
    ] as const) {
      const y = fmt(Y(pred));
      out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="${c}"/>`);
      const tip = `<title>${escapeXml(`${name}: Eq. (${eq}) ${pred.toExponential(3)}, simulated ${mean.toExponential(3)} ± ${standardError.toExponential(2)}`)}</title>`;
      if (eq === '12')
        out.push(`<circle cx="${fmt(X(mean))}" cy="${y}" r="5" fill="${c}" stroke="${c}">${tip}</circle>`);
      else
        out.push(
          `<rect x="${fmt(X(mean) - 7)}" y="${fmt(Number(y) - 7)}" width="14" height="14" fill="none" stroke="${c}">${tip}</rect>`,
        );
    }
  }
  out.push('</g>');
  // Legend.
  const lx = left + plotW + 20;
  let ly = top + 10;
  out.push('<g>');
  out.push(`<circle cx="${lx + 6}" cy="${ly}" r="5" fill="#333333"/>`);
  out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml('Eq. (12): δ/(4m)·tr σ²')}</text>`);
  ly += 20;
  out.push(
    `<rect x="${lx + 1}" y="${ly - 5}" width="10" height="10" fill="none" stroke="#333333" stroke-width="1.5"/>`,
  );
  out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml('Eq. (6): δ/(4m)·Tr H')}</text>`);
  ly += 20;
  out.push(
    `<line x1="${lx}" y1="${ly}" x2="${lx + 12}" y2="${ly}" stroke="#888888" stroke-dasharray="6 4" stroke-width="1.5"/>`,
  );
  out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml('predicted = simulated')}</text>`);
  ly += 30;
  for (const label of labels) {
    out.push(`<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${color(label)}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml(label)}</text>`);
    ly += 20;
  }
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
