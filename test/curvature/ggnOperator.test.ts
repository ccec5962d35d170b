import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { ggnOperator } from '../../src/curvature/ggnOperator.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { dimOf, objectiveHessian, regressionProblem, relativeError } from './regressionFixtures.js';
import { denseOf, ggnReference, jacobian64, logits64, smallMlp, softmax64 } from './smallMlpFixture.js';

before(async () => {
  await initBackend({ quiet: true });
});

/** The Fisher from its definition: (1/n)Σᵢ Σ_y p(y)·∇log p(y)∇log p(y)ᵀ, gradients by central differences. */
function fisherReference(m: ReturnType<typeof smallMlp>): Float64Array {
  const D = m.theta.length;
  const n = m.x.length;
  const F = new Float64Array(D * D);
  for (const x of m.x) {
    const logp = (t: Float64Array) => softmax64(logits64(m, t, x)).map(Math.log);
    const gradLogp = jacobian64(logp, m.theta);
    const p = softmax64(logits64(m, m.theta, x));
    for (let y = 0; y < m.k; y++) {
      const g = gradLogp[y]!;
      for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) F[r * D + c]! += (p[y]! * g[r]! * g[c]!) / n;
    }
  }
  return F;
}

test('the GGN equals the Fisher computed from its definition (float64, nonlinear network)', () => {
  const m = smallMlp('linear', 3);
  try {
    const G = ggnReference(m);
    const F = fisherReference(m);
    // Both from central differences with step 1e-6 in float64: truncation ~1e-12, rounding ~1e-10.
    assert.ok(relativeError(G, F) < 1e-7, `${relativeError(G, F)}`);
  } finally {
    m.dispose();
  }
});

for (const output of ['linear', 'softmax'] as const) {
  for (const loss of ['kld', 'crossEntropy'] as const) {
    test(`ggnOperator = Jᵀ(diag p − ppᵀ)J of a tanh network (${output} outputs, ${loss})`, async () => {
      const m = smallMlp(output, 5);
      try {
        const op = ggnOperator(m.model, m.data, { loss, batchSize: 4 });
        assert.equal(op.dim, m.theta.length);
        const dense = await denseOf(op);
        const ref = ggnReference(m);
        // float32 passes against float64 (the Hessian tests' tolerance).
        assert.ok(relativeError(dense, ref) < 2e-5, `${relativeError(dense, ref)}`);
        assert.equal(op.matvecCount, op.dim);
        // And it is not the Hessian here: the network is nonlinear in θ.
        const H = await denseOf(hessianOperator(m.model, m.data, { loss, includeRegularization: false }));
        assert.ok(relativeError(H, ref) > 1e-2, `H vs G: ${relativeError(H, ref)}`);
      } finally {
        m.dispose();
      }
    });
  }
}

for (const kind of ['logits', 'softmax'] as const) {
  test(`${kind} regression (linear in θ): the GGN is the data-loss Hessian in closed form`, async () => {
    const p = regressionProblem(kind, { n: 10, seed: 4 });
    try {
      const op = ggnOperator(p.model, p.data, { loss: p.lossName, batchSize: 3 });
      assert.equal(op.dim, dimOf(p));
      const dense = await denseOf(op);
      const ref = objectiveHessian(p, false);
      assert.ok(relativeError(dense, ref) < 2e-5, `${relativeError(dense, ref)}`);
    } finally {
      p.dispose();
    }
  });
}

test('chunk size does not matter, no tensors leak, bad losses and vectors are rejected', async () => {
  const m = smallMlp('softmax', 7, 9);
  try {
    const v = Float64Array.from({ length: m.theta.length }, (_, i) => Math.sin(i + 1));
    const one = await ggnOperator(m.model, m.data, { batchSize: 1 }).matvec(v);
    const op = ggnOperator(m.model, m.data, { batchSize: 4 });
    await op.matvec(v);
    const start = tf.memory().numTensors;
    const four = await op.matvec(v);
    assert.equal(tf.memory().numTensors, start);
    assert.ok(relativeError(four, one) < 1e-5, `${relativeError(four, one)}`);
    await assert.rejects(op.matvec(new Float64Array(2)), /ggnOperator\.matvec: expected a Float64Array/);
    assert.throws(
      () => ggnOperator(m.model, m.data, { loss: 'squaredError' }),
      /options\.loss must be 'kld' or 'crossEntropy'/,
    );
    assert.throws(
      () => ggnOperator(m.model, m.data, { loss: (t, o) => tf.sum(tf.mul(t, o), -1) as tf.Tensor1D }),
      /got a custom function/,
    );
  } finally {
    m.dispose();
  }
});
