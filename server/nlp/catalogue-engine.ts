/**
 * The extraction engine over the stored catalogue: the concept dictionary and codes come from the
 * `nlp-concept` CodeSystem and the two catalogue ConceptMaps as they are stored now (read with a system
 * access context), compiled once per stored version. A write to them in this process marks the engine
 * stale at once (catalogue-hook.ts); other processes (ROLE=worker) see it at their next version check.
 */
import type { CodeSystem, ConceptMap } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { Logger } from '../core/logger';
import { indexCodeSystem } from '../search/terminology-index';
import type { StoreReader } from '../store/types';
import type { ConceptCoder } from './coding';
import type { Extractor } from './finding';
import { mappingsFromCatalogue } from './catalogue-mappings';
import type { NlpMappings } from './mappings';

/** The catalogue resources the engine reads (stable ids, written by catalogue-sync at start). */
export const ENGINE_CATALOGUE = { codeSystem: 'nlp-concept', snomedToIcd: 'nlp-snomed-to-icd10cm', conceptToLoinc: 'nlp-concept-to-loinc' } as const;

/** How often a process looks for catalogue changes made elsewhere (another replica, a worker process). */
export const CATALOGUE_CHECK_MS = 5_000;

export interface NlpEngine {
  extractor: Extractor;
  coder: ConceptCoder;
}

export interface EngineSource {
  /** The engine's name (metrics), the same whatever the catalogue holds. */
  readonly name: string;
  /** The engine compiled from the catalogue as stored now. */
  current(): Promise<NlpEngine>;
  /** A catalogue resource changed (committed): compile again on the next `current()`. */
  invalidate(): void;
}

/** A fixed engine (tests, batch evaluation): no store behind it. */
export function fixedEngine(engine: NlpEngine): EngineSource {
  return { name: engine.extractor.name, current: () => Promise.resolve(engine), invalidate: () => undefined };
}

export interface CatalogueEngineOptions {
  store: Pick<StoreReader, 'read'>;
  seed: NlpMappings;
  build: (m: NlpMappings) => NlpEngine;
  logger?: Logger;
  now?: () => number;
  checkEveryMs?: number;
}

interface Stored { key: string; cs?: CodeSystem & { id: string }; csVersion: number; maps: (ConceptMap | undefined)[] }

async function readCatalogue(store: Pick<StoreReader, 'read'>): Promise<Stored> {
  const ctx = systemContext('nlp-catalogue');
  const [cs, icd, loinc] = await Promise.all([
    store.read(ctx, 'CodeSystem', ENGINE_CATALOGUE.codeSystem),
    store.read(ctx, 'ConceptMap', ENGINE_CATALOGUE.snomedToIcd),
    store.read(ctx, 'ConceptMap', ENGINE_CATALOGUE.conceptToLoinc),
  ]);
  const live = <T>(r: typeof cs): T | undefined => (r && !r.deleted ? (r.resource as T) : undefined);
  const version = (r: typeof cs): string => (r && !r.deleted ? String(r.versionId) : '-');
  return {
    key: `${version(cs)}/${version(icd)}/${version(loinc)}`,
    cs: live<CodeSystem & { id: string }>(cs), csVersion: cs?.versionId ?? 0,
    maps: [live<ConceptMap>(icd), live<ConceptMap>(loinc)],
  };
}

export function createCatalogueEngine(o: CatalogueEngineOptions): EngineSource {
  const now = o.now ?? Date.now;
  const every = o.checkEveryMs ?? CATALOGUE_CHECK_MS;
  const seedEngine = o.build(o.seed);
  let compiled: { key: string; engine: NlpEngine } | undefined;
  let checkedAt = -Infinity;
  let pending: Promise<NlpEngine> | undefined;
  /** Bumped by invalidate(): a refresh that read before a change does not count as a check after it. */
  let generation = 0;

  const refresh = async (): Promise<NlpEngine> => {
    const started = generation;
    const stored = await readCatalogue(o.store);
    checkedAt = started === generation ? now() : -Infinity;
    if (compiled?.key === stored.key) return compiled.engine;
    let engine = seedEngine;
    if (stored.cs) {
      const codeSystem = indexCodeSystem(stored.cs, `CodeSystem/${stored.cs.id}/${stored.csVersion}`);
      engine = o.build(mappingsFromCatalogue(o.seed, { codeSystem, snomedToIcd: stored.maps[0], conceptToLoinc: stored.maps[1] }));
    } else {
      o.logger?.warn({ codeSystem: ENGINE_CATALOGUE.codeSystem }, 'the NLP concept CodeSystem is not stored: the NLP engine uses the mappings/ seed');
    }
    compiled = { key: stored.key, engine };
    return engine;
  };

  return {
    name: seedEngine.extractor.name,
    current() {
      if (compiled && now() - checkedAt < every) return Promise.resolve(compiled.engine);
      // one refresh at a time: concurrent extractions share it
      pending ??= refresh().finally(() => { pending = undefined; });
      return pending;
    },
    invalidate() { generation++; checkedAt = -Infinity; },
  };
}
