// Per-channel passes of training-mode batch normalization over a [rows][C] view of a channels-last
// tensor (C = channels, rows = every other axis).
//
// Why: written with tfjs ops, the forward pass (two moments, a broadcast multiply and add) and the
// hand-derived backward pass (x̂, two channel sums, the dx expression) stream the activation through
// memory about 25 times per layer; these kernels do it in 9 (forward: mean, centred variance, the
// affine map; backward: both sums in one pass, dx in one pass). Batch norm precedes every ReLU of a
// ResNet, so these passes were about a sixth of a training step.
//
// Accuracy: every per-channel sum is taken in blocks of BLOCK rows whose partial sums are then added
// (as in sum_middle_axes.c), and the moments come from the corrected two-pass algorithm, not from
// E[x²] − E[x]², which cancels catastrophically when |mean| >> std.
//
// Works in place on tfjs's heap like conv2d_filter_grad.c: no data segment, no stack, caller-owned
// buffers (scratch sizes as stated per function).

#include "block_sums.h"

#define EXPORT(name) __attribute__((export_name(name)))

// mean[c] = (1/rows) Σ_r x[r][c];  variance[c] = (1/rows) Σ_r (x[r][c] − mean[c])².
// The corrected two-pass algorithm (Chan, Golub & LeVeque 1983): a first pass gives a provisional mean
// m; the second accumulates d = x − m and d², and returns mean = m + Σd/rows and
// variance = (Σd² − (Σd)²/rows)/rows, which removes the first pass's rounding error from both.
// `partial` holds 3·channels floats.
EXPORT("channel_moments")
void channel_moments(const float *x, float *mean, float *variance, float *partial, int rows, int channels) {
  const int vectorChannels = channels & ~3;
  const float scale = 1.0f / (float)rows;
  float *blockSum = partial;
  float *blockSquares = partial + channels;
  float *totalDeviation = partial + 2 * channels;
  for (int c = 0; c < channels; c++) mean[c] = 0.0f;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    sum_block_rows(x + r0 * channels, blockSum, count, channels);
    for (int c = 0; c < channels; c++) mean[c] += blockSum[c];
  }
  for (int c = 0; c < channels; c++) mean[c] *= scale;

  for (int c = 0; c < channels; c++) variance[c] = totalDeviation[c] = 0.0f;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    const float *first = x + r0 * channels;
    for (int c = 0; c < channels; c++) blockSum[c] = blockSquares[c] = 0.0f;
    for (int r = 0; r < count; r++) {
      const float *row = first + r * channels;
      int c = 0;
      for (; c < vectorChannels; c += 4) {
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(row + c), wasm_v128_load(mean + c));
        wasm_v128_store(blockSum + c, wasm_f32x4_add(wasm_v128_load(blockSum + c), d));
        wasm_v128_store(blockSquares + c, wasm_f32x4_add(wasm_v128_load(blockSquares + c), wasm_f32x4_mul(d, d)));
      }
      for (; c < channels; c++) {
        const float d = row[c] - mean[c];
        blockSum[c] += d;
        blockSquares[c] += d * d;
      }
    }
    for (int c = 0; c < channels; c++) {
      totalDeviation[c] += blockSum[c];
      variance[c] += blockSquares[c];
    }
  }
  for (int c = 0; c < channels; c++) {
    const float shift = totalDeviation[c] * scale;
    mean[c] += shift;
    const float v = (variance[c] - totalDeviation[c] * shift) * scale;
    variance[c] = v > 0.0f ? v : 0.0f;
  }
}

// out[r][c] = x[r][c]·a[c] + b[c].
EXPORT("channel_affine")
void channel_affine(const float *x, const float *a, const float *b, float *out, int rows, int channels) {
  const int vectorChannels = channels & ~3;
  for (int r = 0; r < rows; r++) {
    const float *row = x + r * channels;
    float *dst = out + r * channels;
    int c = 0;
    for (; c < vectorChannels; c += 4)
      wasm_v128_store(dst + c, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(row + c), wasm_v128_load(a + c)),
                                              wasm_v128_load(b + c)));
    for (; c < channels; c++) dst[c] = row[c] * a[c] + b[c];
  }
}

// sumDy[c] = Σ_r dy[r][c];  sumDyCentred[c] = Σ_r dy[r][c]·(x[r][c] − mean[c]), in one pass.
// `partial` and `partial2` hold channels floats each.
EXPORT("channel_grad_sums")
void channel_grad_sums(const float *dy, const float *x, const float *mean, float *sumDy, float *sumDyCentred,
                       float *partial, float *partial2, int rows, int channels) {
  const int vectorChannels = channels & ~3;
  for (int c = 0; c < channels; c++) sumDy[c] = sumDyCentred[c] = 0.0f;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    for (int c = 0; c < channels; c++) partial[c] = partial2[c] = 0.0f;
    for (int r = r0; r < r0 + count; r++) {
      const float *g = dy + r * channels;
      const float *row = x + r * channels;
      int c = 0;
      for (; c < vectorChannels; c += 4) {
        const v128_t gv = wasm_v128_load(g + c);
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(row + c), wasm_v128_load(mean + c));
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), gv));
        wasm_v128_store(partial2 + c, wasm_f32x4_add(wasm_v128_load(partial2 + c), wasm_f32x4_mul(gv, d)));
      }
      for (; c < channels; c++) {
        partial[c] += g[c];
        partial2[c] += g[c] * (row[c] - mean[c]);
      }
    }
    for (int c = 0; c < channels; c++) {
      sumDy[c] += partial[c];
      sumDyCentred[c] += partial2[c];
    }
  }
}

// dx[r][c] = k[c]·dy[r][c] + a[c]·(x[r][c] − mean[c]) + b[c]. Centring before scaling keeps the
// result accurate when |mean| >> std.
EXPORT("channel_grad_dx")
void channel_grad_dx(const float *dy, const float *x, const float *mean, const float *k, const float *a,
                     const float *b, float *dx, int rows, int channels) {
  const int vectorChannels = channels & ~3;
  for (int r = 0; r < rows; r++) {
    const float *g = dy + r * channels;
    const float *row = x + r * channels;
    float *dst = dx + r * channels;
    int c = 0;
    for (; c < vectorChannels; c += 4) {
      const v128_t centred = wasm_f32x4_sub(wasm_v128_load(row + c), wasm_v128_load(mean + c));
      const v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(k + c), wasm_v128_load(g + c)),
                                      wasm_f32x4_mul(wasm_v128_load(a + c), centred));
      wasm_v128_store(dst + c, wasm_f32x4_add(v, wasm_v128_load(b + c)));
    }
    for (; c < channels; c++) dst[c] = k[c] * g[c] + a[c] * (row[c] - mean[c]) + b[c];
  }
}
