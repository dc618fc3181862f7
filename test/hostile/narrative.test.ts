/**
 * Narrative XHTML (issue 12): a streaming parser does linear work on any input (asserted by counting
 * parser events and characters checked, never by wall time), and the sanitiser refuses script URLs
 * however they are disguised.
 */
import fc from 'fast-check';
import { checkXhtml } from '../../server/validation/xhtml';

const NS = 'xmlns="http://www.w3.org/1999/xhtml"';
const div = (inner: string): string => `<div ${NS}>${inner}</div>`;
const work = (s: string): number => {
  const meter = { steps: 0 };
  checkXhtml(s, meter);
  return meter.steps;
};

/** Adversarial families of size n (the 3,000 unclosed `<a` is `unclosed(3000)`). */
const FAMILIES: Record<string, (n: number) => string> = {
  unclosed: (n) => `<div ${NS}>x${'<a'.repeat(n)}`,
  unclosedSpaced: (n) => `<div ${NS}>x${'<a href="x" '.repeat(n)}`,
  nested: (n) => `<div ${NS}>${'<span>'.repeat(n)}x${'</span>'.repeat(n)}</div>`,
  deepBlocks: (n) => div(`${'<b>'.repeat(200)}x${'</b>'.repeat(200)}`.repeat(Math.ceil(n / 200))),
  attributes: (n) => div(`<p ${Array.from({ length: n }, (_, i) => `title${i}="t"`).join(' ')}>x</p>`),
  manyLinks: (n) => div('<a href="http://a/&#106;&#x6A;">x</a>'.repeat(n)),
  longStyle: (n) => div(`<p style="${'color:red;/*c*/\\75 '.repeat(n)}">x</p>`),
  entities: (n) => div('&amp;&#106;'.repeat(n)),
  comments: (n) => div('<!--'.repeat(n)),
  openQuotes: (n) => `<div ${NS} title="${'<a'.repeat(n)}`,
};

describe('narrative checking does linear work', () => {
  it.each(Object.keys(FAMILIES))('%s: work for n, 2n, 4n grows at most linearly', (family) => {
    const make = FAMILIES[family];
    const n = 3000;
    const [w1, w2, w4] = [n, 2 * n, 4 * n].map((k) => work(make(k)));
    // bounded by the input size, and doubling the input at most doubles the work (+ a constant)
    for (const [k, w] of [[n, w1], [2 * n, w2], [4 * n, w4]]) expect(w).toBeLessThanOrEqual(12 * make(k).length + 100);
    expect(w2).toBeLessThanOrEqual(2 * w1 + 100);
    expect(w4).toBeLessThanOrEqual(4 * w1 + 200);
  });

  it('deep nesting is refused at the cap (saxes namespace mode would be quadratic in depth)', () => {
    expect(checkXhtml(FAMILIES.nested(3000))).toEqual([expect.stringMatching(/more than 256 levels/)]);
    expect(checkXhtml(FAMILIES.deepBlocks(3000))).toEqual([]);
  });

  it('the issue reproducer (3,000 unclosed <a) is rejected as malformed', () => {
    const problems = checkXhtml(FAMILIES.unclosed(3000));
    expect(problems).toEqual([expect.stringMatching(/^Malformed XHTML/)]);
  });

  it('arbitrary strings never throw and never take super-linear work', () => {
    const markup = fc.array(fc.constantFrom('<', '>', '/', '&', ';', '#', 'a', 'div', ' ', '"', '=', 'href', 'x', '<!--', ']]>', NS, '&#106;'), { maxLength: 400 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), markup, markup.map(div)), (s) => {
        const meter = { steps: 0 };
        const problems = checkXhtml(s, meter);
        expect(Array.isArray(problems)).toBe(true);
        expect(meter.steps).toBeLessThanOrEqual(12 * s.length + 100);
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('narrative sanitiser', () => {
  const bad: [string, string, RegExp][] = [
    ['entity-encoded javascript:', '<a href="&#106;avascript:alert(1)">x</a>', /scheme 'javascript:'/],
    ['double-encoded javascript:', '<a href="&amp;#106;avascript:alert(1)">x</a>', /scheme 'javascript:'/],
    ['tab-split java\\tscript:', '<a href="java\tscript:alert(1)">x</a>', /scheme 'javascript:'/],
    ['newline and case', '<a href=" JaVa&#10;ScRiPt:alert(1)">x</a>', /scheme 'javascript:'/],
    ['control character in scheme', '<a href="java&#1;script:alert(1)">x</a>', /entity|scheme 'javascript:'/],
    ['vbscript:', '<a href="vbscript:msgbox(1)">x</a>', /scheme 'vbscript:'/],
    ['data:text/html link', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', /data: URLs/],
    ['data:image/svg+xml image', '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x"/>', /data: URLs/],
    ['xlink:href', '<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(1)">x</a>', /xlink/],
    ['style url(javascript:)', '<p style="background:url(javascript:alert(1))">x</p>', /javascript:|url\(/],
    ['style with CSS escapes', '<p style="background:u\\72l(http://evil/)">x</p>', /url\(/],
    ['style expression()', '<p style="width: expression(alert(1))">x</p>', /expression\(/],
    ['srcset', '<img src="a.png" srcset="javascript:alert(1) 1x" alt="x"/>', /srcset/],
    ['background=', '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>', /background/],
    ['event attribute', '<p onmouseover="alert(1)">x</p>', /Event attributes/],
    ['script element', '<script>alert(1)</script>', /script/],
    ['form element', '<form><input/></form>', /form/],
    ['iframe', '<iframe src="http://x"></iframe>', /iframe/],
  ];
  it.each(bad)('rejects %s', (_name, inner, message) => {
    const problems = checkXhtml(div(inner));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join(' | ')).toMatch(message);
  });

  it('accepts ordinary narratives, links, relative refs and raster data images', () => {
    for (const inner of [
      '<p>Peter &amp; <b>James</b></p>',
      '<a href="https://example.org/x?y=1#z">link</a> <a href="mailto:a@b.c">mail</a> <a href="#frag">f</a> <a href="Patient/1">p</a>',
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x"/>',
      '<table style="border: 1px solid; background-image: url(data:image/png;base64,iVBORw0KGgo=)"><tr><td colspan="2">x</td></tr></table>',
      '<p xml:lang="en" lang="en" class="c" style="color: red">x</p>',
    ]) expect(checkXhtml(div(inner))).toEqual([]);
  });

  it('any generated href with a disguised javascript: scheme is refused', () => {
    const noise = fc.array(fc.constantFrom('\t', '\n', '\r', ' ', '&#9;', '&#10;', '&#x0A;', '&#13;'), { maxLength: 3 }).map((a) => a.join(''));
    const letter = (c: string) => fc.constantFrom(c, c.toUpperCase(), `&#${c.charCodeAt(0)};`, `&#x${c.charCodeAt(0).toString(16)};`);
    const scheme = fc.tuple(...'javascript'.split('').map((c) => fc.tuple(letter(c), noise).map(([l, n]) => l + n))).map((parts) => parts.join(''));
    fc.assert(
      fc.property(noise, scheme, (lead, s) => {
        const problems = checkXhtml(div(`<a href="${lead}${s}:alert(1)">x</a>`));
        expect(problems.join(' ')).toMatch(/javascript/);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
