/** A scale maps data values to pixel positions. */
export interface Scale {
  /** Data value → pixel. */
  (value: number): number;
  /** The data domain [min, max] the scale spans. */
  domain: [number, number];
  /** Tick values inside the domain. */
  ticks: number[];
  /** Whether the scale is logarithmic. */
  log: boolean;
}

/** A "nice" step (1, 2 or 5 × 10^k) near `range / count`. */
function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
}

/**
 * A domain that contains [min, max] with round ends, and about `count` round ticks inside it.
 *
 * @param min - smallest data value.
 * @param max - largest data value.
 * @param count - the number of ticks wanted (approximately).
 */
export function niceLinearTicks(
  min: number,
  max: number,
  count = 5,
): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new RangeError(`niceLinearTicks: [${min}, ${max}] is not finite`);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep(max - min, count);
  const tidy = (x: number) => Number(x.toPrecision(12));
  const lo = tidy(Math.floor(min / step + 1e-9) * step);
  const hi = tidy(Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(tidy(lo + i * step));
  return { domain: [lo, hi], ticks };
}

/**
 * Ticks for a logarithmic axis over [min, max] (both positive): the powers of ten inside, or, when there are
 * fewer than two, 1-2-5 multiples of them.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) throw new RangeError(`logTicks: [${min}, ${max}] must be positive`);
  const ticks: number[] = [];
  for (const multiples of [[1], [1, 2, 5]]) {
    ticks.length = 0;
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of multiples) {
        const t = Number((m * 10 ** e).toPrecision(12));
        if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push(t);
      }
    if (ticks.length >= 2) break;
  }
  return ticks;
}

/** Options of {@link makeScale}. */
export interface ScaleOptions {
  /** `linear` (default) or `log`. */
  type?: 'linear' | 'log';
  /** A fixed domain instead of one fitted to the data. */
  domain?: [number, number];
  /** Fixed ticks instead of computed ones. */
  ticks?: number[];
  /** Keep only whole-number ticks (e.g. for epochs). */
  integer?: boolean;
}

/**
 * A scale fitted to the data values, mapping to the pixel range [from, to] (to may be less than from, as for
 * a y axis).
 *
 * @throws RangeError when a log scale gets a non-positive value or there is no finite value.
 */
export function makeScale(
  values: readonly number[],
  from: number,
  to: number,
  options: ScaleOptions = {},
): Scale {
  const log = options.type === 'log';
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0 && !options.domain) throw new RangeError('makeScale: no finite data value to fit');
  const min = options.domain ? options.domain[0] : Math.min(...finite);
  const max = options.domain ? options.domain[1] : Math.max(...finite);
  let domain: [number, number];
  let ticks: number[];
  if (log) {
    if (!(min > 0)) throw new RangeError(`makeScale: a log scale needs positive values, got ${min}`);
    const pad = min === max ? 2 : 1.15;
    domain = options.domain ?? [min / pad, max * pad];
    ticks = options.ticks ?? logTicks(domain[0], domain[1]);
  } else {
    const nice = niceLinearTicks(min, max);
    domain = options.domain ?? nice.domain;
    ticks =
      options.ticks ??
      (options.domain ? niceLinearTicks(min, max).ticks.filter((t) => t >= min && t <= max) : nice.ticks);
  }
  if (options.integer && !options.ticks) ticks = ticks.filter((t) => Number.isInteger(t));
  const [d0, d1] = domain;
  const transform = log ? Math.log : (v: number) => v;
  const t0 = transform(d0);
  const span = transform(d1) - t0 || 1;
  const scale = ((value: number) => from + ((transform(value) - t0) / span) * (to - from)) as Scale;
  scale.domain = domain;
  scale.ticks = ticks;
  scale.log = log;
  return scale;
}

/** A tick label: short, exact for round numbers, exponent notation for very large or small ones. */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    const [mantissa, exponent] = value.toExponential(2).split('e');
    return `${Number(mantissa)}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(6)));
}
