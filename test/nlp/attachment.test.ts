/** DocumentReference attachment → note text: content choice, charsets, Binary URLs, limits and errors. */
import type { Attachment, Binary, DocumentReference } from 'fhir/r4';
import { loadNoteText, type BinaryLoader } from '../../server/nlp/attachment';
import { PermanentExtractionError } from '../../server/nlp/errors';

const doc = (...attachments: Attachment[]): DocumentReference => ({
  resourceType: 'DocumentReference',
  status: 'current',
  content: attachments.map((attachment) => ({ attachment })),
});
const b64 = (x: string | Uint8Array | number[]): string => Buffer.from(x as Uint8Array).toString('base64');
const inline = (contentType: string | undefined, bytes: string | number[]): Attachment => ({
  ...(contentType ? { contentType } : {}),
  data: b64(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes),
});
const noBinary: BinaryLoader = async () => null;

/** A loader over an in-memory set of Binaries that records which ids were asked for. */
function binaries(...stored: Binary[]): BinaryLoader & { asked: string[] } {
  const asked: string[] = [];
  const load = async (id: string): Promise<Binary | null> => {
    asked.push(id);
    return stored.find((b) => b.id === id) ?? null;
  };
  return Object.assign(load, { asked });
}
const binary = (id: string, contentType: string, text: string | number[]): Binary => ({
  resourceType: 'Binary',
  id,
  contentType,
  data: b64(typeof text === 'string' ? Buffer.from(text, 'utf8') : text),
});

async function failure(p: Promise<unknown>): Promise<PermanentExtractionError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PermanentExtractionError);
  return err as PermanentExtractionError;
}

describe('content types and choice', () => {
  it('reads inline text/plain as UTF-8 with identity offsets and the attachment language', async () => {
    const text = 'Befund:\r\nAszites, Müller.\r\n';
    const note = await loadNoteText(doc({ ...inline('text/plain', text), language: 'de' }), noBinary);
    expect(note).toMatchObject({ text, contentType: 'text/plain', language: 'de', contentIndex: 0 });
    expect(note.sourceOffset(9)).toBe(9);
    expect(note.sourceOffset(text.length)).toBe(text.length);
  });

  it('falls back to the DocumentReference language and omits language when there is none', async () => {
    const withDocLang = await loadNoteText({ ...doc(inline('text/plain', 'x')), language: 'en-GB' }, noBinary);
    expect(withDocLang.language).toBe('en-GB');
    const none = await loadNoteText(doc(inline('text/plain', 'x')), noBinary);
    expect('language' in none).toBe(false);
  });

  it('keeps markdown as it is', async () => {
    const md = '# Diagnosis\n\n- **Ovarian cancer** FIGO IIIC\n';
    const note = await loadNoteText(doc(inline('text/markdown; charset=utf-8', md)), noBinary);
    expect(note).toMatchObject({ text: md, contentType: 'text/markdown' });
  });

  it('prefers plain over markdown over HTML over PDF, and the first of equals', async () => {
    const d = doc(
      inline('application/pdf', 'not read'),
      inline('text/html', '<p>html</p>'),
      inline('image/png', [0x89, 0x50]),
      inline('text/markdown', 'markdown'),
      inline('text/plain', 'plain one'),
      inline('text/plain', 'plain two'),
    );
    const note = await loadNoteText(d, noBinary);
    expect(note).toMatchObject({ text: 'plain one', contentIndex: 4 });
    const htmlOnly = await loadNoteText(doc(inline('image/png', [1]), inline('TEXT/HTML; charset=UTF-8', '<p>x</p>')), noBinary);
    expect(htmlOnly).toMatchObject({ text: 'x\n', contentType: 'text/html', contentIndex: 1 });
  });

  it('refuses unsupported types, naming them', async () => {
    const png = await failure(loadNoteText(doc(inline('image/png', [0x89, 0x50])), noBinary));
    expect(png.message).toContain('image/png');
    const octets = await failure(loadNoteText(doc(inline('application/octet-stream', 'abc'), inline(undefined, 'x')), noBinary));
    expect(octets.message).toContain('application/octet-stream');
    expect(octets.message).toContain('(none)');
    await expect(loadNoteText({ ...doc(), content: [] }, noBinary)).rejects.toThrow('no content');
  });

  it('refuses a document without text', async () => {
    await expect(loadNoteText(doc(inline('text/plain', ' \r\n\t ')), noBinary)).rejects.toThrow('document has no text');
    await expect(loadNoteText(doc(inline('text/plain', '')), noBinary)).rejects.toThrow('document has no text');
  });
});

