// A minimal XML well-formedness checker for the report tests (no DTDs or CDATA; enough for SVG output):
// one root element, properly nested and closed tags, quoted and unique attributes, valid entity references.

const NAME = /^[A-Za-z_][\w.:-]*/;
const BAD_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** What {@link checkWellFormedXml} found. */
export interface XmlSummary {
  /** Name of the root element. */
  root: string;
  /** Number of elements. */
  elements: number;
  /** Count of each element name. */
  counts: Map<string, number>;
}

/** Throws an Error describing the first well-formedness problem of `text`, or summarizes it. */
export function checkWellFormedXml(text: string): XmlSummary {
  const stack: string[] = [];
  const counts = new Map<string, number>();
  let root: string | undefined;
  let closedRoot = false;
  let i = 0;
  const fail = (message: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new Error(`XML line ${line}: ${message}`);
  };
  const checkText = (chunk: string) => {
    if (BAD_ENTITY.test(chunk)) fail(`bad '&' in ${JSON.stringify(chunk.slice(0, 40))}`);
    if (stack.length === 0 && chunk.trim() !== '')
      fail(`text outside the root element: ${JSON.stringify(chunk.slice(0, 40))}`);
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      checkText(text.slice(i));
      break;
    }
    checkText(text.slice(i, lt));
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('</', i)) {
      const name = NAME.exec(text.slice(i + 2))?.[0];
      if (!name) fail('closing tag without a name');
      const after = i + 2 + (name as string).length;
      const gt = text.indexOf('>', after);
      if (gt < 0 || text.slice(after, gt).trim() !== '') fail(`malformed closing tag </${name}`);
      const open = stack.pop();
      if (open !== name) fail(`</${name}> closes <${open ?? 'nothing'}>`);
      if (stack.length === 0) closedRoot = true;
      i = gt + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (!name) fail(`'<' not starting a tag: ${JSON.stringify(text.slice(i, i + 20))}`);
    if (closedRoot || (stack.length === 0 && root !== undefined)) fail(`a second root element <${name}>`);
    root ??= name;
    counts.set(name as string, (counts.get(name as string) ?? 0) + 1);
    i += 1 + (name as string).length;
    const attributes = new Set<string>();
    for (;;) {
      const ws = /^\s*/.exec(text.slice(i))?.[0] ?? '';
      i += ws.length;
      if (text.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) closedRoot = true;
        break;
      }
      if (text.startsWith('>', i)) {
        i += 1;
        stack.push(name as string);
        break;
      }
      if (ws.length === 0) fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attribute = NAME.exec(text.slice(i))?.[0];
      if (!attribute) fail(`bad attribute in <${name}>: ${JSON.stringify(text.slice(i, i + 20))}`);
      if (attributes.has(attribute as string)) fail(`duplicate attribute ${attribute} in <${name}>`);
      attributes.add(attribute as string);
      i += (attribute as string).length;
      const eq = /^\s*=\s*/.exec(text.slice(i))?.[0];
      if (!eq) fail(`attribute ${attribute} of <${name}> has no value`);
      i += (eq as string).length;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attribute} of <${name}> is not quoted`);
      const close = text.indexOf(quote as string, i + 1);
      if (close < 0) fail(`unterminated value of ${attribute}`);
      const value = text.slice(i + 1, close);
      if (value.includes('<')) fail(`'<' in the value of ${attribute}`);
      if (BAD_ENTITY.test(value)) fail(`bad '&' in the value of ${attribute}`);
      i = close + 1;
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (root === undefined) fail('no root element');
  return { root: root as string, elements: [...counts.values()].reduce((a, b) => a + b, 0), counts };
}
