/**
 * Narrative.div checks (https://hl7.org/fhir/R4/narrative.html#xhtml): well-formed XML (saxes, a
 * streaming parser: one pass, linear in the input, stops at the first syntax error), XHTML namespace,
 * only the elements and attributes txt-1 allows, safe URLs and styles, some content (txt-2).
 * Invalid narratives are rejected (422), never rewritten: R4 requires valid restricted XHTML, and a
 * server that silently edits clinical narrative would store something the author did not write.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ALLOWED_ELEMENTS, URL_ATTRIBUTES, XHTML_NS, attributeAllowed } from './xhtml/allow-list';
import { NamespaceStack, type ResolvedName } from './xhtml/namespaces';
import { type WorkMeter, unsafeStyleReason, unsafeUrlReason } from './xhtml/url-safety';

export type { WorkMeter } from './xhtml/url-safety';

/** More problems than this in one div add nothing for the client. */
const MAX_PROBLEMS = 20;
/** Real narratives nest a few levels; thousands of levels are an attack on whoever renders them. */
export const MAX_XHTML_DEPTH = 256;

class TooDeep extends Error {}

/** Problems with a Narrative.div value; empty if fine. `meter` counts the work done (events + characters checked). */
export function checkXhtml(div: string, meter: WorkMeter = { steps: 0 }): string[] {
  const problems: string[] = [];
  const report = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const state = { depth: 0, content: false };
  const ns = new NamespaceStack();
  const parser = new SaxesParser({ xmlns: false, position: false });
  parser.on('opentag', (tag) => {
    meter.steps++;
    if (state.depth >= MAX_XHTML_DEPTH) throw new TooDeep();
    const name = ns.open(tag.name, tag.attributes);
    if (state.depth++ === 0) checkRoot(name, tag.name, report);
    else if (name.uri !== XHTML_NS) report(`Element <${tag.name.slice(0, 40)}> is not XHTML (namespace '${name.uri.slice(0, 60)}')`);
    checkElement(name.local, tag, ns, report, meter);
    if (name.local === 'img') state.content = true;
  });
  parser.on('closetag', () => {
    meter.steps++;
    state.depth--;
    ns.close();
  });
  parser.on('text', (t) => {
    meter.steps += 1 + t.length;
    if (!state.content && /\S/.test(t)) state.content = true;
  });
  parser.on('cdata', (t) => {
    meter.steps += 1 + t.length;
    if (/\S/.test(t)) state.content = true;
  });
  parser.on('doctype', () => report('Declarations are not allowed in the narrative (<!DOCTYPE>)'));
  parser.on('processinginstruction', (pi) => report(`Processing instructions are not allowed in the narrative ('<?${pi.target.slice(0, 20)}')`));
  parser.on('xmldecl', () => report('Declarations are not allowed in the narrative (<?xml ...?>)'));
  try {
    parser.write(div).close();
  } catch (err) {
    meter.steps++;
    if (err instanceof TooDeep) return [...problems, `The narrative nests elements more than ${MAX_XHTML_DEPTH} levels deep`];
    return [...problems, syntaxProblem((err as Error).message)];
  }
  if (!state.content) report('txt-2: The narrative SHALL have some non-whitespace content');
  return problems;
}

function checkRoot(name: ResolvedName, qname: string, report: (p: string) => void): void {
  if (name.local !== 'div' || name.prefix) report(`Narrative div must be a single <div> element (found <${qname.slice(0, 40)}>)`);
  if (name.uri !== XHTML_NS) report(`Narrative div must declare xmlns="${XHTML_NS}"`);
}

function checkElement(element: string, tag: SaxesTagPlain, ns: NamespaceStack, report: (p: string) => void, meter: WorkMeter): void {
  if (!ALLOWED_ELEMENTS.has(element)) report(`Invalid element name in the XHTML ('${element.slice(0, 40)}'): scripts, forms, frames, objects, styles and head/body are not allowed`);
  for (const [qname, value] of Object.entries(tag.attributes)) {
    meter.steps += 1 + value.length;
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
    const attr = ns.resolve(qname, false);
    const problem = attributeProblem(element, attr, qname, value, meter);
    if (problem) report(problem);
  }
}

function attributeProblem(element: string, attr: ResolvedName, qname: string, value: string, meter: WorkMeter): string | undefined {
  const name = attr.prefix === 'xml' ? qname : attr.local.toLowerCase();
  if (name.startsWith('on')) return `Event attributes are not allowed in the narrative ('${name.slice(0, 40)}' on <${element}>)`;
  if (attr.prefix && attr.prefix !== 'xml') return `Attribute '${qname.slice(0, 40)}' on <${element}> is not allowed (no xlink or foreign attributes in the narrative)`;
  if (!attributeAllowed(element, name)) return `Attribute '${name.slice(0, 40)}' is not allowed on <${element}> in the narrative`;
  if (URL_ATTRIBUTES.has(name)) return unsafeUrlReason(element, name, value, meter);
  if (name === 'style') return unsafeStyleReason(element, value, meter);
  return undefined;
}

/** saxes messages are precise but terse; entities get the message FHIR users know. */
function syntaxProblem(message: string): string {
  const m = message.replace(/^[^:]*:\d+:\d+: /, '');
  if (/entity/i.test(m)) return `Invalid entity in the XHTML (${m.slice(0, 120)}): only &amp; &lt; &gt; &quot; &apos; and numeric references are allowed`;
  return `Malformed XHTML: ${m.slice(0, 160)}`;
}