describe('charsets', () => {
  const plain = (contentType: string, bytes: number[]) => loadNoteText(doc(inline(contentType, bytes)), noBinary);
  const MUELLER_LATIN1 = [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72];

  it('decodes ISO-8859-1 and windows-1252 (quoted parameter too)', async () => {
    expect((await plain('text/plain; charset=ISO-8859-1', MUELLER_LATIN1)).text).toBe('Müller');
    expect((await plain('text/plain;charset="windows-1252"', [0x80, 0x20, 0x35])).text).toBe('€ 5');
    // latin1 labels mean windows-1252 (WHATWG); bytes it leaves undefined stay C1 controls
    expect((await plain('text/plain; charset=latin1', [0x93, 0x41, 0x94, 0x96, 0x81, 0xe4])).text).toBe('“A”–\u0081ä');
  });

  it('decodes UTF-16 by its BOM (dropped from the text) with or without a declared charset', async () => {
    const le = [0xff, 0xfe, ...Buffer.from('Müller\r\n', 'utf16le')];
    expect((await plain('text/plain; charset=utf-16', le)).text).toBe('Müller\r\n');
    const be = [0xfe, 0xff, ...Buffer.from('Müller', 'utf16le').swap16()];
    expect((await plain('text/plain', be)).text).toBe('Müller');
    expect((await plain('text/plain; charset=utf-16be', [...Buffer.from('Ö', 'utf16le').swap16()])).text).toBe('Ö');
  });

  it('lets a BOM win over a declared charset and strips the UTF-8 BOM', async () => {
    const bytes = [0xef, 0xbb, 0xbf, ...Buffer.from('Müller')];
    expect((await plain('text/plain; charset=iso-8859-1', bytes)).text).toBe('Müller');
  });

  it('refuses invalid UTF-8, odd UTF-16 and unknown charsets', async () => {
    const bad = await failure(plain('text/plain', [0x4d, 0xc3, 0x28, 0x6c]));
    expect(bad.message).toMatch(/not valid utf-8/);
    await expect(plain('text/plain; charset=utf-8', MUELLER_LATIN1)).rejects.toThrow(/not valid utf-8/);
    await expect(plain('text/plain; charset=utf-16le', [0x41, 0x00, 0x42])).rejects.toThrow(/not valid utf-16le/);
    await expect(plain('text/plain; charset=klingon-8', [0x41])).rejects.toThrow('unknown charset "klingon-8"');
  });

  it('refuses invalid base64 but accepts line-wrapped base64', async () => {
    await expect(loadNoteText(doc({ contentType: 'text/plain', data: 'aGVsbG8*' }), noBinary)).rejects.toThrow(/not valid base64/);
    await expect(loadNoteText(doc({ contentType: 'text/plain', data: 'aGVsbG8' }), noBinary)).rejects.toThrow(/not valid base64/);
    await expect(loadNoteText(doc({ contentType: 'text/plain', data: 'aGV=sbG8' }), noBinary)).rejects.toThrow(/not valid base64/);
    const wrapped = await loadNoteText(doc({ contentType: 'text/plain', data: 'aGVs\r\nbG8g\nd29y bGQ=' }), noBinary);
    expect(wrapped.text).toBe('hello world');
  });
});

