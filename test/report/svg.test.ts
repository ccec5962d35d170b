import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFigure } from '../../src/report/svg/lineChart.js';
import { colorsByKey } from '../../src/report/svg/palette.js';
import { formatTick, logTicks, makeScale, niceLinearTicks } from '../../src/report/svg/ticks.js';
import { escapeXml, svgNumber } from '../../src/report/svg/xml.js';
import { checkWellFormedXml } from './xmlWellFormed.js';

describe('ticks and scales', () => {
  it('niceLinearTicks covers the data with round steps', () => {
    assert.deepEqual(niceLinearTicks(0.13, 0.87), {
      domain: [0.1, 0.9],
      ticks: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    });
    assert.deepEqual(niceLinearTicks(0.03, 0.97), { domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    assert.deepEqual(niceLinearTicks(1, 125).ticks, [0, 20, 40, 60, 80, 100, 120, 140]);
    assert.deepEqual(niceLinearTicks(3, 3), { domain: [2.7, 3.3], ticks: [2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3] });
  });
  it('logTicks gives powers of ten, or 1-2-5 steps in a narrow range', () => {
    assert.deepEqual(logTicks(0.5, 2000), [1, 10, 100, 1000]);
    assert.deepEqual(logTicks(60, 600), [100, 200, 500]);
  });
  it('makeScale maps the domain ends to the pixel range, linearly or logarithmically', () => {
    const linear = makeScale([0, 10], 100, 300);
    assert.deepEqual(linear.domain, [0, 10]);
    assert.equal(linear(0), 100);
    assert.equal(linear(5), 200);
    const log = makeScale([], 0, 100, { type: 'log', domain: [1, 100] });
    assert.ok(Math.abs(log(10) - 50) < 1e-9);
    assert.throws(() => makeScale([-1, 0], 0, 1, { type: 'log' }), /no finite data value/);
    assert.deepEqual(makeScale([1, 2], 0, 1, { integer: true }).ticks, [1, 2]);
  });
  it('formats ticks compactly', () => {
    assert.equal(formatTick(0.2), '0.2');
    assert.equal(formatTick(22398330), '2.24e7');
    assert.equal(formatTick(0.0001), '1e-4');
    assert.equal(svgNumber(1 / 3), '0.33');
    assert.equal(escapeXml(`a<b & "c" 'd'>`), 'a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });
  it('colorsByKey gives equal keys equal colors and distinct keys distinct ones', () => {
    const colors = colorsByKey([2500, 1250, 2500, 1000]);
    assert.equal(colors.size, 3);
    assert.equal(new Set(colors.values()).size, 3);
  });
});

describe('renderFigure', () => {
  const figure = renderFigure({
    title: 'Title with <markup> & "quotes"',
    panels: [
      {
        title: 'left',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: [
          {
            name: 'a',
            color: '#ff0000',
            points: [
              { x: 1, y: 0.1 },
              { x: 2, y: Number.NaN },
              { x: 3, y: 0.3 },
              { x: 4, y: 0.5 },
            ],
          },
          { name: 'b', color: '#0000ff', markers: true, points: [{ x: 1, y: 0.2, error: 0.05 }] },
        ],
      },
      { title: 'right', xLabel: 'lr', yLabel: 'y', x: { type: 'log', ticks: [0.08, 0.2, 0.5] }, series: [] },
    ],
    legend: [{ label: 'a & b', color: '#ff0000' }],
    legendTitle: 'Legend',
  });
  it('is a well-formed SVG document with escaped text', () => {
    const summary = checkWellFormedXml(figure);
    assert.equal(summary.root, 'svg');
    assert.match(figure, /xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(figure.includes('Title with &lt;markup&gt; &amp; &quot;quotes&quot;'));
    assert.ok(figure.includes('a &amp; b'));
  });
  it('breaks a line at a missing value and draws markers and error bars', () => {
    const polylines = figure.match(/<polyline [^>]*stroke="#ff0000"[^>]*>/g) ?? [];
    assert.equal(polylines.length, 2, 'the NaN splits series a into two segments');
    assert.equal((polylines[1]?.match(/points="([^"]*)"/)?.[1] ?? '').split(' ').length, 2);
    assert.equal((figure.match(/<circle /g) ?? []).length, 1);
    assert.ok(figure.includes('>0.08<') && figure.includes('>0.5<'), 'explicit log ticks are labelled');
  });
});
