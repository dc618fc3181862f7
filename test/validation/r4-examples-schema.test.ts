/** Every official R4 example (hl7.fhir.r4.examples, 5,307 files) passes our validator, except the listed ones, each for a stated reason. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createValidator } from '../../server/validation';
import { errorsOf, examplesDir } from './helpers';

import { EXPECTED_FAILURES, type Why } from './r4-examples-expected-failures';

describe('official R4 examples', () => {
  it('all pass except the expected failures, each for its stated reason', () => {
    const v = createValidator();
    const dir = examplesDir();
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const failures = new Map<string, string[]>();
    const started = Date.now();
    for (const file of files) {
      const errors = errorsOf(v.validate(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))));
      if (errors.length) failures.set(file, errors.map((e) => `${e.expression?.[0] ?? ''}: ${e.diagnostics}`));
    }
    const byWhy = new Map<Why, number>();
    for (const { why } of Object.values(EXPECTED_FAILURES)) byWhy.set(why, (byWhy.get(why) ?? 0) + 1);
    console.log(
      `R4 examples: ${files.length} files, ${files.length - failures.size} pass, ${failures.size} fail (all expected) in ${Date.now() - started} ms\n` +
        [...byWhy].map(([why, n]) => `  ${n} ${why}`).join('\n'),
    );
    const unexpected = [...failures].filter(([f]) => !EXPECTED_FAILURES[f]).map(([f, e]) => `${f}: ${e.slice(0, 3).join(' | ')}`);
    expect(unexpected).toEqual([]);
    for (const [file, { error }] of Object.entries(EXPECTED_FAILURES)) {
      expect({ file, errors: failures.get(file) ?? [] }).toEqual({ file, errors: expect.arrayContaining([expect.stringContaining(error)]) });
    }
    expect(files.length).toBe(5307);
  }, 60000);
});
