/** Escapes text for use in XML character data and in double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A number for an SVG attribute: at most 2 decimals, no exponent, no trailing zeros. */
export function svgNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`svgNumber: ${x} is not finite`);
  const rounded = Math.round(x * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
