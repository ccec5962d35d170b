import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import { normalizeModelSpec } from '../../src/models/modelRegistry.js';
import { writeReport } from '../../src/report/writeReport.js';
import { runRecord } from '../../src/run/measureRun.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../src/run/normalizeSpec.js';
import { writeRunConfig, writeRunHistory, writeRunResult } from '../../src/run/runDirectory.js';
import type { RunMeasurement } from '../../src/run/runResult.js';
import type { RunSpec } from '../../src/run/runSpec.js';
import type { EpochRecord } from '../../src/train/history.js';
import type { TrackedCurvature } from '../../src/train/trackCurvature.js';
import { checkWellFormedXml } from './xmlWellFormed.js';

const root = mkdtempSync(join(tmpdir(), 'tracked-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

const spec: RunSpec = {
  data: {
    name: 'synthetic',
    dir: null,
    trainSize: null,
    testSize: null,
    params: syntheticDataSource.normalize({ n: 40, testN: 8, seed: 6 }, 'test'),
  },
  model: normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 'test'),
  training: normalizeTrainingSpec(
    {
      loss: 'kld',
      learningRate: 0.1,
      batchSize: 8,
      epochs: 4,
      seed: 5,
      schedule: { boundaries: [2], factor: 0.1 },
    },
    'test',
  ),
  measurement: normalizeMeasurementSpec({ examples: 40 }, 'test'),
};

const estimate = (value: number, standardError: number) => ({
  estimate: value,
  standardError,
  samples: standardError === 0 ? 0 : 10,
  matvecs: standardError === 0 ? 0 : 10,
  examples: 32,
});
const curvature = (traceH: number, se: number, traceSigma: number, lambda: number): TrackedCurvature => ({
  examples: 32,
  traceH: estimate(traceH, se),
  traceSigma: estimate(traceSigma, 0),
  topEigenvalue: { value: lambda, residualBound: 0.01, converged: true, matvecs: 12 },
  seconds: 1,
});
const epoch = (i: number, lr: number, c?: TrackedCurvature): EpochRecord => ({
  epoch: i,
  lr,
  loss: 1,
  regularization: 0,
  accuracy: 0.5,
  examples: 40,
  trainSeconds: 1,
  seconds: 1,
  ...(c ? { curvature: c } : {}),
});

/** The y pixel of `value` on the λ panel's log axis (lineChart's layout: 320 px panels, margins 30/46). */
function logY(value: number, min: number, max: number): number {
  const [d0, d1] = [min / 1.15, max * 1.15];
  const [from, to] = [320 - 46, 30];
  return from + ((Math.log(value) - Math.log(d0)) / (Math.log(d1) - Math.log(d0))) * (to - from);
}

/** The points of the polyline of the series titled `name`, as [x, y] pairs. */
function seriesPoints(svg: string, name: string): number[][] {
  const at = svg.indexOf(`<title>${name}</title>`);
  assert.ok(at >= 0, `series ${name}`);
  const points = /points="([^"]*)"/.exec(svg.slice(at))![1]!;
  return points.split(' ').map((p) => p.split(',').map(Number));
}

