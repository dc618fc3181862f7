/** Lab tables on the llm and hybrid paths, against the local OpenAI-wire test server: cell quotes, rows, column dates. */
import type { Finding } from '../../server/nlp/finding';
import { createHybridExtractor } from '../../server/nlp/hybrid-extractor';
import { createLlmExtractor } from '../../server/nlp/llm/llm-extractor';
import { PROMPT_VERSION } from '../../server/nlp/llm/prompt';
import { modelFinding, startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server';
import { rules, rulesResources } from './helpers';

const note = `Labor kumulativ
Parameter            12.01.2026   19.01.2026   26.01.2026   Referenz
Hämoglobin (g/dl)    10,4 L       9,8 L        10,4 L       12,0-16,0
CA 125 (U/ml)        845 H        --           412 H        < 35
`;

let server: FakeLlmServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

const cellsOf = (fs: Finding[], concept: string): string[] =>
  fs.filter((f) => f.concept === concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.normalized?.value ?? f.value}@${f.date ?? '-'}`);

describe('llm: table cells', () => {
  it('asks for one finding per cell with its column date (prompt version bumped)', async () => {
    server = await startFakeLlmServer({ answer: () => [] });
    await createLlmExtractor({ baseUrl: server.baseUrl, model: 'm', resources: rulesResources() }).extract({ text: note, language: 'de' });
    expect(PROMPT_VERSION).toBe('findings-2026.2');
    const system = server.requests[0].system;
    expect(system).toContain('one item per cell');
    expect(system).toContain('Never read a reference-range');
  });

  it('grounds a short cell quote in its row, each repeated value at its own cell', async () => {
    server = await startFakeLlmServer({
      answer: () => [
        modelFinding({ concept: 'hemoglobin', quote: '10,4 L', row: 'Hämoglobin (g/dl)', value: 10.4, unit: 'g/dl', date: '2026-01-12' }),
        modelFinding({ concept: 'hemoglobin', quote: '9,8 L', row: 'Hämoglobin (g/dl)', value: 9.8, unit: 'g/dl', date: '2026-01-19' }),
        modelFinding({ concept: 'hemoglobin', quote: '10,4 L', row: 'Hämoglobin (g/dl)', value: 10.4, unit: 'g/dl', date: '2026-01-26' }),
        modelFinding({ concept: 'ca125', quote: '845 H', row: 'CA 125 (U/ml)', value: 845, unit: 'U/ml', date: '2026-01-12' }),
        modelFinding({ concept: 'ca125', quote: '412 H', row: 'CA 125 (U/ml)', value: 412, unit: 'U/ml', date: '2026-01-26' }),
      ],
    });
    const fs = await createLlmExtractor({ baseUrl: server.baseUrl, model: 'm', resources: rulesResources() }).extract({ text: note, language: 'de' });
    const hb = fs.filter((f) => f.concept === 'hemoglobin').sort((a, b) => a.offset - b.offset);
    expect(hb.map((f) => f.date)).toEqual(['2026-01-12', '2026-01-19', '2026-01-26']);
    // two cells read "10,4 L": each finding points at its own one, on the Hämoglobin line
    expect(new Set(hb.map((f) => f.offset)).size).toBe(3);
    const hbLine = note.indexOf('Hämoglobin');
    for (const f of fs) {
      expect(note.slice(f.offset, f.offset + f.length)).toBe(f.quote);
      if (f.concept === 'hemoglobin') expect(f.offset).toBeGreaterThan(hbLine);
    }
    expect(cellsOf(fs, 'ca125')).toEqual(['845@2026-01-12', '412@2026-01-26']);
  });
});

describe('hybrid: table cells', () => {
  it('keeps the rules cell and its column date when the llm reports the same value with another date', async () => {
    server = await startFakeLlmServer({
      answer: () => [
        // the model dated the cell by the document, and quoted the whole row
        modelFinding({ concept: 'ca125', quote: 'CA 125 (U/ml)        845 H', value: 845, unit: 'U/ml', date: '2026-01-28' }),
        modelFinding({ concept: 'hemoglobin', quote: '9,8 L', row: 'Hämoglobin (g/dl)', value: 9.8, unit: 'g/dl', date: '2026-01-19' }),
      ],
    });
    const llm = createLlmExtractor({ baseUrl: server.baseUrl, model: 'm', resources: rulesResources() });
    const fs = await createHybridExtractor(rules(), llm).extract({ text: note, language: 'de', documentDate: '2026-01-28' });
    expect(cellsOf(fs, 'ca125')).toEqual(['845@2026-01-12', '412@2026-01-26']);
    const first = fs.find((f) => f.concept === 'ca125' && f.value === 845)!;
    expect(first).toMatchObject({ engine: 'hybrid', table: true });
    expect(cellsOf(fs, 'hemoglobin')).toEqual(['10.4@2026-01-12', '9.8@2026-01-19', '10.4@2026-01-26']);
    expect(fs.find((f) => f.concept === 'hemoglobin' && f.value === 9.8)?.engine).toBe('hybrid');
  });
});
