/** Shared helpers for the NLP tests: one compiled rules engine per test file and small finding lookups. */
import type { Assertion, Finding, Language } from '../../server/nlp/finding';
import { compileRulesResources, createRulesExtractor, type RulesExtractor, type RulesResources } from '../../server/nlp/rules/engine';

let resources: RulesResources | undefined;
let engine: RulesExtractor | undefined;

export function rules(): RulesExtractor {
  resources ??= compileRulesResources();
  engine ??= createRulesExtractor(resources);
  return engine;
}

export function rulesResources(): RulesResources {
  resources ??= compileRulesResources();
  return resources;
}

export function extract(text: string, language?: Language, documentDate = '2026-03-01'): Finding[] {
  return rules().extractSync({ text, ...(language ? { language } : {}), documentDate });
}

/** Condition-like findings (condition + family) of a concept. */
export const conditionsOf = (fs: Finding[], concept: string): Finding[] =>
  fs.filter((f) => (f.kind === 'condition' || f.kind === 'family') && f.concept === concept);

/** The assertions a concept got in a note (sorted, unique). */
export function assertionsOf(fs: Finding[], concept: string): Assertion[] {
  return [...new Set(conditionsOf(fs, concept).map((f) => f.assertion))].sort();
}

export const observationsOf = (fs: Finding[], concept: string): Finding[] =>
  fs.filter((f) => f.kind === 'observation' && f.concept === concept);

/** Values (normalized to the preferred unit when there is one) of a concept, in text order. */
export const valuesOf = (fs: Finding[], concept: string): Array<number | string | undefined> =>
  observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => f.normalized?.value ?? f.value);

/** True when the note yields a present (or historical) Condition for the concept. */
export const isPresent = (fs: Finding[], concept: string): boolean =>
  conditionsOf(fs, concept).some((f) => f.kind === 'condition' && (f.assertion === 'present' || f.assertion === 'historical'));
