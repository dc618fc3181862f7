/** HTML/XHTML note text: tags, scripts and comments stripped, entities decoded, every offset mapped to the source. */
import type { DocumentReference } from 'fhir/r4';
import { loadNoteText, type BinaryLoader, type NoteText } from '../../server/nlp/attachment';
import { PermanentExtractionError } from '../../server/nlp/errors';

const noBinary: BinaryLoader = async () => null;
const htmlDoc = (bytes: Buffer, contentType = 'text/html'): DocumentReference => ({
  resourceType: 'DocumentReference',
  status: 'current',
  content: [{ attachment: { contentType, data: bytes.toString('base64') } }],
});
const fromHtml = (html: string, contentType?: string): Promise<NoteText> => loadNoteText(htmlDoc(Buffer.from(html), contentType), noBinary);

/** Every text character comes from its source offset: copied verbatim, or an entity or tag starting there. */
function expectFaithfulMap(html: string, note: NoteText): void {
  let previous = 0;
  for (let i = 0; i < note.text.length; i++) {
    const at = note.sourceOffset(i);
    expect(at).toBeGreaterThanOrEqual(previous);
    previous = at;
    const ok = html[at] === note.text[i] || html[at] === '&' || (html[at] === '<' && /[\n\t]/.test(note.text[i]));
    if (!ok) throw new Error(`text[${i}] ${JSON.stringify(note.text[i])} maps to html[${at}] ${JSON.stringify(html[at])}`);
  }
  expect(note.sourceOffset(note.text.length)).toBeGreaterThanOrEqual(previous);
}

/** The source span a text span [start, end) came from. */
const sourceSpan = (html: string, note: NoteText, start: number, end: number): string =>
  html.slice(note.sourceOffset(start), note.sourceOffset(end));

const REPORT = [
  '<!DOCTYPE html>\n<html lang="de">\n<head>\n  <meta charset="utf-8">\n  <title>Arztbrief ascites</title>\n',
  '  <style>p { color: red } /* ascites */</style>\n',
  '  <script>var s = "<p>Aszites</p>"; if (a < b && c > d) {}</script>\n</head>\n',
  '<body>\n<h1>Befund</h1>\n<p>Patientin <b>M&uuml;ller</b>, Gr&ouml;&szlig;e 1,62&nbsp;m.</p>\n',
  '<!-- Verdacht auf Aszites: not part of the note -->\n',
  '<div><p>Ovarial<span>karzinom <i>FIGO&#160;IIIC</i></span></p></div>\n',
  '<ul><li>CA-125 &gt; 35 U/mL</li><li>Hb&#x3A;&#58; 11,2</li></ul>\n',
  '<table><tr><th>Wert</th><th>Datum</th></tr><tr><td>412</td><td>2026-03-01</td></tr></table>\n',
  '<p>Kein Hinweis<br>auf Aszites<br/>&amp; Pleuraergu&szlig; &#150; AT&T &unknown; a < b</p>\n',
  '</body>\n</html>\n',
].join('');

