// The ReLU gradient dx = dy · [x > 0] in one pass.
//
// Why: tfjs computes it as mul(dy, cast(step(x))), three passes over the activation (the cast copies),
// after every ReLU of the network, and again inside a Hessian-vector product's second backward pass.
// Bitwise what tfjs computes: dy times step(x), with step(x) = 1 for x > 0, NaN for NaN, else 0 — so
// NaN or ±∞ in dy still propagate (∞·0 = NaN) and zeros keep their sign.
//
// Works in place on tfjs's heap like conv2d_filter_grad.c: no data segment, no stack.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("relu_backprop")
void relu_backprop(const float *dy, const float *x, float *dx, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t xv = wasm_v128_load(x + i);
    const v128_t positive = wasm_f32x4_gt(xv, zero);
    const v128_t nan = wasm_f32x4_ne(xv, xv);
    // step(x): 1.0 where x > 0, x itself (a NaN) where x is NaN, +0 elsewhere.
    const v128_t step = wasm_v128_or(wasm_v128_and(one, positive), wasm_v128_and(xv, nan));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step));
  }
  for (; i < n; i++) {
    const float v = x[i];
    const float step = v != v ? v : (v > 0.0f ? 1.0f : 0.0f);
    dx[i] = dy[i] * step;
  }
}
