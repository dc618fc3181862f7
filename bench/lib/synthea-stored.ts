/**
 * The Synthea bundles in ../shared/data as a server stores them: each entry's resource with the id of
 * its fullUrl and every `urn:uuid:` reference turned into `Type/id` (what a transaction resolves them
 * to). Grouped per bundle, so a test knows whose resources are whose.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Resource } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';

export interface StoredBundle { file: string; resources: Resource[] }

interface RawBundle { entry?: { fullUrl?: string; resource?: Resource }[] }

export const SYNTHEA_BUNDLES_DIR = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');

function rewrite(value: unknown, targets: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, targets));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' && targets.has(v) ? targets.get(v) : rewrite(v, targets);
  }
  return out;
}

/** Shared (hospital, practitioner) bundles first, then the patients'; `limit` patient bundles at most. */
export function loadStoredSynthea(limit = Infinity): StoredBundle[] {
  const files = readdirSync(SYNTHEA_BUNDLES_DIR).filter((f) => f.endsWith('.json')).sort();
  const shared = files.filter((f) => f.startsWith('hospital') || f.startsWith('practitioner'));
  const patients = files.filter((f) => !shared.includes(f)).slice(0, limit);
  const raw = [...shared, ...patients].map((file) => ({ file, bundle: JSON.parse(readFileSync(`${SYNTHEA_BUNDLES_DIR}/${file}`, 'utf8')) as RawBundle }));
  const targets = new Map<string, string>();
  for (const { bundle } of raw) {
    for (const e of bundle.entry ?? []) {
      if (e.fullUrl?.startsWith('urn:uuid:') && e.resource) targets.set(e.fullUrl, `${e.resource.resourceType}/${e.fullUrl.slice(9)}`);
    }
  }
  return raw.map(({ file, bundle }) => ({
    file,
    resources: (bundle.entry ?? []).filter((e) => e.resource).map((e) => {
      const r = rewrite(e.resource, targets) as Resource;
      return e.fullUrl?.startsWith('urn:uuid:') ? { ...r, id: e.fullUrl.slice(9) } : r;
    }),
  }));
}
