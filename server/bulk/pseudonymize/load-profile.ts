/**
 * Pseudonymization profiles: JSON files in profiles/pseudonymization/ named `<name>.json`, chosen by
 * name (`$export?_pseudonymize=gdpr-default`). A name is looked up, never used as a path.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FhirError, badRequest } from '../../core/fhir-error';
import { fromRoot } from '../../core/paths';
import { R4Model } from '../../core/r4/element-model';
import { type PseudonymizationProfile, profileSchema } from './profile-schema';
import { compileRules } from './rule-compiler';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const defaultProfilesDir = (): string => fromRoot('profiles', 'pseudonymization');

/** The names of the profiles in `dir`. */
export function pseudonymizationProfileNames(dir: string = defaultProfilesDir()): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).filter((n) => NAME.test(n)).sort();
}

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(profile)'}: ${i.message}`).join('; ');
}

/**
 * Checks a profile (JSON text or parsed value): its shape with zod, then every rule path against the
 * R4 model and FHIRPath. 400 with the offending field on any problem.
 */
export function parsePseudonymizationProfile(input: unknown, model: R4Model = new R4Model()): PseudonymizationProfile {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input) as unknown;
    } catch (err) {
      throw badRequest(`Pseudonymization profile is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
    }
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) throw badRequest(`Invalid pseudonymization profile: ${describeIssues(parsed.error.issues)}`);
  compileRules(parsed.data, model);
  return parsed.data;
}

/** The profile called `name` from `dir` (default profiles/pseudonymization); 400 when there is none. */
export function loadPseudonymizationProfile(name: string, opts: { dir?: string; model?: R4Model } = {}): PseudonymizationProfile {
  const dir = opts.dir ?? defaultProfilesDir();
  const known = typeof name === 'string' && NAME.test(name) ? pseudonymizationProfileNames(dir) : [];
  if (!known.includes(name)) {
    const shown = typeof name === 'string' ? name.slice(0, 64) : String(name);
    throw new FhirError(400, 'not-found', `Unknown pseudonymization profile '${shown}'; known: ${pseudonymizationProfileNames(dir).join(', ')}`, ['_pseudonymize']);
  }
  const profile = parsePseudonymizationProfile(readFileSync(path.join(dir, `${name}.json`), 'utf8'), opts.model);
  if (profile.name !== name) throw badRequest(`Pseudonymization profile file '${name}.json' declares the name '${profile.name}'`);
  return profile;
}
