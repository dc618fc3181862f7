/** HTML/XHTML → plain text with every text offset mapped back to the HTML source (tags stripped, entities decoded). */
import { decodeCharRef } from './html-entities';
import { MappedTextBuilder, type MappedText } from './mapped-text';

// Hand-written on purpose: the parsers we could use (parse5, htmlparser2) give node positions but no
// character-level map through decoded entities, and findings must quote the exact source span.

/** Elements whose content is not note text; skipped up to their end tag without looking inside. */
const SKIPPED = new Set(['script', 'style', 'title', 'template', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes']);
/** Elements that may sit in <head>; any other start tag (or text) ends the head, as in HTML5 parsing. */
const HEAD_CONTENT = new Set(['meta', 'link', 'base', 'title', 'style', 'script', 'noscript', 'template']);
/** Elements that start a new line where they open or close. */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'center', 'dd', 'details', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr',
  'legend', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead',
  'tr', 'ul',
]);
const CELLS = new Set(['td', 'th']);

interface Tag {
  name: string;
  closing: boolean;
  /** `<x/>`: an empty element in XHTML, so a skipped element has no content to skip. */
  selfClosing: boolean;
  /** Source offset just past the tag's '>'. */
  end: number;
}

export function htmlToText(html: string): MappedText {
  return new HtmlScanner(html).run();
}

class HtmlScanner {
  private readonly out = new MappedTextBuilder();
  private inHead = false;
  private afterBody = false;
  /** Open <table> elements, and whether a <td>/<th> is open (cells end at their end tag or the next cell/row). */
  private tableDepth = 0;
  private inCell = false;
  /** A start or end tag's name, matched exactly at lastIndex (sticky), so no slice of the source is made. */
  private readonly tagOpen = /<(\/?)([A-Za-z][^\s/>]*)/y;

  constructor(private readonly src: string) {}

  run(): MappedText {
    const { src } = this;
    let i = 0;
    while (i < src.length) {
      const lt = src.indexOf('<', i);
      const textEnd = lt < 0 ? src.length : lt;
      this.text(i, textEnd);
      if (lt < 0) break;
      i = this.markup(lt);
    }
    return this.out.build();
  }

  /** Character data between tags: copied, with character references decoded in place. */
  private text(start: number, end: number): void {
    if (start >= end || !this.isContent(start, end)) return;
    let i = start;
    while (i < end) {
      const amp = this.src.indexOf('&', i);
      if (amp < 0 || amp >= end) break;
      const ref = decodeCharRef(this.src, amp);
      if (!ref || amp + ref.length > end) {
        this.out.copy(this.src, i, amp + 1);
        i = amp + 1;
        continue;
      }
      this.out.copy(this.src, i, amp);
      this.out.insert(ref.value, amp, amp + ref.length);
      i = amp + ref.length;
    }
    this.out.copy(this.src, i, end);
  }

  /**
   * Layout whitespace in <head>, before the first text and after </body> is not content; anything else there
   * implicitly ends the head or reopens the body, as an HTML5 parser would.
   */
  private isContent(start: number, end: number): boolean {
    // layout whitespace between a table's rows and cells is not content: a row stays one line of tab-separated cells
    if (this.tableDepth > 0 && !this.inCell && !/\S/.test(this.src.slice(start, end))) return false;
    if (!this.inHead && !this.afterBody && this.out.size > 0) return true;
    if (!/\S/.test(this.src.slice(start, end))) return false;
    this.inHead = false;
    this.afterBody = false;
    return true;
  }

  /** Handles the construct starting with '<' at `at`; returns where scanning resumes. */
  private markup(at: number): number {
    const { src } = this;
    if (src.startsWith('<!--', at)) return this.comment(at);
    if (src.startsWith('<![CDATA[', at)) return this.cdata(at);
    if (src[at + 1] === '!' || src[at + 1] === '?') return this.after('>', at + 2);
    const tag = this.tag(at);
    if (!tag) {
      // a '<' that opens no tag ("a < b") is text
      this.text(at, at + 1);
      return at + 1;
    }
    this.apply(tag, at);
    const hasContent = !tag.closing && !tag.selfClosing && SKIPPED.has(tag.name);
    return hasContent ? this.skipContent(tag.name, tag.end) : tag.end;
  }

