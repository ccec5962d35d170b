import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FactorsDemoResult } from '../../src/solvable/factorsDemo.js';

const root = mkdtempSync(join(tmpdir(), 'cli-demo-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'demo', ...args], {
    encoding: 'utf8',
  });
}

/**
 * A strict-enough XML well-formedness check for generated SVG: one prolog, properly nested and closed
 * elements, quoted attributes, no stray '<' or unescaped '&' in text, a single root.
 */
function assertWellFormedXml(xml: string): { root: string; elements: Map<string, number> } {
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  assert.match(xml, prolog);
  const body = xml.replace(prolog, '');
  const stack: string[] = [];
  const elements = new Map<string, number>();
  let root = '';
  let closedRoot = false;
  const token = /<[^<>]*>|[^<]+/g;
  let consumed = 0;
  for (const match of body.matchAll(token)) {
    assert.equal(match.index, consumed, `unexpected '<' near offset ${consumed}`);
    consumed += match[0].length;
    const t = match[0];
    if (!t.startsWith('<')) {
      assert.doesNotMatch(t, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, `unescaped & in text ${JSON.stringify(t)}`);
      if (stack.length === 0) assert.match(t, /^\s*$/, 'text outside the root element');
      continue;
    }
    const end = /^<\/([A-Za-z][\w:-]*)\s*>$/.exec(t);
    if (end) {
      assert.equal(stack.pop(), end[1], `mismatched </${end[1]}>`);
      if (stack.length === 0) closedRoot = true;
      continue;
    }
    const start = /^<([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*(\/?)>$/.exec(t);
    assert.ok(start, `malformed tag ${t}`);
    const name = start[1]!;
    assert.doesNotMatch(start[2]!, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, `unescaped & in attributes of ${t}`);
    const attrs = [...start[2]!.matchAll(/([A-Za-z][\w:-]*)=/g)].map((m) => m[1]);
    assert.equal(new Set(attrs).size, attrs.length, `duplicate attribute in ${t}`);
    if (stack.length === 0) {
      assert.ok(!closedRoot && root === '', 'more than one root element');
      root = name;
    }
    elements.set(name, (elements.get(name) ?? 0) + 1);
    if (start[3] !== '/') stack.push(name);
    else if (stack.length === 0) closedRoot = true;
  }
  assert.equal(consumed, body.length);
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.ok(closedRoot);
  return { root, elements };
}

test('sgd-factors demo --quick writes demo.json and a well-formed demo.svg and prints the table', () => {
  const out = join(root, 'demo');
  const result = cli(['--quick', '--out', out, '--seed', '3']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    readdirSync(out).sort(),
    ['demo.json', 'demo.svg'],
    'only the two files (no temporaries left)',
  );
  const lines = result.stdout.split('\n');
  assert.match(
    lines[0]!,
    /^model\s+δ\s+m\s+Tr H\s+tr σ²\s+TrH\/trσ²\s+Eq\.\(6\)\s+Eq\.\(12\)\s+simulated E f−f\*\s+Eq\.\(13\)\s+simulated E\|∇f\|²$/,
  );
  assert.equal(lines.filter((l) => / ± /.test(l)).length, 4);
  assert.match(result.stdout, /wrote .*demo\.json and .*demo\.svg/);

  const json = JSON.parse(readFileSync(join(out, 'demo.json'), 'utf8')) as FactorsDemoResult;
  assert.equal(json.seed, 3);
  assert.equal(json.quick, true);
  assert.deepEqual(
    json.rows.map((r) => r.model),
    ['linreg s²=4', 'linreg n=200', 'logreg', 'logreg flip=0.2'],
  );
  for (const r of json.rows) {
    for (const v of [r.traceH, r.traceSigma, r.ratio, r.eq6, r.eq12, r.eq13, r.simulated.excessLoss.mean]) {
      assert.ok(Number.isFinite(v) && v > 0);
    }
    assert.ok(r.simulated.excessLoss.standardError > 0 && r.simulated.gradNormSq.standardError > 0);
    assert.ok(Math.abs(r.eq6 / r.eq12 - r.ratio) < 1e-12);
    assert.ok(Math.abs(r.eq12 - (r.lr / (4 * r.batchSize)) * r.traceSigma) < 1e-15);
  }
  const [lin, , logit] = json.rows;
  // Population linear regression with s² = 4: tr σ² = 4·Tr H exactly; well-specified logistic: σ² = H.
  assert.equal(lin!.ratio, 0.25);
  assert.ok(Math.abs(logit!.ratio - 1) < 1e-12);
  // Even the short runs separate Eq. (12) from Eq. (6) for linear regression.
  const se = lin!.simulated.excessLoss.standardError;
  assert.ok(lin!.simulated.excessLoss.mean - lin!.eq6 > 5 * se);

  const svg = readFileSync(join(out, 'demo.svg'), 'utf8');
  const { root: svgRoot, elements } = assertWellFormedXml(svg);
  assert.equal(svgRoot, 'svg');
  assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(elements.get('circle'), 4 + 1, 'one Eq. (12) point per case, plus the legend marker');
  assert.match(svg, />simulated E f − f\* \(SGD at stationarity, ±1 SE\)</);
  assert.match(svg, />predicted E f − f\*</);
  assert.match(svg, /stroke-dasharray="6 4"/, 'the diagonal is drawn');
});

test('sgd-factors demo rejects a bad seed with a usage error', () => {
  const result = cli(['--quick', '--seed', '1.5', '--out', join(root, 'bad')]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--seed must be an integer, got '1\.5'/);
});
