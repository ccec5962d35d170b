// Filter gradient of a 2-D convolution (NHWC input, HWIO filter) in WebAssembly SIMD.
//
//   dW[i][j][c][o] = sum over n, h, w of  x[n][sh*h + i - top][sw*w + j - left][c] * dy[n][h][w][o]
//
// Why a kernel of our own: tfjs's wasm backend has no filter-gradient kernel, and composing one from
// XNNPACK convolutions costs three transposes plus XNNPACK re-packing the dy-sized "filter" on every call
// (2.5-4.8x the forward convolution). Here the reduction reads x and dy in place, in NHWC order.
//
// The caller stages x zero-padded in space and in channels (to a multiple of 4) and dy with its channels
// zero-padded to a multiple of 8, so every tap reads a valid address and every tile is full: the inner
// loop has no bounds checks and no remainders. For each output row and tap, a 4x8 block of dW is the sum
// of outer products x[c0..c0+3] (x) dy[o0..o0+7] over the row's pixels; its eight accumulators stay in
// registers while the pixels stream from L1 (one dy row and kh input rows serve all kh*kw taps).
//
// The module imports the memory of tfjs's wasm backend and works on tensors in place: it has no data
// segment and no stack use (scripts/build-wasm.mjs checks both), so it never writes outside the
// buffers it is given. Pointers are byte offsets into that memory. No libc.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

// Accumulates a 4x8 block of dW over `rows` output rows of `pixels` pixels each. Consecutive pixels are
// xStep floats apart in x and 8-float-aligned rows of dy follow each other (dy rows are contiguous);
// successive x rows start xRowStep floats apart.
static inline void tile4x8(const float *x, int xStep, int xRowStep, const float *dy, int dyStep, int rows,
                           int pixels, float *dw, int dwRow) {
  v128_t a00 = wasm_v128_load(dw), a01 = wasm_v128_load(dw + 4);
  v128_t a10 = wasm_v128_load(dw + dwRow), a11 = wasm_v128_load(dw + dwRow + 4);
  v128_t a20 = wasm_v128_load(dw + 2 * dwRow), a21 = wasm_v128_load(dw + 2 * dwRow + 4);
  v128_t a30 = wasm_v128_load(dw + 3 * dwRow), a31 = wasm_v128_load(dw + 3 * dwRow + 4);
  for (int q = 0; q < rows; q++) {
  const float *xp = x + q * xRowStep;
  for (int p = 0; p < pixels; p++) {
    const v128_t d0 = wasm_v128_load(dy);
    const v128_t d1 = wasm_v128_load(dy + 4);
    const v128_t x0 = wasm_v128_load32_splat(xp);
    const v128_t x1 = wasm_v128_load32_splat(xp + 1);
    const v128_t x2 = wasm_v128_load32_splat(xp + 2);
    const v128_t x3 = wasm_v128_load32_splat(xp + 3);
    a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(x0, d0));
    a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(x0, d1));
    a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(x1, d0));
    a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(x1, d1));
    a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(x2, d0));
    a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(x2, d1));
    a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(x3, d0));
    a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(x3, d1));
    xp += xStep;
    dy += dyStep;
  }
  }
  wasm_v128_store(dw, a00);
  wasm_v128_store(dw + 4, a01);
  wasm_v128_store(dw + dwRow, a10);
  wasm_v128_store(dw + dwRow + 4, a11);
  wasm_v128_store(dw + 2 * dwRow, a20);
  wasm_v128_store(dw + 2 * dwRow + 4, a21);
  wasm_v128_store(dw + 3 * dwRow, a30);
  wasm_v128_store(dw + 3 * dwRow + 4, a31);
}

static void fill_zero(float *p, int count) {
  for (int k = 0; k < count; k++) p[k] = 0.0f;
}

