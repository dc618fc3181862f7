/** The output of gdpr-default is still valid FHIR R4: the server's own validator finds no new error in it. */
import { createValidator } from '../../server/validation';
import { loadStoredSynthea } from '../../bench/lib/synthea-stored';
import { model, pseudonymizer } from './pseudonymize-helpers';

test('pseudonymised Synthea resources of two patients (and their providers) validate without errors', () => {
  const validator = createValidator({ model });
  const ps = pseudonymizer();
  // the shared practitioner bundle is large and uniform: a sixteenth of it is enough
  const resources = loadStoredSynthea(2).flatMap((b) => b.resources).filter((r) => !r.resourceType.startsWith('Practitioner') || r.id?.endsWith('0'));
  const errors: string[] = [];
  for (const r of resources) {
    if (validator.validate(r).some((i) => i.severity === 'error')) continue; // judge only what was valid to start with
    for (const i of validator.validate(ps.apply(r)).filter((x) => x.severity === 'error')) errors.push(`${r.resourceType} ${i.expression?.[0]}: ${i.diagnostics}`);
  }
  expect(resources.length).toBeGreaterThan(300);
  expect(errors).toEqual([]);
});
