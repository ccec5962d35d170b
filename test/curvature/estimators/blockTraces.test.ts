import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/initBackend.js';
import { blockTraces } from '../../../src/curvature/estimators/blockTraces.js';
import { hutchinsonTrace } from '../../../src/curvature/estimators/hutchinsonTrace.js';
import { hessianOperator } from '../../../src/curvature/hessianOperator.js';
import { parameterBlocks } from '../../../src/curvature/parameterBlocks.js';
import { denseOf, smallMlp } from '../smallMlpFixture.js';
import { knownSpectrum } from './knownSpectrum.js';

before(async () => {
  await initBackend({ quiet: true });
});

const A = knownSpectrum(
  Array.from({ length: 30 }, (_, i) => (i < 10 ? 4 : 1) - i / 30),
  8,
);
const blocks = [
  { name: 'first', offset: 0, size: 5 },
  { name: 'middle', offset: 5, size: 17 },
  { name: 'last', offset: 22, size: 8 },
];

function exactBlockTrace(data: Float64Array, n: number, offset: number, size: number): number {
  let s = 0;
  for (let i = offset; i < offset + size; i++) s += data[i * n + i]!;
  return s;
}

test('block traces sum to the total probe by probe, and the total is hutchinsonTrace of the same probes', async () => {
  const r = await blockTraces(A.op, blocks, { probes: 60, seed: 3 });
  for (let k = 0; k < 60; k++) {
    const sum = r.blocks.reduce((acc, b) => acc + b.probeValues[k]!, 0);
    assert.ok(Math.abs(sum - r.total.probeValues[k]!) <= 1e-12 * Math.abs(r.total.probeValues[k]!));
  }
  const sumOfEstimates = r.blocks.reduce((acc, b) => acc + b.estimate, 0);
  assert.ok(Math.abs(sumOfEstimates - r.total.estimate) <= 1e-12 * Math.abs(r.total.estimate));
  const h = await hutchinsonTrace(A.op, { probes: 60, seed: 3 });
  assert.ok(Math.abs(h.estimate - r.total.estimate) <= 1e-12 * Math.abs(h.estimate));
  assert.deepEqual(
    r.blocks.map((b) => [b.name, b.size, b.matvecs]),
    [
      ['first', 5, 60],
      ['middle', 17, 60],
      ['last', 8, 60],
    ],
  );
});

test('each block estimate is within 4 standard errors of the exact block trace', async () => {
  const r = await blockTraces(A.op, blocks, { probes: 200, seed: 9 });
  for (const [b, block] of blocks.entries()) {
    const exact = exactBlockTrace(A.data, A.n, block.offset, block.size);
    const z = (r.blocks[b]!.estimate - exact) / r.blocks[b]!.standardError;
    assert.ok(Math.abs(z) < 4, `${block.name}: z = ${z}`);
  }
  assert.ok(Math.abs(r.total.estimate - A.trace) < 4 * r.total.standardError);
});

test('per-weight traces of a network Hessian keyed by weight names, against its dense Hessian', async () => {
  const m = smallMlp('softmax', 2);
  try {
    const op = hessianOperator(m.model, m.data, { loss: 'kld' });
    const named = parameterBlocks(m.model);
    assert.deepEqual(
      named.map((b) => [b.name.replace(/^.*?(dense_Dense\d+)/, '$1').replace(/\d+\//, 'N/'), b.size]),
      [
        ['dense_DenseN/kernel', 12],
        ['dense_DenseN/bias', 4],
        ['dense_DenseN/kernel', 12],
        ['dense_DenseN/bias', 3],
      ],
    );
    const H = await denseOf(op);
    const before = tf.memory().numTensors;
    const r = await blockTraces(op, named, { probes: 100, seed: 1 });
    assert.equal(tf.memory().numTensors, before);
    for (const [b, block] of named.entries()) {
      const exact = exactBlockTrace(H, op.dim, block.offset, block.size);
      const est = r.blocks[b]!;
      assert.equal(est.name, block.name);
      assert.ok(
        Math.abs(est.estimate - exact) < 4 * est.standardError + 1e-6,
        `${block.name}: ${est.estimate} vs ${exact}`,
      );
    }
  } finally {
    m.dispose();
  }
});

test('blocks that do not partition [0, dim) are rejected, naming the block', async () => {
  for (const [bad, message] of [
    [[{ name: 'a', offset: 0, size: 10 }], /blocks cover 10 coordinates, the operator has dim = 30/],
    [[{ name: 'a', offset: 1, size: 30 }], /blocks\[0\] \('a'\) starts at 1, expected 0/],
    [
      [
        { name: 'a', offset: 0, size: 15 },
        { name: 'a', offset: 15, size: 15 },
      ],
      /blocks\[1\]\.name must be a unique string/,
    ],
    [[{ name: 'a', offset: 0, size: 0 }], /has size 0, expected a positive integer/],
    [[], /blocks must be a non-empty array/],
  ] as const) {
    await assert.rejects(
      blockTraces(A.op, bad as never),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
});
