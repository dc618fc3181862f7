/**
 * nlp/ owns notes → provisional findings: attachment text, the engines (rules/, llm/, hybrid), grounding, coding,
 * building the FHIR resources and Provenance, and the extraction job (jobs/: hook, queue, run).
 *
 * Picks the extraction engine from configuration: `rules` (offline, default), `llm`, or `hybrid` (both).
 */
import type { Extractor } from './finding';
import { createHybridExtractor } from './hybrid-extractor';
import { createLlmExtractor } from './llm/llm-extractor';
import { createRulesExtractor, type RulesResources } from './rules/engine';

export interface EngineSettings {
  engine: 'rules' | 'llm' | 'hybrid';
  llm?: { baseUrl: string; apiKey?: string; model: string; timeoutMs: number; concurrency: number };
}

export function createExtractor(settings: EngineSettings, resources: RulesResources): Extractor {
  const rules = createRulesExtractor(resources);
  if (settings.engine === 'rules') return rules;
  if (!settings.llm) throw new Error(`NLP engine '${settings.engine}' needs an LLM endpoint`);
  const llm = createLlmExtractor({
    baseUrl: settings.llm.baseUrl, apiKey: settings.llm.apiKey, model: settings.llm.model,
    timeoutMs: settings.llm.timeoutMs, maxConcurrency: settings.llm.concurrency, resources,
  });
  return settings.engine === 'llm' ? llm : createHybridExtractor(rules, llm);
}