describe('HTML to text', () => {
  it('strips tags, head, scripts, styles and comments, and breaks lines at blocks', async () => {
    const note = await fromHtml(REPORT);
    expect(note.contentType).toBe('text/html');
    expect(note.text).toBe(
      'Befund\n\nPatientin Müller, Größe 1,62\u00a0m.\n\n\n' +
        'Ovarialkarzinom FIGO\u00a0IIIC\n\n' +
        'CA-125 > 35 U/mL\nHb:: 11,2\n\n' +
        'Wert\tDatum\n412\t2026-03-01\n\n' +
        'Kein Hinweis\nauf Aszites\n& Pleuraerguß – AT&T &unknown; a < b\n\n', // no whitespace after </body>
    );
    expect(note.text).not.toMatch(/ascites|color|var s|Verdacht|Arztbrief/);
  });

  it('maps every text offset back to the character, entity or tag it came from', async () => {
    const note = await fromHtml(REPORT);
    expectFaithfulMap(REPORT, note);
    const spans: Array<[string, string]> = [
      ['Müller', 'M&uuml;ller'],
      ['Größe', 'Gr&ouml;&szlig;e'],
      ['Ovarialkarzinom', 'Ovarial<span>karzinom'],
      ['FIGO\u00a0IIIC', 'FIGO&#160;IIIC'],
      ['CA-125 > 35 U/mL', 'CA-125 &gt; 35 U/mL'],
      ['Pleuraerguß', 'Pleuraergu&szlig;'],
      ['auf Aszites', 'auf Aszites'],
    ];
    for (const [text, source] of spans) {
      const start = note.text.indexOf(text);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(sourceSpan(REPORT, note, start, start + text.length).startsWith(source)).toBe(true);
    }
    // an entity's characters all point at its '&'
    const sz = note.text.indexOf('ß');
    expect(REPORT.slice(note.sourceOffset(sz), note.sourceOffset(sz) + 7)).toBe('&szlig;');
  });

  it('decodes named, numeric and legacy references and leaves unknown ones alone', async () => {
    const html = '<p>&auml;&Ouml;&szlig;&eacute;&euro;&alpha;&beta;&mu;&le;&ndash;&hellip; &#x1F600; &#0; &#1114112; &#xD800; &copy2026 &notit; &amp &foo; &</p>';
    const note = await fromHtml(html);
    expect(note.text).toBe('äÖßé€αβμ≤–… 😀 \ufffd \ufffd \ufffd ©2026 ¬it; & &foo; &\n');
    expectFaithfulMap(html, note);
    // the ends of the code-point-ordered tables land where they should
    const tables = await fromHtml('&nbsp;&times;&divide;&yuml;&Alpha;&Rho;&Sigma;&Omega;&alpha;&sigmaf;&omega;&lang;');
    expect(tables.text).toBe('\u00a0×÷ÿΑΡΣΩαςω⟨');
  });

  it('handles nested tags, attributes with ">" and quotes, upper case and unclosed head', async () => {
    const html = '<HTML><HEAD><TITLE>x</TITLE><P class=a title="1 > 0" data-x=\'<b>\' alt=O\'Brien>Mass <SPAN><EM>7&nbsp;cm</EM></SPAN></P>';
    const note = await fromHtml(html);
    expect(note.text).toBe('Mass 7\u00a0cm\n');
    expectFaithfulMap(html, note);
    expect(html.slice(note.sourceOffset(0), note.sourceOffset(4))).toBe('Mass');
  });

  it('skips script and style content whatever it contains, and their odd end tags', async () => {
    const html = '<p>a</p><script type="text/x">document.write("</p>b")</SCRIPT >c<style>x{}</style>d<script src="x.js"/>e';
    const note = await fromHtml(html, 'application/xhtml+xml');
    expect(note.text).toBe('a\ncde');
    expect(note.contentType).toBe('application/xhtml+xml');
    expectFaithfulMap(html, note);
  });

  it('reads XHTML with an XML declaration, CDATA and namespaced elements', async () => {
    const xhtml = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><xhtml:p>M\u00fcller</xhtml:p><p><![CDATA[a < b & c]]></p></body></html>';
    const note = await loadNoteText(htmlDoc(Buffer.from(xhtml, 'latin1'), 'application/xhtml+xml'), noBinary);
    expect(note.text).toBe('Müller\na < b & c\n');
    expectFaithfulMap(xhtml, note);
  });

  it('honours a <meta charset> when the content type declares none, and a declared charset over it', async () => {
    const page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body>Gr\u00f6\u00dfe \u20ac</body></html>';
    const bytes = Buffer.from(page.replace('\u20ac', '\x80'), 'latin1');
    expect((await loadNoteText(htmlDoc(bytes), noBinary)).text).toBe('Größe €');
    const utf8 = Buffer.from(page.replace('windows-1252', 'utf-8'));
    expect((await loadNoteText(htmlDoc(utf8, 'text/html; charset=utf-8'), noBinary)).text).toBe('Größe €');
    await expect(loadNoteText(htmlDoc(bytes, 'text/html; charset=utf-8'), noBinary)).rejects.toThrow(/not valid utf-8/);
  });

  it('maps the end of the text to the end of its last character', async () => {
    const html = '<p>Aszites &amp;</p>\n</body>\n';
    const note = await fromHtml(html);
    expect(note.text).toBe('Aszites &\n\n');
    expect(note.sourceOffset(note.text.length)).toBe(html.indexOf('</body>'));
    expect(note.sourceOffset(note.text.length - 2)).toBe(html.indexOf('</p>'));
    expect(note.sourceOffset(8)).toBe(html.indexOf('&amp;'));
  });

  it('refuses an HTML document that holds no text', async () => {
    const err = await fromHtml('<html><head><title>Arztbrief</title><script>x()</script></head><body> <br> &nbsp; </body></html>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentExtractionError);
    expect((err as Error).message).toBe('document has no text');
  });

  // Its speed is measured by `npm run bench -- hot-path` (a time limit here would only flake on a busy machine).
  it('converts a large document (10,000 table rows) and maps offsets at its far end', async () => {
    const row = '<tr><td>CA-125</td><td>412&nbsp;U/mL</td><td>M&uuml;ller</td></tr>\n';
    const html = `<table>${row.repeat(10_000)}</table>`;
    const note = await fromHtml(html);
    expect(note.text.split('\n').filter((l) => l === 'CA-125\t412\u00a0U/mL\tMüller')).toHaveLength(10_000);
    const last = note.text.lastIndexOf('Müller');
    // an exclusive end maps to where the next character's source starts: here the '\n' standing for </tr>
    expect(sourceSpan(html, note, last, last + 6)).toBe('M&uuml;ller</td>');
  });
});
