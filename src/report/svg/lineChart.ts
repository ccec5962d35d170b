import { formatTick, makeScale, type Scale, type ScaleOptions } from './ticks.js';
import { escapeXml, svgNumber } from './xml.js';

/** A data point; `error` draws a ± error bar. Non-finite points break the line. */
export interface ChartPoint {
  /** Horizontal data value. */
  x: number;
  /** Vertical data value. */
  y: number;
  /** Half-length of the error bar (e.g. a standard error). */
  error?: number;
}

/** One line of a chart. */
export interface ChartSeries {
  /** Name (used as a tooltip title). */
  name: string;
  /** Stroke color. */
  color: string;
  /** Points in drawing order. */
  points: ChartPoint[];
  /** SVG stroke-dasharray, e.g. `4 3`. */
  dash?: string;
  /** Draw a dot at each point. */
  markers?: boolean;
  /** Stroke opacity in (0, 1]; default 0.9. */
  opacity?: number;
}

/** One panel of a figure: axes, grid, and its series. */
export interface ChartPanel {
  /** Title above the plot. */
  title: string;
  /** Label of the x axis. */
  xLabel: string;
  /** Label of the y axis. */
  yLabel: string;
  /** x scale options (type, fixed domain or ticks). */
  x?: ScaleOptions;
  /** y scale options. */
  y?: ScaleOptions;
  /** The lines. */
  series: ChartSeries[];
}

/** An entry of a figure's legend. */
export interface LegendEntry {
  /** Text. */
  label: string;
  /** Line color. */
  color: string;
  /** Line dash. */
  dash?: string;
}

/** A figure: a title, panels in a grid, one legend. */
export interface ChartFigure {
  /** Title at the top. */
  title: string;
  /** The panels, row by row. */
  panels: ChartPanel[];
  /** Legend entries (shown at the right); none when empty. */
  legend: LegendEntry[];
  /** Title of the legend. */
  legendTitle?: string;
  /** Panels per row; default all in one row. */
  columns?: number;
  /** Width of each panel in pixels; default 440. */
  panelWidth?: number;
  /** Height of each panel in pixels; default 320. */
  panelHeight?: number;
}

const MARGIN = { left: 68, right: 16, top: 30, bottom: 46 };
const TITLE_HEIGHT = 34;
/** Approximate width of a character of the 12 px sans-serif font, to size the legend. */
const CHAR_WIDTH = 6.8;
const LEGEND_LINE = 18;

function allPoints(panel: ChartPanel): ChartPoint[] {
  return panel.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

function panelScales(panel: ChartPanel, width: number, height: number): { x: Scale; y: Scale } {
  const points = allPoints(panel);
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) =>
    p.error !== undefined && Number.isFinite(p.error) ? [p.y - p.error, p.y + p.error] : [p.y],
  );
  const x = makeScale(xs.length ? xs : [0, 1], MARGIN.left, width - MARGIN.right, panel.x);
  const y = makeScale(ys.length ? ys : [0, 1], height - MARGIN.bottom, MARGIN.top, panel.y);
  return { x, y };
}