test('report plots tracked Tr H, tr σ², their ratio and λ_max against the edge-of-stability line 2/δ, and writes tracked.csv', () => {
  const dir = join(root, 'run');
  const history = [
    epoch(0, 0.1),
    epoch(1, 0.1, curvature(50, 2, 10, 15)),
    epoch(2, 0.01),
    epoch(3, 0.01, curvature(80, 3, 20, 150)),
  ];
  const measurement: RunMeasurement = {
    traceH: { estimate: 80, standardError: 3 },
    traceSigma: { estimate: 20, standardError: 0 },
    traceSigmaH: { estimate: 1, standardError: 0.1 },
    gradNormSq: { estimate: 1, standardError: 0 },
    loss: { estimate: 1, standardError: 0 },
    magnitudeDifference: { estimate: 4, standardError: 0.15 },
    settings: {},
  };
  writeRunConfig(dir, 'tracked', spec);
  writeRunHistory(dir, history);
  writeRunResult(dir, runRecord('tracked', spec, history, measurement, { training: 4, measuring: 1 }));

  const report = writeReport(dir);
  assert.ok(report.files.includes('curvature-kld.svg'));
  assert.ok(report.files.includes('tracked.csv'));
  const csv = readFileSync(join(report.dir, 'tracked.csv'), 'utf8').trim().split('\n');
  assert.equal(
    csv[0],
    'id,epoch,learning_rate,examples,trace_h,trace_h_se,trace_sigma,trace_h_over_trace_sigma,lambda_max,edge_of_stability',
  );
  assert.deepEqual(csv.slice(1), ['tracked,2,0.1,32,50,2,10,5,15,20', 'tracked,4,0.01,32,80,3,20,4,150,200']);

  const svg = readFileSync(join(report.dir, 'curvature-kld.svg'), 'utf8');
  const summary = checkWellFormedXml(svg);
  assert.equal(summary.root, 'svg');
  for (const title of ['Tr H (± standard error)', 'tr σ²', 'Tr H / tr σ²', 'λ_max against 2(1+μ)/δ'])
    assert.ok(svg.includes(`>${title}</text>`), title);
  // Four panels with the run's line each, plus the 2/δ line: five polylines.
  assert.equal(summary.counts.get('polyline'), 5);
  // The λ panel is a log axis over [15, 200]: λ_max at 15 and 150, 2/δ at 20 (epochs 1–2) and 200 (3–4).
  const lambda = seriesPoints(svg.slice(svg.indexOf('>λ_max against 2(1+μ)/δ<')), 'tracked');
  const edge = seriesPoints(svg, 'tracked: 2(1+μ)/δ');
  const close = (a: number, b: number) => Math.abs(a - b) < 0.01;
  assert.ok(close(lambda[0]![1]!, logY(15, 15, 200)) && close(lambda[1]![1]!, logY(150, 15, 200)));
  // A step per epoch [e, e + 1]: 2/δ = 20 over epochs 0–2, 200 over 2–4.
  assert.equal(edge.length, 8);
  edge.forEach(([, y], i) => {
    assert.ok(close(y!, logY(i < 4 ? 20 : 200, 15, 200)), `2/δ point ${i}: ${y}`);
  });
  const readme = readFileSync(join(report.dir, 'README.md'), 'utf8');
  assert.match(readme, /!\[Curvature during training, KLD loss\]\(curvature-kld\.svg\)/);
});

test('report writes no curvature figure for runs without tracked curvature', () => {
  const dir = join(root, 'plain');
  const history = [epoch(0, 0.1), epoch(1, 0.1), epoch(2, 0.01), epoch(3, 0.01)];
  writeRunConfig(dir, 'plain', spec);
  writeRunHistory(dir, history);
  writeRunResult(
    dir,
    runRecord(
      'plain',
      spec,
      history,
      {
        traceH: { estimate: 80, standardError: 3 },
        traceSigma: { estimate: 20, standardError: 0 },
        traceSigmaH: { estimate: 1, standardError: 0.1 },
        gradNormSq: { estimate: 1, standardError: 0 },
        loss: { estimate: 1, standardError: 0 },
        magnitudeDifference: { estimate: 4, standardError: 0.15 },
        settings: {},
      },
      { training: 4, measuring: 1 },
    ),
  );
  const report = writeReport(dir);
  assert.ok(!report.files.some((f) => f.startsWith('curvature-') || f === 'tracked.csv'));
});

test('with momentum μ the edge of stability is 2(1 + μ)/δ (heavy ball)', () => {
  const dir = join(root, 'momentum');
  const withMomentum: RunSpec = {
    ...spec,
    training: normalizeTrainingSpec(
      {
        loss: 'kld',
        learningRate: 0.1,
        batchSize: 8,
        epochs: 2,
        momentum: 0.9,
        schedule: { boundaries: [1], factor: 0.1 },
      },
      'test',
    ),
  };
  const history = [epoch(0, 0.1, curvature(50, 2, 10, 15)), epoch(1, 0.01, curvature(80, 3, 20, 150))];
  writeRunConfig(dir, 'momentum', withMomentum);
  writeRunHistory(dir, history);
  writeRunResult(
    dir,
    runRecord(
      'momentum',
      withMomentum,
      history,
      {
        traceH: { estimate: 80, standardError: 3 },
        traceSigma: { estimate: 20, standardError: 0 },
        traceSigmaH: { estimate: 1, standardError: 0.1 },
        gradNormSq: { estimate: 1, standardError: 0 },
        loss: { estimate: 1, standardError: 0 },
        magnitudeDifference: { estimate: 4, standardError: 0.15 },
        settings: {},
      },
      { training: 2, measuring: 1 },
    ),
  );
  const report = writeReport(dir);
  const rows = readFileSync(join(report.dir, 'tracked.csv'), 'utf8').trim().split('\n').slice(1);
  const edges = rows.map((r) => Number(r.split(',').at(-1)));
  assert.ok(Math.abs(edges[0]! - 38) < 1e-9 && Math.abs(edges[1]! - 380) < 1e-9, String(edges));
});
