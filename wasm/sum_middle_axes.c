// Sum over a contiguous block of middle axes: dst[o][c] = sum over r of src[o][r][c], for a tensor viewed
// as [outer][rows][cols] with cols > 1.
//
// Why: tfjs's wasm Sum transposes the tensor so that the reduced axes come last, then sums; for a bias
// gradient (sum over N, H, W of an NHWC tensor) the transpose alone reads and writes the whole tensor
// with a strided loop. Here the rows stream through once, in memory order.
//
// Accuracy: rows are summed in blocks of BLOCK into `partial`, and each block's sums are added to dst,
// so each output is a sum of rows/BLOCK partial sums of BLOCK terms (error grows like
// (BLOCK + rows/BLOCK)·u rather than rows·u for one running sum).
//
// Works in place on tfjs's heap like conv2d_filter_grad.c: no data segment, no stack, caller-owned
// buffers (dst and partial hold cols floats each).

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define BLOCK 64

EXPORT("sum_middle_axes")
void sum_middle_axes(const float *src, float *dst, float *partial, int outer, int rows, int cols) {
  const int vectorCols = cols & ~3;
  for (int o = 0; o < outer; o++) {
    const float *block = src + o * rows * cols;
    float *out = dst + o * cols;
    for (int c = 0; c < cols; c++) out[c] = 0.0f;
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
      const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
      const float *first = block + r0 * cols;
      for (int c = 0; c < cols; c++) partial[c] = first[c];
      for (int r = 1; r < count; r++) {
        const float *row = first + r * cols;
        int c = 0;
        for (; c < vectorCols; c += 4)
          wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), wasm_v128_load(row + c)));
        for (; c < cols; c++) partial[c] += row[c];
      }
      for (int c = 0; c < cols; c++) out[c] += partial[c];
    }
  }
}
