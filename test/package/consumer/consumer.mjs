// A plain ES-module consumer of the installed package (no TypeScript, no loader): the root and three
// subpaths, each checked against a number known independently. Run by installedPackage.test.ts in a
// temporary project where `sgd-factors` is the packed tarball; prints one line per check.
import assert from 'node:assert/strict';
import { datasetFromArrays, hessianOperator, initBackend, mlp, solveLyapunov, tf } from 'sgd-factors';
import { matrixOperator } from 'sgd-factors/curvature';
import { symmetricEigen } from 'sgd-factors/linalg';
import { expectedLossThreeFactor } from 'sgd-factors/theory';

// The re-exported tf is the engine the library computes on: the backend initBackend chose is its backend.
const info = await initBackend({ quiet: true });
assert.equal(tf.getBackend(), info.backend, 'tf from sgd-factors runs on the initialized backend');

// Lyapunov AX + XAᵀ = Q, checked by its residual (A non-symmetric, so no eigendecomposition shortcut).
const a = [
  [3, 1],
  [-1, 2],
];
const q = [
  [2, 1],
  [1, 4],
];
const x = solveLyapunov(a, q);
for (let i = 0; i < 2; i++)
  for (let j = 0; j < 2; j++) {
    let r = 0;
    for (let k = 0; k < 2; k++) r += a[i][k] * x[k][j] + x[i][k] * a[j][k];
    assert.ok(Math.abs(r - q[i][j]) < 1e-12, `Lyapunov residual at (${i},${j}): ${r} vs ${q[i][j]}`);
  }
console.log('solveLyapunov: residual < 1e-12');

// Eigenvalues of [[2,1],[1,2]] are 1 and 3; Eq. (6) is δ/(4m)·Tr H.
const { values } = symmetricEigen([
  [2, 1],
  [1, 2],
]);
assert.ok(Math.abs(values[0] - 1) < 1e-14 && Math.abs(values[1] - 3) < 1e-14, `eigenvalues ${values}`);
assert.equal(expectedLossThreeFactor({ lr: 0.1, batchSize: 4, traceH: 5 }), (0.1 / 16) * 5);
assert.equal(
  matrixOperator([
    [1, 2],
    [2, 5],
  ]).dim,
  2,
);
console.log('symmetricEigen, expectedLossThreeFactor, matrixOperator: exact');

// Exact Tr H of softmax regression at zero weights, from Hessian-vector products (double backprop). With
// p uniform over K = 2 classes each example contributes (diag p − ppᵀ) ⊗ [x; 1][x; 1]ᵀ, whose trace is
// ½(|x|² + 1) (the 1 from the bias); the cross-entropy is a mean over the n examples.
const n = 4;
const d = 3;
const images = Float32Array.from({ length: n * d }, (_, i) => Math.sin(1 + 3 * i));
const data = datasetFromArrays({
  images,
  shape: [n, d],
  labels: Int32Array.from([0, 1, 1, 0]),
  numClasses: 2,
});
const model = mlp({ inputShape: [d], numClasses: 2, hidden: [], seed: 0 });
model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)));
let expected = 0;
for (let i = 0; i < n; i++) {
  let norm = 1;
  for (let j = 0; j < d; j++) norm += images[i * d + j] ** 2;
  expected += norm / 2 / n;
}
const H = hessianOperator(model, data, { loss: 'crossEntropy', includeRegularization: false });
let trace = 0;
for (let j = 0; j < H.dim; j++) {
  const e = new Float64Array(H.dim);
  e[j] = 1;
  trace += (await H.matvec(e))[j];
}
assert.ok(Math.abs(trace - expected) <= 1e-5 * expected, `Tr H ${trace}, exact ${expected}`);
console.log(`hessianOperator: Tr H ${trace.toFixed(6)} = exact ${expected.toFixed(6)}`);
