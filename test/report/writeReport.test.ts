import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inProcessExecutor } from '../../src/experiments/inProcessExecutor.js';
import { runSweep } from '../../src/experiments/runSweep.js';
import { writeReport } from '../../src/report/writeReport.js';
import type { RunRecord } from '../../src/run/runResult.js';
import { runner as toyRunner } from '../experiments/fixtures/toyRunner.js';
import { toyConfig, toyData } from '../experiments/sweepHelpers.js';
import { checkWellFormedXml } from './xmlWellFormed.js';

const root = mkdtempSync(join(tmpdir(), 'write-report-'));
after(() => rmSync(root, { recursive: true, force: true }));
const config = { ...toyConfig, losses: ['kld', 'squaredError'] as ('kld' | 'squaredError')[] };

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const keys = (header as string).split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])));
}

describe('writeReport', () => {
  const dir = join(root, 'sweep');
  let records: RunRecord[] = [];
  before(async () => {
    await runSweep({ config, data: toyData, out: dir, executor: inProcessExecutor(toyRunner), silent: true });
    records = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunRecord);
  });

  it('writes the tables, figures and predictions', () => {
    const report = writeReport(dir);
    assert.deepEqual([...report.files].sort(), [
      'README.md',
      'claims.md',
      'figure2-kld.svg',
      'figure3-squaredError.svg',
      'figure4-kld.svg',
      'figure4-squaredError.svg',
      'predictions.csv',
      'predictions.md',
      'report.json',
      'runs.csv',
      'table1.csv',
      'table1.md',
    ]);
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.warnings, []);
    for (const name of report.files.filter((f) => f.endsWith('.svg'))) {
      const svg = readFileSync(join(report.dir, name), 'utf8');
      const summary = checkWellFormedXml(svg);
      assert.equal(summary.root, 'svg', name);
      // accuracy figures: one line per run (8 runs per loss) in each of the two panels;
      // magnitude figures: one line per batch size plus one per learning rate.
      assert.equal(summary.counts.get('polyline'), name.startsWith('figure4') ? 4 : 16, name);
    }
    const readme = readFileSync(join(report.dir, 'README.md'), 'utf8');
    assert.match(readme, /!\[Figure 2 analogue, KLD loss\]\(figure2-kld\.svg\)/);
    assert.match(readme, /Finished runs: 16 of 16\./);
    assert.equal(parseCsv(readFileSync(join(report.dir, 'predictions.csv'), 'utf8')).length, 16);
  });

  it("has Table 1's numbers equal to the means of results.jsonl, in the paper's row order", () => {
    const rows = parseCsv(readFileSync(join(dir, 'report', 'table1.csv'), 'utf8'));
    assert.equal(rows.length, 8);
    assert.deepEqual(
      rows.filter((r) => r['loss'] === 'kld').map((r) => `${r['batch_size']}/${r['learning_rate']}`),
      ['8/0.05', '8/0.1', '16/0.05', '16/0.1'],
    );
    for (const row of rows) {
      const cell = records.filter(
        (r) =>
          r.loss === row['loss'] &&
          r.batchSize === Number(row['batch_size']) &&
          r.learningRate === Number(row['learning_rate']),
      );
      assert.equal(cell.length, 2);
      const [h0, h1] = cell.map((r) => r.measurement.traceH.estimate) as [number, number];
      const [s0, s1] = cell.map((r) => r.measurement.traceSigma.estimate) as [number, number];
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
      assert.ok(close(Number(row['trace_h']), (h0 + h1) / 2));
      assert.ok(close(Number(row['trace_sigma']), (s0 + s1) / 2));
      // two seeds: the standard error of the mean is half their difference
      assert.ok(close(Number(row['trace_sigma_se']), Math.abs(s0 - s1) / 2));
      assert.ok(close(Number(row['magnitude_difference']), (h0 + h1) / (s0 + s1)));
      assert.equal(row['seeds'], '2');
      assert.ok(close(Number(row['bs_over_lr']), Number(row['batch_size']) / Number(row['learning_rate'])));
    }
    const markdown = readFileSync(join(dir, 'report', 'table1.md'), 'utf8');
    assert.match(markdown, /### Table 1 analogue: KLD loss/);
    assert.match(markdown, /\| 1 \| 160 \| 8 \| 0.05 \| /);
  });

  it('tests the paper’s claims on the runs (claims.md, README, report.json)', () => {
    const report = writeReport(dir, { claims: { level: 0.9 } });
    // KLD: the learning-curve claims (training, validation), six trends and tr σ² < Tr H; squaredError:
    // the learning-curve claims and agreement.
    assert.deepEqual(
      report.claims.claims.map((c) => `${c.loss}:${c.id}`),
      [
        'kld:curves-follow-bs-over-lr',
        'kld:validation-curves-follow-bs-over-lr',
        'kld:lr-raises-trace-h',
        'kld:lr-lowers-trace-sigma',
        'kld:bs-keeps-trace-sigma',
        'kld:bs-raises-trace-h',
        'kld:ratio-grows-as-bs-over-lr-falls',
        'kld:lr-moves-ratio-more-than-bs',
        'kld:trace-sigma-below-trace-h',
        'squaredError:curves-follow-bs-over-lr',
        'squaredError:validation-curves-follow-bs-over-lr',
        'squaredError:relations-agree-under-log-loss',
      ],
    );
    assert.equal(report.claims.settings.level, 0.9);
    const claimsMd = readFileSync(join(report.dir, 'claims.md'), 'utf8');
    assert.match(claimsMd, /\| 90% interval \|/);
    assert.match(
      readFileSync(join(report.dir, 'README.md'), 'utf8'),
      /## The paper’s claims\n\n\| # \| Loss/,
    );
    const json = JSON.parse(readFileSync(join(report.dir, 'report.json'), 'utf8'));
    assert.equal(json.claims.claims.length, 12);
    assert.deepEqual(json.convention, { scale: 'mean' });
  });

  it('sums the traces over n examples on request, leaving Tr H/tr σ² and the verdicts alone', () => {
    const mean = writeReport(dir);
    const n = 50_000;
    const sum = writeReport(dir, { convention: { scale: 'sum', examples: n } });
    mean.table1.forEach((row, i) => {
      const summed = sum.table1[i] as (typeof sum.table1)[number];
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
      assert.ok(close(summed.traceH.mean, n * row.traceH.mean));
      assert.ok(close(summed.traceSigma.standardError, n * row.traceSigma.standardError));
      assert.ok(close(summed.magnitudeDifference.mean, row.magnitudeDifference.mean));
    });
    assert.deepEqual(
      sum.claims.claims.map((c) => c.verdict),
      mean.claims.claims.map((c) => c.verdict),
    );
    assert.match(readFileSync(join(sum.dir, 'README.md'), 'utf8'), /summed over 50,000 examples/);
    writeReport(dir);
  });

  it('covers a partial sweep, lists the missing runs and skips a torn line', () => {
    const partial = join(root, 'partial');
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    rmSync(partial, { recursive: true, force: true });
    // a copy of the sweep with three runs' lines and a torn fourth
    cpSync(dir, partial, { recursive: true });
    rmSync(join(partial, 'report'), { recursive: true });
    // no per-run result.json: the report falls back on results.jsonl, as for a sweep of the first layout
    for (const id of readdirSync(join(partial, 'runs'))) rmSync(join(partial, 'runs', id, 'result.json'));
    writeFileSync(join(partial, 'results.jsonl'), `${lines.slice(0, 3).join('\n')}\n`);
    appendFileSync(join(partial, 'results.jsonl'), (lines[3] as string).slice(0, 30));
    const report = writeReport(partial);
    assert.equal(report.runs.length, 3);
    assert.equal(report.missing.length, 13);
    assert.match(report.warnings[0] ?? '', /skipped unreadable line\(s\) 4/);
    assert.match(
      readFileSync(join(partial, 'report', 'README.md'), 'utf8'),
      /Finished runs: 3 of 16\. Missing: /,
    );
  });

  it('reports one run directory, and several directories into --out', () => {
    const run = join(dir, 'runs', 'kld-bs8-lr0.05-seed0');
    const one = writeReport(run);
    assert.equal(one.dir, join(run, 'report'));
    assert.deepEqual(
      one.runs.map((r) => r.id),
      ['kld-bs8-lr0.05-seed0'],
    );
    const other = join(dir, 'runs', 'kld-bs16-lr0.1-seed1');
    const out = join(root, 'two-runs');
    const two = writeReport([run, other], { out });
    assert.equal(two.dir, out);
    assert.deepEqual(two.runs.map((r) => r.id).sort(), ['kld-bs16-lr0.1-seed1', 'kld-bs8-lr0.05-seed0']);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /Finished runs: 2 of 2\./);
    assert.throws(
      () => writeReport([run, other]),
      /give an output directory \(--out\) for a report of several directories/,
    );
  });

  it('reads a sweep directory of the first layout (results.jsonl, old histories, version-1 sweep.json)', () => {
    const old = join(root, 'first-layout');
    rmSync(old, { recursive: true, force: true });
    cpSync(dir, old, { recursive: true });
    rmSync(join(old, 'report'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(old, 'sweep.json'), 'utf8'));
    const { dataset: _dataset, model, ...rest } = manifest.config;
    writeFileSync(
      join(old, 'sweep.json'),
      JSON.stringify({
        format: 'sgd-factors-sweep',
        version: 1,
        hash: manifest.hash,
        config: { ...rest, depth: model.options.depth, weightDecay: model.options.weightDecay },
        data: { kind: 'synthetic', n: 64, testN: 32, seed: 3 },
        dataSource: { kind: 'synthetic', n: 64, testN: 32, seed: 3 },
        createdAt: manifest.createdAt,
      }),
    );
    const oldEpoch = (e: Record<string, number>) => ({
      epoch: e['epoch']! + 1,
      trainLoss: e['loss'],
      trainAccuracy: e['accuracy'],
      valLoss: e['valLoss'],
      valAccuracy: e['valAccuracy'],
      learningRate: e['lr'],
      seconds: e['seconds'],
    });
    const lines = records.map((r) => {
      const { hash: _h, spec: _s, final, ...first } = r;
      return JSON.stringify({ ...first, final: oldEpoch(final as unknown as Record<string, number>) });
    });
    writeFileSync(join(old, 'results.jsonl'), `${lines.join('\n')}\n`);
    for (const id of readdirSync(join(old, 'runs'))) {
      const runDir = join(old, 'runs', id);
      for (const f of ['result.json', 'config.json']) rmSync(join(runDir, f), { force: true });
      const history = JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')).epochs;
      writeFileSync(join(runDir, 'history.json'), JSON.stringify({ epochs: history.map(oldEpoch) }));
    }
    const report = writeReport(old);
    assert.equal(report.runs.length, 16);
    assert.deepEqual(report.warnings, []);
    assert.equal(
      readFileSync(join(old, 'report', 'table1.csv'), 'utf8'),
      readFileSync(join(dir, 'report', 'table1.csv'), 'utf8'),
      'the same Table 1 as from the new layout',
    );
    const figure = readFileSync(join(old, 'report', 'figure2-kld.svg'), 'utf8');
    assert.equal(
      figure,
      readFileSync(join(dir, 'report', 'figure2-kld.svg'), 'utf8'),
      'the same accuracy curves',
    );
  });

  it('refuses a directory that is neither kind, or without a measured run', () => {
    assert.throws(() => writeReport(join(root, 'nowhere')), /nowhere does not exist/);
    const stranger = join(root, 'stranger');
    mkdirSync(stranger);
    assert.throws(
      () => writeReport(stranger),
      /is neither a sweep directory \(no sweep.json\) nor a run directory/,
    );
    const empty = join(root, 'empty');
    mkdirSync(empty);
    cpSync(join(dir, 'sweep.json'), join(empty, 'sweep.json'));
    assert.throws(() => writeReport(empty), /no measured run in .* yet/);
  });
});
