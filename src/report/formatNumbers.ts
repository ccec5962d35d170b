/** Groups the integer part in thousands: 22398330 → `22,398,330`. */
function group(text: string): string {
  const [int, frac] = text.split('.');
  const sign = int?.startsWith('-') ? '-' : '';
  const digits = (int ?? '').replace('-', '');
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/**
 * A number with `digits` significant digits for tables: thousands grouped (`22,398,330`), exponent notation
 * below 0.001; `–` when not finite.
 */
export function formatSignificant(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  if (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e15) return value.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return group(value.toFixed(decimals));
}

/** A number in its shortest form at 6 significant digits, thousands grouped: 1250 → `1,250`, 0.08 → `0.08`. */
export function formatPlain(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const short = String(Number(value.toPrecision(6)));
  return short.includes('e') ? short : group(short);
}

/**
 * `mean ± standardError` rounded to the precision the error supports (two significant digits of the error),
 * e.g. `22,398,000 ± 1,200` or `8.1 ± 0.31`; the mean alone (4 significant digits) when the error is 0
 * (an exact value), `mean ± ?` when it is unknown (NaN, null or infinite).
 */
export function formatWithError(mean: number, standardError: number | null): string {
  if (!Number.isFinite(mean)) return '–';
  if (standardError === 0) return formatSignificant(mean);
  if (standardError === null || !Number.isFinite(standardError) || standardError < 0)
    return `${formatSignificant(mean)} ± ?`;
  const exponent = Math.floor(Math.log10(standardError)) - 1;
  if (Math.abs(mean) < 1e-3 && Math.abs(mean) > 0) {
    const power = Math.floor(Math.log10(Math.abs(mean)));
    const scale = 10 ** power;
    const decimals = Math.max(0, power - exponent);
    return `(${(mean / scale).toFixed(decimals)} ± ${(standardError / scale).toFixed(decimals)})e${power}`;
  }
  const decimals = Math.max(0, -exponent);
  const round = (x: number) => (exponent > 0 ? Math.round(x / 10 ** exponent) * 10 ** exponent : x);
  return `${group(round(mean).toFixed(decimals))} ± ${group(round(standardError).toFixed(decimals))}`;
}
