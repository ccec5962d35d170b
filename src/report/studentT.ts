/** Student's t and the standard normal distribution: CDFs and two-sided critical values for the claims. */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz), valid for x < (a+1)/(a+b+2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) return h;
  }
  throw new Error(`betaContinuedFraction: no convergence for a = ${a}, b = ${b}, x = ${x}`);
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, x ∈ [0, 1]. */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Degrees of freedom above which the t distribution is replaced by the normal (difference < 1e-6). */
const NORMAL_LIMIT_DF = 1e7;

/** The standard normal CDF Φ(z) = ½(1 + sign(z)·P(½, z²/2)), P the regularized lower incomplete gamma function. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('normalCdf: z is NaN');
  if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
  // P(½, y) (regularized lower gamma) by its series, or its continued fraction for large y.
  const y = (z * z) / 2;
  let lower: number;
  if (y < 1.5) {
    let term = 1 / 0.5;
    let sum = term;
    for (let k = 1; k < 500; k++) {
      term *= y / (0.5 + k);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    lower = sum * Math.exp(-y + 0.5 * Math.log(y) - logGamma(0.5));
  } else {
    // Q(½, y) by Lentz's continued fraction.
    const tiny = 1e-300;
    let b = y + 0.5;
    let c = 1 / tiny;
    let d = 1 / b;
    let h = d;
    for (let i = 1; i < 500; i++) {
      const an = -i * (i - 0.5);
      b += 2;
      d = an * d + b;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = b + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      const step = d * c;
      h *= step;
      if (Math.abs(step - 1) < 1e-16) break;
    }
    lower = 1 - Math.exp(-y + 0.5 * Math.log(y) - logGamma(0.5)) * h;
  }
  return z >= 0 ? 0.5 * (1 + lower) : 0.5 * (1 - lower);
}

/**
 * The CDF of Student's t distribution with `df` degrees of freedom (the normal CDF for df = ∞).
 *
 * @param t - the point.
 * @param df - degrees of freedom, > 0 (need not be an integer), or Infinity.
 * @throws RangeError naming the argument when df is not positive or t is NaN.
 */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError('studentTCdf: t is NaN');
  if (df >= NORMAL_LIMIT_DF) return normalCdf(t);
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The two-sided critical value of Student's t: the c with P(|T| ≤ c) = `level` for T ~ t(df) (the normal's
 * for df = ∞), e.g. 12.706 for df = 1, 1.95996 for df = ∞ at level 0.95.
 *
 * @param level - the coverage, in (0, 1).
 * @param df - degrees of freedom, > 0, or Infinity.
 * @throws RangeError naming the argument when level is outside (0, 1) or df is not positive.
 */
export function studentTCritical(level: number, df: number): number {
  if (!(level > 0 && level < 1))
    throw new RangeError(`studentTCritical: level must be in (0, 1), got ${level}`);
  if (!(df > 0)) throw new RangeError(`studentTCritical: df must be > 0, got ${df}`);
  const target = 0.5 + level / 2;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < target) hi *= 2;
  // Bisection to float64 resolution: the CDF is monotone, so this cannot fail.
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
