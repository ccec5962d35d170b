import type { Rng } from '../util/random.js';

/** Shape and difficulty of synthetic CIFAR-like images (see {@link SyntheticCifar10Options}). */
export interface SyntheticImageSpec {
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Channels per pixel. */
  channels: number;
  /** Number of classes, each with its own template. */
  numClasses: number;
  /** Standard deviation of the per-pixel Gaussian noise, relative to the (unit) template RMS. */
  noise: number;
  /** Each image shows its class template shifted by up to this many pixels on each axis. */
  maxShift: number;
}

/**
 * Pixel values are scaled by this factor, so that with noise 0 a pixel has RMS about 0.25: about
 * that of CIFAR-10 pixels scaled to [0, 1], so learning rates tuned on one carry over to the other.
 */
export const SYNTHETIC_PIXEL_SCALE = 0.25;

/**
 * Relative weights of the three parts of a class template. Colour and texture are translation invariant,
 * so even a small network that pools globally can tell classes apart; the layout rewards networks that
 * keep spatial information.
 */
const COLOUR_WEIGHT = 0.5;
const TEXTURE_WEIGHT = 1;
const LAYOUT_WEIGHT = 0.7;

/** Grid sizes of the random coarse patterns that are upsampled and summed into the layout part. */
const LAYOUT_GRIDS: readonly { cells: number; weight: number }[] = [
  { cells: 3, weight: 1 },
  { cells: 6, weight: 0.5 },
];

/** Validates a spec, naming the offending option of `caller`. */
export function checkSyntheticSpec(caller: string, spec: SyntheticImageSpec): void {
  for (const key of ['height', 'width', 'channels', 'numClasses'] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`${caller}: ${key} must be a positive integer, got ${v}`);
  }
  if (spec.numClasses < 2)
    throw new RangeError(`${caller}: numClasses must be at least 2, got ${spec.numClasses}`);
  if (!(spec.noise >= 0) || !Number.isFinite(spec.noise))
    throw new RangeError(`${caller}: noise must be a finite number ≥ 0, got ${spec.noise}`);
  if (!Number.isInteger(spec.maxShift) || spec.maxShift < 0)
    throw new RangeError(`${caller}: maxShift must be a non-negative integer, got ${spec.maxShift}`);
}

/**
 * One random pattern per class (HWC, scaled to unit root-mean-square over its pixels), the sum of
 * - a class colour: a random per-channel offset;
 * - a texture: a plane wave of random frequency (0.08–0.3 cycles per pixel), orientation and phase, with a
 *   random per-channel amplitude;
 * - a layout: coarse Gaussian grids bilinearly upsampled, so neighbouring pixels are correlated as in
 *   natural images.
 */
export function makeTemplates(rng: Rng, spec: SyntheticImageSpec): Float32Array[] {
  const { height: h, width: w, channels: c } = spec;
  const templates: Float32Array[] = [];
  for (let k = 0; k < spec.numClasses; k++) {
    const t = new Float64Array(h * w * c);
    const colour = Array.from({ length: c }, () => COLOUR_WEIGHT * rng.normal());
    const amplitude = Array.from({ length: c }, () => TEXTURE_WEIGHT * rng.normal());
    const frequency = 2 * Math.PI * (0.08 + 0.22 * rng.next());
    const angle = Math.PI * rng.next();
    const phase = 2 * Math.PI * rng.next();
    const fy = frequency * Math.sin(angle);
    const fx = frequency * Math.cos(angle);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const wave = Math.cos(fy * y + fx * x + phase);
        for (let ch = 0; ch < c; ch++)
          t[(y * w + x) * c + ch] = (colour[ch] as number) + (amplitude[ch] as number) * wave;
      }
    for (const { cells, weight } of LAYOUT_GRIDS) {
      const grid = new Float64Array((cells + 1) * (cells + 1) * c);
      for (let i = 0; i < grid.length; i++) grid[i] = LAYOUT_WEIGHT * weight * rng.normal();
      for (let y = 0; y < h; y++) {
        const gy = (y / Math.max(h - 1, 1)) * cells;
        const y0 = Math.min(Math.floor(gy), cells - 1);
        const ty = gy - y0;
        for (let x = 0; x < w; x++) {
          const gx = (x / Math.max(w - 1, 1)) * cells;
          const x0 = Math.min(Math.floor(gx), cells - 1);
          const tx = gx - x0;
          for (let ch = 0; ch < c; ch++) {
            const at = (yy: number, xx: number): number => grid[(yy * (cells + 1) + xx) * c + ch] as number;
            const v =
              (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x0 + 1)) +
              ty * ((1 - tx) * at(y0 + 1, x0) + tx * at(y0 + 1, x0 + 1));
            const i = (y * w + x) * c + ch;
            t[i] = (t[i] as number) + v;
          }
        }
      }
    }
    let sq = 0;
    for (const v of t) sq += v * v;
    const rms = Math.sqrt(sq / t.length) || 1;
    templates.push(Float32Array.from(t, (v) => v / rms));
  }
  return templates;
}

/**
 * Labels 0, 1, …, numClasses−1, 0, 1, … (balanced to within one) in a random order.
 */
export function balancedLabels(rng: Rng, n: number, numClasses: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % numClasses;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = labels[i] as number;
    labels[i] = labels[j] as number;
    labels[j] = t;
  }
  return labels;
}

/**
 * Adds `scale` times independent standard normal draws to `out[offset … offset+count)`. A local sfc32
 * stream seeded from `rng` and Marsaglia's polar method, inlined: several times faster than calling
 * `rng.normal()` per pixel, which matters at 30 million pixels per 10,000 images.
 */
export function addGaussian(rng: Rng, out: Float32Array, offset: number, count: number, scale: number): void {
  let a = Math.floor(rng.next() * 4294967296) >>> 0;
  let b = Math.floor(rng.next() * 4294967296) >>> 0;
  let c = Math.floor(rng.next() * 4294967296) >>> 0;
  let d = 1;
  const end = offset + count;
  let i = offset;
  while (i < end) {
    let t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    const u = t / 2147483648 - 1;
    t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    const v = t / 2147483648 - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = scale * Math.sqrt((-2 * Math.log(s)) / s);
    out[i] = (out[i] as number) + u * f;
    i++;
    if (i < end) {
      out[i] = (out[i] as number) + v * f;
      i++;
    }
  }
}

/**
 * Writes one image (HWC) into `out` at `offset`: the class template, shifted by a random offset (edges
 * clamped), times a random contrast in [0.75, 1.25], plus Gaussian noise, all scaled by
 * {@link SYNTHETIC_PIXEL_SCALE}.
 */
export function drawImage(
  rng: Rng,
  template: Float32Array,
  spec: SyntheticImageSpec,
  out: Float32Array,
  offset: number,
): void {
  const { height: h, width: w, channels: c, noise, maxShift } = spec;
  const dy = maxShift > 0 ? rng.int(2 * maxShift + 1) - maxShift : 0;
  const dx = maxShift > 0 ? rng.int(2 * maxShift + 1) - maxShift : 0;
  const contrast = SYNTHETIC_PIXEL_SCALE * (0.75 + 0.5 * rng.next());
  let o = offset;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max(y + dy, 0), h - 1);
    for (let x = 0; x < w; x++) {
      const sx = Math.min(Math.max(x + dx, 0), w - 1);
      const from = (sy * w + sx) * c;
      for (let ch = 0; ch < c; ch++) out[o++] = contrast * (template[from + ch] as number);
    }
  }
  if (noise > 0) addGaussian(rng, out, offset, h * w * c, SYNTHETIC_PIXEL_SCALE * noise);
}
