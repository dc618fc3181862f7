/**
 * The Synthea transaction bundles as NDJSON, the shape a Bulk Data export would have: every resource
 * keeps its id (the bundle's urn:uuid), every `urn:uuid:` reference becomes `Type/id`, and the shared
 * organizations and practitioners come first. Used by the $import tests and bench/import.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';

export interface SyntheaNdjson {
  /** One resource per line, in load order. */
  lines: string[];
  /** The same resources, parsed (what each must read back as). */
  resources: (Resource & { id: string })[];
}

export function syntheaBundleFiles(): string[] {
  const dir = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const shared = (f: string): boolean => f.startsWith('hospital') || f.startsWith('practitioner');
  return [...files.filter(shared).sort(), ...files.filter((f) => !shared(f)).sort()].map((f) => path.join(dir, f));
}

export function syntheaNdjson(files = syntheaBundleFiles()): SyntheaNdjson {
  const bundles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Bundle);
  const refs = new Map<string, string>();
  for (const b of bundles) {
    for (const e of b.entry ?? []) if (e.fullUrl && e.resource?.id) refs.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
  }
  const lines: string[] = [];
  for (const b of bundles) {
    for (const e of b.entry ?? []) {
      if (!e.resource?.id) continue;
      lines.push(JSON.stringify(e.resource).replace(/"urn:uuid:[0-9a-fA-F-]+"/g, (m) => {
        const ref = refs.get(m.slice(1, -1));
        return ref ? `"${ref}"` : m;
      }));
    }
  }
  return { lines, resources: lines.map((l) => JSON.parse(l) as Resource & { id: string }) };
}