function segments(series: ChartSeries, x: Scale, y: Scale): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const p of series.points) {
    const ok = Number.isFinite(p.x) && Number.isFinite(p.y) && (!x.log || p.x > 0) && (!y.log || p.y > 0);
    if (!ok) {
      if (current.length) out.push(current);
      current = [];
      continue;
    }
    current.push(`${svgNumber(x(p.x))},${svgNumber(y(p.y))}`);
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * Renders one panel as an SVG `<g>` of the given size at the given offset: frame, grid lines, ticks with
 * labels, axis labels, title, then the series (clipped to the plot area) with optional markers and error
 * bars.
 *
 * @param panel - what to draw.
 * @param id - a unique id for the panel's clip path.
 * @param offset - top-left corner in the figure.
 * @param size - width and height in pixels.
 */
export function renderPanel(
  panel: ChartPanel,
  id: string,
  offset: { x: number; y: number },
  size: { width: number; height: number },
): string {
  const { width, height } = size;
  const { x, y } = panelScales(panel, width, height);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const out: string[] = [];
  out.push(`<g class="panel" transform="translate(${svgNumber(offset.x)},${svgNumber(offset.y)})">`);
  out.push(
    `<text x="${svgNumber((left + right) / 2)}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  out.push(
    `<rect x="${left}" y="${top}" width="${svgNumber(right - left)}" height="${svgNumber(bottom - top)}" fill="#ffffff" stroke="#999999"/>`,
  );
  for (const t of x.ticks) {
    const px = svgNumber(x(t));
    out.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${svgNumber(bottom)}" stroke="#e6e6e6"/>`);
    out.push(
      `<line x1="${px}" y1="${svgNumber(bottom)}" x2="${px}" y2="${svgNumber(bottom + 5)}" stroke="#666666"/>`,
    );
    out.push(
      `<text x="${px}" y="${svgNumber(bottom + 18)}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of y.ticks) {
    const py = svgNumber(y(t));
    out.push(`<line x1="${left}" y1="${py}" x2="${svgNumber(right)}" y2="${py}" stroke="#e6e6e6"/>`);
    out.push(`<line x1="${left - 5}" y1="${py}" x2="${left}" y2="${py}" stroke="#666666"/>`);
    out.push(
      `<text x="${left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  out.push(
    `<text x="${svgNumber((left + right) / 2)}" y="${svgNumber(height - 8)}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16,${svgNumber((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  out.push(
    `<clipPath id="${escapeXml(id)}"><rect x="${left}" y="${top}" width="${svgNumber(right - left)}" height="${svgNumber(bottom - top)}"/></clipPath>`,
  );
  out.push(`<g clip-path="url(#${escapeXml(id)})">`);
  for (const series of panel.series) {
    const stroke = `stroke="${escapeXml(series.color)}" stroke-opacity="${series.opacity ?? 0.9}"`;
    const dash = series.dash ? ` stroke-dasharray="${escapeXml(series.dash)}"` : '';
    out.push(`<g class="series"><title>${escapeXml(series.name)}</title>`);
    for (const segment of segments(series, x, y))
      out.push(`<polyline fill="none" stroke-width="1.6" ${stroke}${dash} points="${segment.join(' ')}"/>`);
    for (const p of series.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || (x.log && p.x <= 0) || (y.log && p.y <= 0))
        continue;
      const px = svgNumber(x(p.x));
      if (p.error !== undefined && Number.isFinite(p.error) && p.error > 0) {
        const lo = y.log ? Math.max(p.y - p.error, p.y / 1e6) : p.y - p.error;
        const y1 = svgNumber(y(lo));
        const y2 = svgNumber(y(p.y + p.error));
        const cap = (yy: string) =>
          `<line x1="${svgNumber(x(p.x) - 4)}" y1="${yy}" x2="${svgNumber(x(p.x) + 4)}" y2="${yy}" ${stroke}/>`;
        out.push(`<line x1="${px}" y1="${y1}" x2="${px}" y2="${y2}" ${stroke}/>${cap(y1)}${cap(y2)}`);
      }
      if (series.markers)
        out.push(`<circle cx="${px}" cy="${svgNumber(y(p.y))}" r="3" fill="${escapeXml(series.color)}"/>`);
    }
    out.push('</g>');
  }
  out.push('</g>');
  out.push('</g>');
  return out.join('\n');
}

/**
 * Renders a figure as a standalone SVG document (no browser or DOM needed): a title, the panels in a grid,
 * and a legend at the right.
 *
 * @param figure - the figure.
 * @returns the SVG text, starting with an XML declaration.
 */
export function renderFigure(figure: ChartFigure): string {
  const panelWidth = figure.panelWidth ?? 440;
  const panelHeight = figure.panelHeight ?? 320;
  const columns = Math.max(1, Math.min(figure.columns ?? figure.panels.length, figure.panels.length));
  const rows = Math.ceil(figure.panels.length / columns);
  const legendHeight = figure.legend.length * LEGEND_LINE + (figure.legendTitle ? LEGEND_LINE + 4 : 0) + 8;
  const longest = Math.max(
    (figure.legendTitle ?? '').length,
    ...figure.legend.map((entry) => entry.label.length + 5),
  );
  const legendWidth = figure.legend.length ? Math.ceil(24 + longest * CHAR_WIDTH) : 0;
  const width = columns * panelWidth + legendWidth;
  const height = TITLE_HEIGHT + Math.max(rows * panelHeight, legendHeight + 20);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${svgNumber(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(figure.title)}</text>`,
  ];
  figure.panels.forEach((panel, i) => {
    const offset = { x: (i % columns) * panelWidth, y: TITLE_HEIGHT + Math.floor(i / columns) * panelHeight };
    out.push(renderPanel(panel, `clip-${i}`, offset, { width: panelWidth, height: panelHeight }));
  });
  if (figure.legend.length) {
    const lx = columns * panelWidth + 8;
    let ly = TITLE_HEIGHT + MARGIN.top + 4;
    out.push('<g class="legend">');
    if (figure.legendTitle) {
      out.push(`<text x="${lx}" y="${ly}" font-weight="bold">${escapeXml(figure.legendTitle)}</text>`);
      ly += LEGEND_LINE + 4;
    }
    for (const entry of figure.legend) {
      const dash = entry.dash ? ` stroke-dasharray="${escapeXml(entry.dash)}"` : '';
      out.push(
        `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 24}" y2="${ly - 4}" stroke="${escapeXml(entry.color)}" stroke-width="2.5"${dash}/>`,
      );
      out.push(`<text x="${lx + 30}" y="${ly}">${escapeXml(entry.label)}</text>`);
      ly += LEGEND_LINE;
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
