/** The 1,215 Synthea clinical notes (inline base64 text/plain; charset=utf-8) all decode to non-empty text. */
import { readFileSync } from 'node:fs';
import type { DocumentReference } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';
import { loadNoteText, type BinaryLoader } from '../../server/nlp/attachment';

const NOTES = fromRoot('..', 'shared', 'data', 'synthea-ndjson-notes', 'DocumentReference.000.ndjson');

describe('Synthea notes', () => {
  it('decodes every DocumentReference without error, fetching nothing', async () => {
    const docs = readFileSync(NOTES, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as DocumentReference);
    expect(docs).toHaveLength(1215);
    const asked: string[] = [];
    const load: BinaryLoader = async (id) => {
      asked.push(id);
      return null;
    };
    let chars = 0;
    for (const doc of docs) {
      const note = await loadNoteText(doc, load);
      expect(note.contentType).toBe('text/plain');
      expect(note.contentIndex).toBe(0);
      expect(note.text.trim().length).toBeGreaterThan(0);
      // the text is exactly the attachment's UTF-8: nothing normalised away
      expect(Buffer.from(note.text, 'utf8').toString('base64')).toBe(doc.content[0].attachment.data);
      chars += note.text.length;
    }
    expect(asked).toEqual([]);
    expect(chars).toBeGreaterThan(1215 * 100);
  });
});