  private comment(at: number): number {
    // "<!-->" and "<!--->" are complete (empty) comments in HTML5
    if (this.src.startsWith('<!-->', at)) return at + 5;
    if (this.src.startsWith('<!--->', at)) return at + 6;
    return this.after('-->', at + 4);
  }

  /** XHTML CDATA sections are character data, copied without entity decoding. */
  private cdata(at: number): number {
    const start = at + '<![CDATA['.length;
    const close = this.src.indexOf(']]>', start);
    const end = close < 0 ? this.src.length : close;
    if (this.isContent(start, end)) this.out.copy(this.src, start, end);
    return close < 0 ? end : close + 3;
  }

  /** Offset just past the next `marker` from `from`, or the end of the source when it never comes. */
  private after(marker: string, from: number): number {
    const i = this.src.indexOf(marker, from);
    return i < 0 ? this.src.length : i + marker.length;
  }

  private tag(at: number): Tag | undefined {
    this.tagOpen.lastIndex = at;
    const m = this.tagOpen.exec(this.src);
    if (!m) return undefined;
    const qualified = m[2].toLowerCase();
    // XHTML may prefix elements with a namespace ("xhtml:p"); the local name is what matters
    const name = qualified.slice(qualified.lastIndexOf(':') + 1);
    const end = this.tagEnd(at + m[0].length);
    return { name, closing: m[1] === '/', selfClosing: this.src[end - 2] === '/', end };
  }

  /** Finds the '>' that closes a tag, skipping '>' inside quoted attribute values. */
  private tagEnd(from: number): number {
    const { src } = this;
    const gt = src.indexOf('>', from);
    if (gt < 0) return src.length;
    // most tags have no quoted value holding a '>': then the first '>' closes the tag
    const quote = src.slice(from, gt).search(/["']/);
    if (quote < 0) return gt + 1;
    let afterEquals = false;
    for (let j = from; j < src.length; j++) {
      const c = src[j];
      if (c === '>') return j + 1;
      if ((c === '"' || c === "'") && afterEquals) {
        const close = src.indexOf(c, j + 1);
        if (close < 0) return src.length;
        j = close;
        afterEquals = false;
      } else if (c === '=') afterEquals = true;
      else if (!/\s/.test(c)) afterEquals = false;
    }
    return src.length;
  }

  /** Line breaks and cell separators for a tag, mapped to the tag's '<'. */
  private apply(tag: Tag, at: number): void {
    if (tag.closing && (tag.name === 'body' || tag.name === 'html')) this.afterBody = true;
    else if (!tag.closing) this.afterBody = false;
    if (tag.name === 'head') this.inHead = !tag.closing;
    else if (tag.name === 'body' || (!tag.closing && !HEAD_CONTENT.has(tag.name))) this.inHead = false;
    if (this.inHead) return;
    this.trackTable(tag);
    const last = this.out.lastChar;
    if (tag.name === 'br' && !tag.closing) this.out.insert('\n', at, tag.end);
    else if (BLOCKS.has(tag.name) && last !== '' && last !== '\n') this.out.insert('\n', at, tag.end);
    // one tab before every cell of a row but the first, empty cells included: the table reader counts columns
    else if (CELLS.has(tag.name) && !tag.closing && last !== '' && last !== '\n') this.out.insert('\t', at, tag.end);
  }

  private trackTable(tag: Tag): void {
    if (tag.name === 'table') {
      this.tableDepth = Math.max(0, this.tableDepth + (tag.closing ? -1 : 1));
      this.inCell = false;
    } else if (CELLS.has(tag.name)) this.inCell = !tag.closing;
    else if (tag.name === 'tr') this.inCell = false;
  }

  /** Skips a skipped element's content up to and including its end tag. */
  private skipContent(name: string, from: number): number {
    const close = new RegExp(`</${name}[\\s/>]`, 'gi');
    close.lastIndex = from;
    const m = close.exec(this.src);
    return m ? this.tagEnd(m.index + m[0].length - 1) : this.src.length;
  }
}
