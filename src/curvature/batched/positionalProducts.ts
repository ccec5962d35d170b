import * as tf from '@tensorflow/tfjs-core';

// A dense or convolutional layer applies one weight matrix W [K, C] at P positions of each example:
// z_{i,p} = u_{i,p}·W (+ b), u_{i,p} the K inputs it reads there (a patch for a convolution). Example i's
// kernel gradient is then Gᵢ = Σₚ u_{i,p} ⊗ δ_{i,p} = Uᵢᵀ Dᵢ, with Uᵢ [P, K] and Dᵢ [P, C].

/**
 * Σ t² over every axis but the first, one value per row: in two stages, first over the middle axes
 * (the backend's reduction over non-innermost axes: on wasm this library's blocked SIMD sum), then over
 * the last axis. One reduction over all of them would be, on wasm, tfjs's single running float32 sum,
 * which over a convolution's 36,864 kernel entries loses the small squares to rounding: a bias of −3e-6
 * relative in ‖gᵢ‖², against −1e-7 for the same gradients summed in float64 (scripts/crosscheck/).
 *
 * @param t - batch first, rank ≥ 2.
 * @returns [B] row sums of squares.
 */
export function rowSquaredNorms(t: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const rows = tf.reshape(tf.square(t), [t.shape[0]!, -1, t.shape[t.rank - 1]!]);
    return tf.sum(tf.sum(rows, 1), 1) as tf.Tensor1D;
  });
}

/**
 * ‖Uᵢᵀ Dᵢ‖²_F for every example, U [B, P, K] and D [B, P, C], by whichever form costs fewer
 * multiplications: the per-example product Gᵢ = UᵢᵀDᵢ (P·K·C per example), or the Gram form
 * Σ_{p,q} (u_p·u_q)(δ_p·δ_q) = ⟨UᵢUᵢᵀ, DᵢDᵢᵀ⟩ (P²·(K + C)), which wins when P is small against K and C
 * (P = 1, a dense layer on vectors, gives ‖uᵢ‖²‖δᵢ‖²).
 *
 * @param u - inputs per position, [B, P, K].
 * @param d - output gradients per position, [B, P, C].
 * @returns [B] squared Frobenius norms.
 */
export function kernelSquaredNorms(u: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const [, p, k] = u.shape;
    const c = d.shape[2];
    if (p === 1) return tf.mul(tf.sum(tf.square(u), [1, 2]), tf.sum(tf.square(d), [1, 2])) as tf.Tensor1D;
    if (p * (k + c) < k * c) {
      const uu = tf.matMul(u, u, false, true);
      const dd = tf.matMul(d, d, false, true);
      return tf.sum(tf.sum(tf.mul(uu, dd), 1), 1) as tf.Tensor1D;
    }
    return rowSquaredNorms(tf.matMul(u, d, true, false));
  });
}

/**
 * Every example's kernel gradient UᵢᵀDᵢ.
 *
 * @param u - inputs per position, [B, P, K].
 * @param d - output gradients per position, [B, P, C].
 * @returns [B, K, C].
 */
export function kernelPerExample(u: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(u, d, true, false);
}

/**
 * Every example's bias gradient Σₚ δ_{i,p}.
 *
 * @param d - output gradients per position, [B, P, C].
 * @returns [B, C].
 */
export function biasPerExample(d: tf.Tensor3D): tf.Tensor2D {
  return tf.sum(d, 1);
}

/**
 * D with every example's rows scaled by its weight: wᵢ·Dᵢ.
 *
 * @param d - output gradients, batch first, any rank ≥ 2.
 * @param w - one weight per example, [B].
 */
export function weightRows(d: tf.Tensor, w: tf.Tensor1D): tf.Tensor {
  return tf.mul(d, tf.reshape(w, [w.shape[0], ...d.shape.slice(1).map(() => 1)]));
}
