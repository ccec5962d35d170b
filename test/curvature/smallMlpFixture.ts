// A one-hidden-layer tanh network as a tfjs model, with its logits recomputed in plain float64 JS from the
// model's own weights: the oracle for the GGN / Fisher tests (derivatives by central differences).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from '../../src/data/dataset.js';
import { createRng } from '../../src/util/random.js';

export interface SmallMlp {
  model: tfl.LayersModel;
  data: Dataset;
  /** Inputs as float64 rows. */
  x: Float64Array[];
  labels: number[];
  /** Flat float64 parameters in `trainableWeights` order (kernel1 [d,h], bias1, kernel2 [h,k], bias2). */
  theta: Float64Array;
  d: number;
  h: number;
  k: number;
  dispose(): void;
}

/** d → h (tanh) → k, softmax or linear (logits) output; n examples with random labels. */
export function smallMlp(output: 'softmax' | 'linear', seed = 1, n = 6, d = 3, h = 4, k = 3): SmallMlp {
  const rng = createRng(seed);
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, d] }),
      tfl.layers.dense({ units: h, activation: 'tanh' }),
      tfl.layers.dense({ units: k, activation: output }),
    ],
  });
  const shapes = [[d, h], [h], [h, k], [k]];
  const weights = shapes.map((s) => {
    const size = s.reduce((a, b) => a * b, 1);
    return tf.tensor(
      Float32Array.from({ length: size }, () => 0.8 * rng.normal()),
      s,
    );
  });
  model.setWeights(weights);
  tf.dispose(weights);
  const xs = Float32Array.from({ length: n * d }, () => rng.normal());
  const labels = Array.from({ length: n }, () => rng.int(k));
  const data: Dataset = {
    images: tf.tensor4d(xs, [n, 1, 1, d]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: k,
  };
  const theta = Float64Array.from(model.trainableWeights.flatMap((w) => Array.from(w.read().dataSync())));
  const x = Array.from({ length: n }, (_, i) => Float64Array.from(xs.subarray(i * d, (i + 1) * d)));
  return {
    model,
    data,
    x,
    labels,
    theta,
    d,
    h,
    k,
    dispose() {
      tf.dispose([data.images, data.labels]);
      model.dispose();
    },
  };
}

/** The logits z(θ; x) of the network in float64. */
export function logits64(m: SmallMlp, theta: Float64Array, x: Float64Array): Float64Array {
  const { d, h, k } = m;
  const b1 = d * h;
  const w2 = b1 + h;
  const b2 = w2 + h * k;
  const hidden = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let s = theta[b1 + j]!;
    for (let a = 0; a < d; a++) s += x[a]! * theta[a * h + j]!;
    hidden[j] = Math.tanh(s);
  }
  const z = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = theta[b2 + c]!;
    for (let j = 0; j < h; j++) s += hidden[j]! * theta[w2 + j * k + c]!;
    z[c] = s;
  }
  return z;
}

export function softmax64(z: Float64Array): Float64Array {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Central-difference Jacobian (rows = outputs, cols = parameters) of a float64 function of θ. */
export function jacobian64(
  f: (theta: Float64Array) => Float64Array,
  theta: Float64Array,
  step = 1e-6,
): Float64Array[] {
  const D = theta.length;
  const cols: Float64Array[] = [];
  const t = Float64Array.from(theta);
  for (let q = 0; q < D; q++) {
    t[q] = theta[q]! + step;
    const plus = f(t);
    t[q] = theta[q]! - step;
    const minus = f(t);
    t[q] = theta[q]!;
    cols.push(plus.map((v, c) => (v - minus[c]!) / (2 * step)));
  }
  const rows = cols[0]!.length;
  return Array.from({ length: rows }, (_, c) => Float64Array.from(cols, (col) => col[c]!));
}

/** An operator's dense matrix (row-major) from its products with the unit vectors. */
export async function denseOf(op: {
  dim: number;
  matvec(v: Float64Array): Promise<Float64Array>;
}): Promise<Float64Array> {
  const D = op.dim;
  const out = new Float64Array(D * D);
  for (let q = 0; q < D; q++) {
    const e = new Float64Array(D);
    e[q] = 1;
    const col = await op.matvec(e);
    for (let r = 0; r < D; r++) out[r * D + q] = col[r]!;
  }
  return out;
}

/** (1/n)Σ Jᵢᵀ(diag p − ppᵀ)Jᵢ with Jᵢ by float64 central differences of the logits. */
export function ggnReference(m: ReturnType<typeof smallMlp>): Float64Array {
  const D = m.theta.length;
  const n = m.x.length;
  const G = new Float64Array(D * D);
  for (const x of m.x) {
    const J = jacobian64((t) => logits64(m, t, x), m.theta);
    const p = softmax64(logits64(m, m.theta, x));
    for (let a = 0; a < m.k; a++) {
      for (let b = 0; b < m.k; b++) {
        const mab = (a === b ? p[a]! : 0) - p[a]! * p[b]!;
        if (mab === 0) continue;
        for (let r = 0; r < D; r++)
          for (let c = 0; c < D; c++) G[r * D + c]! += (J[a]![r]! * mab * J[b]![c]!) / n;
      }
    }
  }
  return G;
}
