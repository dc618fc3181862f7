/** Narrative.div checks (https://hl7.org/fhir/R4/narrative.html#xhtml): well-formed, xhtml namespace, safe elements only (txt-1, txt-2). */

const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Elements allowed by txt-1: basic HTML formatting (HTML 4.0 chapters 7-11 and 15), no scripts, forms, frames or objects. */
const ALLOWED_ELEMENTS = new Set(
  (
    'p br div h1 h2 h3 h4 h5 h6 a span b em i strong small big tt dfn q var abbr acronym cite blockquote hr address bdo ' +
    'kbd sub sup ul ol li dl dt dd pre table caption colgroup col thead tr tfoot tbody th td code samp img map area'
  ).split(' '),
);
const PREDEFINED_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<([!?/]?)([^\s/>!?]*)([^>]*?)(\/?)>|&([^;&<\s]{0,32});?/g;
const ATTRIBUTE = /([^\s=/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g;

/** Problems with a Narrative.div value; empty if fine. */
export function checkXhtml(div: string): string[] {
  const problems: string[] = [];
  const trimmed = div.trim();
  if (!trimmed.startsWith('<div') || !trimmed.endsWith('</div>')) {
    problems.push('Narrative div must be a single <div> element');
  }
  const stack: string[] = [];
  let text = '';
  let last = 0;
  let sawRoot = false;
  let hasImage = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(trimmed); m; m = TOKEN.exec(trimmed)) {
    text += trimmed.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0].startsWith('<!--') || m[0].startsWith('<![CDATA[')) continue;
    if (m[0].charCodeAt(0) === 38 /* & */) {
      const ent = m[5] ?? '';
      if (!m[0].endsWith(';') || !validEntity(ent)) problems.push(`Invalid entity in the XHTML ('&${ent};'): only &amp; &lt; &gt; &quot; &apos; and numeric references are allowed`);
      text += 'x'; // an entity is content, even a wrongly encoded one
      continue;
    }
    const [, prefix, rawName, attrs, selfClose] = m;
    if (prefix === '!' || prefix === '?') {
      problems.push(`Declarations and processing instructions are not allowed in the narrative ('<${prefix}${rawName}')`);
      continue;
    }
    const name = rawName.toLowerCase();
    if (prefix === '/') {
      const open = stack.pop();
      if (open !== rawName) problems.push(`Malformed XHTML: </${rawName}> does not close ${open ? `<${open}>` : 'any element'}`);
      continue;
    }
    if (!ALLOWED_ELEMENTS.has(rawName)) problems.push(`Invalid element name in the XHTML ('${name}')`);
    if (name === 'img') hasImage = true;
    problems.push(...checkAttributes(rawName, attrs, !sawRoot));
    sawRoot = true;
    if (!selfClose) stack.push(rawName);
  }
  text += trimmed.slice(last);
  if (stack.length) problems.push(`Malformed XHTML: <${stack[stack.length - 1]}> is not closed`);
  if (!hasImage && !/\S/.test(text.replace(/<[^>]*>/g, ''))) problems.push('txt-2: The narrative SHALL have some non-whitespace content');
  return problems;
}

function validEntity(ent: string): boolean {
  if (PREDEFINED_ENTITIES.has(ent)) return true;
  if (/^#[0-9]{1,7}$/.test(ent) || /^#x[0-9a-fA-F]{1,6}$/.test(ent)) return true;
  return false;
}

function checkAttributes(element: string, attrs: string, isRoot: boolean): string[] {
  const problems: string[] = [];
  let ns: string | undefined;
  ATTRIBUTE.lastIndex = 0;
  for (let a = ATTRIBUTE.exec(attrs); a; a = ATTRIBUTE.exec(attrs)) {
    const name = a[1].toLowerCase();
    const value = (a[2] ?? '').replace(/^["']|["']$/g, '');
    if (name === 'xmlns') ns = value;
    if (name.startsWith('on')) problems.push(`Event attributes are not allowed in the narrative ('${name}' on <${element}>)`);
    if ((name === 'href' || name === 'src') && /^\s*(javascript|vbscript):/i.test(value)) {
      problems.push(`Script URLs are not allowed in the narrative ('${name}' on <${element}>)`);
    }
  }
  if (isRoot && ns !== XHTML_NS) problems.push(`Narrative div must declare xmlns="${XHTML_NS}"`);
  return problems;
}
