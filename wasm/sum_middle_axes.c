// Sum over a contiguous block of middle axes: dst[o][c] = sum over r of src[o][r][c], for a tensor viewed
// as [outer][rows][cols] with cols > 1.
//
// Why: tfjs's wasm Sum transposes the tensor so that the reduced axes come last, then sums; for a bias
// gradient (sum over N, H, W of an NHWC tensor) the transpose alone reads and writes the whole tensor
// with a strided loop. Here the rows stream through once, in memory order.
//
// Accuracy: rows are summed in blocks of BLOCK into `partial` (block_sums.h), and each block's sums are
// added to dst.
//
// Works in place on tfjs's heap like conv2d_filter_grad.c: no data segment, no stack, caller-owned
// buffers (dst and partial hold cols floats each).

#include "block_sums.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("sum_middle_axes")
void sum_middle_axes(const float *src, float *dst, float *partial, int outer, int rows, int cols) {
  for (int o = 0; o < outer; o++) {
    const float *block = src + o * rows * cols;
    float *out = dst + o * cols;
    for (int c = 0; c < cols; c++) out[c] = 0.0f;
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
      const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
      sum_block_rows(block + r0 * cols, partial, count, cols);
      for (int c = 0; c < cols; c++) out[c] += partial[c];
    }
  }
}