// Copies x [n][h][w][c] into xp [n][hp][wp][cp] at offset (top, left) and zeroes the rest of xp.
// Requires cp >= c, hp >= top + h, wp >= left + w.
EXPORT("pad_nhwc")
void pad_nhwc(const float *x, float *xp, int n, int h, int w, int c, int hp, int wp, int cp, int top,
              int left) {
  const int rowLength = wp * cp;
  for (int b = 0; b < n; b++) {
    for (int r = 0; r < hp; r++) {
      float *dst = xp + (b * hp + r) * rowLength;
      const int source = r - top;
      if (source < 0 || source >= h) {
        fill_zero(dst, rowLength);
        continue;
      }
      const float *src = x + ((b * h + source) * w) * c;
      fill_zero(dst, left * cp);
      float *inner = dst + left * cp;
      if (c == cp) {
        for (int k = 0; k < w * c; k++) inner[k] = src[k];
      } else {
        for (int q = 0; q < w; q++) {
          for (int k = 0; k < c; k++) inner[q * cp + k] = src[q * c + k];
          for (int k = c; k < cp; k++) inner[q * cp + k] = 0.0f;
        }
      }
      fill_zero(inner + w * cp, (wp - left - w) * cp);
    }
  }
}

// Copies rows of src [rows][cols] into dst [rows][dstCols] (dstCols >= cols), zero-filling the extra
// columns: dy with its channels padded.
EXPORT("pad_columns")
void pad_columns(const float *src, float *dst, int rows, int cols, int dstCols) {
  for (int r = 0; r < rows; r++) {
    for (int k = 0; k < cols; k++) dst[r * dstCols + k] = src[r * cols + k];
    for (int k = cols; k < dstCols; k++) dst[r * dstCols + k] = 0.0f;
  }
}

// dst [taps][c][o] = the leading c x o block of each tap of src [taps][cp][op]: the padded filter
// gradient cropped to the filter's shape.
EXPORT("crop_filter")
void crop_filter(const float *src, float *dst, int taps, int cp, int op, int c, int o) {
  for (int t = 0; t < taps; t++)
    for (int i = 0; i < c; i++)
      for (int k = 0; k < o; k++) dst[(t * c + i) * o + k] = src[(t * cp + i) * op + k];
}

// dw [kh][kw][cp][op] = filter gradient from the staged xp [n][hp][wp][cp] and dyp [n][ho][wo][op].
// Requires cp % 4 == 0, op % 8 == 0 and a padded input that covers every tap:
// hp >= sh*(ho-1) + kh, wp >= sw*(wo-1) + kw.
EXPORT("conv2d_filter_grad")
void conv2d_filter_grad(const float *xp, const float *dyp, float *dw, int n, int hp, int wp, int cp, int ho,
                        int wo, int op, int kh, int kw, int sh, int sw) {
  fill_zero(dw, kh * kw * cp * op);
  const int xStep = sw * cp;
  const int xRowStep = sh * wp * cp;
  // Output rows per block: about 64 pixels, so that short rows (8x8 feature maps) still amortize loading
  // and storing the accumulators, while the block's dy rows and input rows stay within L1.
  int block = (64 + wo - 1) / wo;
  if (block > ho) block = ho;
  for (int b = 0; b < n; b++) {
    for (int r0 = 0; r0 < ho; r0 += block) {
      const int rows = ho - r0 < block ? ho - r0 : block;
      const float *dyRows = dyp + ((b * ho + r0) * wo) * op;
      for (int i = 0; i < kh; i++) {
        const float *xRow = xp + ((b * hp + r0 * sh + i) * wp) * cp;
        for (int j = 0; j < kw; j++) {
          const float *xTap = xRow + j * cp;
          float *dwTap = dw + ((i * kw + j) * cp) * op;
          for (int c0 = 0; c0 < cp; c0 += 4)
            for (int o0 = 0; o0 < op; o0 += 8)
              tile4x8(xTap + c0, xStep, xRowStep, dyRows + o0, op, rows, wo, dwTap + c0 * op + o0, op);
        }
      }
    }
  }
}