describe('Binary attachments', () => {
  const BASE = 'https://ehr.example.org/fhir';

  it('reads Binary/{id} and {base}/Binary/{id}, with the host compared case-insensitively', async () => {
    const load = binaries(binary('n1', 'text/plain', 'first note'), binary('n-2.x', 'text/plain', 'second note'));
    expect((await loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/n1' }), load)).text).toBe('first note');
    const abs = { contentType: 'text/plain', url: 'https://EHR.example.org/fhir/Binary/n-2.x' };
    expect((await loadNoteText(doc(abs), load, { baseUrl: `${BASE}/` })).text).toBe('second note');
    expect(load.asked).toEqual(['n1', 'n-2.x']);
  });

  it('refuses URLs outside this server without fetching anything', async () => {
    const load = binaries(binary('n1', 'text/plain', 'note'));
    const refused = [
      'https://evil.example/fhir/Binary/n1',
      'http://ehr.example.org/fhir/Binary/n1', // another scheme is another origin
      'https://ehr.example.org/other/Binary/n1',
      'https://ehr.example.org/fhir/Binary/n1?x=1',
      'https://ehr.example.org/fhir/Patient/n1',
      'https://ehr.example.org/fhir/Binary/../Patient/n1',
      'Patient/n1',
      'Binary/n1/_history/2',
      'file:///etc/passwd',
      'urn:uuid:0c2b1c1e-8d2b-4c79-9a4f-2d0b9e0f7a11',
    ];
    for (const url of refused) {
      const err = await failure(loadNoteText(doc({ contentType: 'text/plain', url }), load, { baseUrl: BASE }));
      expect(err.message).toMatch(/not a Binary of this server/);
    }
    // without a configured base even our own absolute URL cannot be recognised
    await expect(loadNoteText(doc({ contentType: 'text/plain', url: `${BASE}/Binary/n1` }), load)).rejects.toThrow(/not a Binary/);
    expect(load.asked).toEqual([]);
  });

  it('refuses a missing Binary, one without data, and an attachment with neither data nor url', async () => {
    await expect(loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/gone' }), noBinary)).rejects.toThrow(
      'content[0] refers to Binary/gone, which does not exist or was deleted',
    );
    const empty = binaries({ resourceType: 'Binary', id: 'e', contentType: 'text/plain' });
    await expect(loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/e' }), empty)).rejects.toThrow('Binary/e has no data');
    await expect(loadNoteText(doc({ contentType: 'text/plain' }), noBinary)).rejects.toThrow('neither data nor url');
  });

  it('passes a failing loader through unchanged, so the caller can retry', async () => {
    const down = new Error('database unavailable');
    const load: BinaryLoader = async () => {
      throw down;
    };
    await expect(loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/x' }), load)).rejects.toBe(down);
  });

  it('takes type and charset from the Binary when the attachment lacks them', async () => {
    const load = binaries(
      binary('latin', 'text/plain; charset=ISO-8859-1', [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]),
      binary('page', 'text/html', '<p>Aszites</p>'),
      binary('img', 'image/jpeg', [0xff, 0xd8]),
    );
    const untyped = await loadNoteText(doc({ url: 'Binary/latin' }), load);
    expect(untyped).toMatchObject({ text: 'Müller', contentType: 'text/plain' });
    const charsetOnly = await loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/latin' }), load);
    expect(charsetOnly.text).toBe('Müller');
    const generic = await loadNoteText(doc({ url: 'Binary/img' }, { contentType: 'application/octet-stream', url: 'Binary/page' }), load);
    expect(generic).toMatchObject({ text: 'Aszites\n', contentType: 'text/html', contentIndex: 1 });
    await expect(loadNoteText(doc({ url: 'Binary/img' }), load)).rejects.toThrow('Binary image/jpeg');
  });

  it('uses inline data when an attachment has both data and url', async () => {
    const load = binaries(binary('n1', 'text/plain', 'from binary'));
    const note = await loadNoteText(doc({ ...inline('text/plain', 'inline'), url: 'Binary/n1' }), load);
    expect(note.text).toBe('inline');
    expect(load.asked).toEqual([]);
  });
});

describe('limits and privacy', () => {
  const SECRET = 'Patientin Erika Mustermann hat Aszites';

  it('refuses attachments over maxBytes before decoding and texts over maxChars', async () => {
    const text = 'x'.repeat(1000);
    await expect(loadNoteText(doc(inline('text/plain', text)), noBinary, { maxBytes: 999 })).rejects.toThrow(/1000 bytes, more than the limit of 999/);
    expect((await loadNoteText(doc(inline('text/plain', text)), noBinary, { maxBytes: 1000 })).text).toHaveLength(1000);
    await expect(loadNoteText(doc(inline('text/plain', text)), noBinary, { maxChars: 999 })).rejects.toThrow(/1000 characters/);
    const load = binaries(binary('big', 'text/plain', text));
    await expect(loadNoteText(doc({ contentType: 'text/plain', url: 'Binary/big' }), load, { maxBytes: 10 })).rejects.toThrow(/Binary\/big data/);
  });

  it('never puts note text into an error message', async () => {
    const latin1 = [...Buffer.from(SECRET, 'latin1'), 0xfc];
    const failures = [
      loadNoteText(doc(inline('text/plain', latin1)), noBinary),
      loadNoteText(doc(inline('text/plain', SECRET)), noBinary, { maxChars: 10 }),
      loadNoteText(doc(inline('text/plain', SECRET)), noBinary, { maxBytes: 10 }),
      loadNoteText(doc(inline('application/pdf', SECRET)), noBinary),
      loadNoteText(doc({ contentType: 'text/plain', data: b64(SECRET) + '!' }), noBinary),
    ];
    for (const p of failures) {
      const err = await failure(p);
      expect(err.message).not.toMatch(/Mustermann|Aszites/);
    }
  });
});
