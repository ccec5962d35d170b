import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWellFormedXml } from './xmlWellFormed.js';

describe('checkWellFormedXml (test helper)', () => {
  it('accepts well-formed documents and counts elements', () => {
    const summary = checkWellFormedXml(
      '<?xml version="1.0"?>\n<svg a="1" b=\'x &amp; y\'><g><line/><text>a &lt; b &#955;</text></g><!-- c --></svg>\n',
    );
    assert.equal(summary.root, 'svg');
    assert.equal(summary.elements, 4);
    assert.equal(summary.counts.get('line'), 1);
  });
  const bad: [string, string, RegExp][] = [
    ['mismatched tags', '<a><b></a></b>', /<\/a> closes <b>/],
    ['an unclosed element', '<a><b/>', /unclosed <a>/],
    ['an unquoted attribute', '<a x=1/>', /not quoted/],
    ['a bare ampersand', '<a>fish & chips</a>', /bad '&'/],
    ['a bare ampersand in a value', '<a t="x&y"/>', /bad '&' in the value of t/],
    ['two roots', '<a/><b/>', /second root/],
    ['a duplicate attribute', '<a x="1" x="2"/>', /duplicate attribute x/],
    ['text outside the root', '<a/>oops', /text outside the root/],
    ['a "<" in a value', '<a x="<"/>', /'<' in the value/],
  ];
  for (const [what, xml, message] of bad)
    it(`rejects ${what}`, () => assert.throws(() => checkWellFormedXml(xml), message));
});
