// Shared by the kernels that reduce over rows of a [rows][cols] view: one block of the blocked
// summation their accuracy rests on (see sum_middle_axes.c).

#ifndef SGD_FACTORS_BLOCK_SUMS_H
#define SGD_FACTORS_BLOCK_SUMS_H

#include <wasm_simd128.h>

// Rows per block: each output is a sum of rows/BLOCK block sums of BLOCK terms, so its rounding error
// grows like (BLOCK + rows/BLOCK)·u instead of rows·u for one running sum.
#define BLOCK 64

// partial[c] = Σ_{r < count} first[r·cols + c], for count ≥ 1.
static inline void sum_block_rows(const float *first, float *partial, int count, int cols) {
  const int vectorCols = cols & ~3;
  for (int c = 0; c < cols; c++) partial[c] = first[c];
  for (int r = 1; r < count; r++) {
    const float *row = first + r * cols;
    int c = 0;
    for (; c < vectorCols; c += 4)
      wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), wasm_v128_load(row + c)));
    for (; c < cols; c++) partial[c] += row[c];
  }
}

#endif
