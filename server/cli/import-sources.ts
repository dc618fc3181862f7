/**
 * What `twinfhir import` sends: every Bundle file is one unit, every NDJSON file is cut into batch
 * Bundles of `chunkSize` lines, read as a stream so memory stays bounded whatever the file size. Each unit
 * has a stable key (file + chunk) so a re-run after a crash skips what already landed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';

export interface ImportUnit {
  key: string;
  file: string;
  /** The request body: a transaction or batch Bundle. */
  bundle: Bundle;
  /** Resources the unit carries (for progress and the summary). */
  resources: number;
  /** Where each entry came from, for failure reports (e.g. `line 17`). */
  origins: string[];
}

const BUNDLE_EXT = /\.json$/i;
const NDJSON_EXT = /\.(ndjson|jsonl)$/i;

/** Every importable file under the given paths, sorted so runs (and resumes) see the same order. */
export function listImportFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(path.join(p, name));
    } else if (BUNDLE_EXT.test(p) || NDJSON_EXT.test(p)) {
      out.push(path.resolve(p));
    }
  };
  for (const p of paths) visit(p);
  return out;
}

/** A stable id for a resource without one: re-sending it after a crash updates instead of duplicating. */
export function stableId(fileDigest: string, line: number): string {
  // hex: FHIR ids allow only A-Z a-z 0-9 - . (64 at most)
  return createHash('sha256').update(`${fileDigest}:${line}`).digest('hex').slice(0, 40);
}

function entryFor(resource: FhirResource, serverIds: boolean, fallbackId: () => string): BundleEntry {
  if (resource.id) return { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  if (serverIds) return { resource, request: { method: 'POST', url: resource.resourceType } };
  const id = fallbackId();
  return { resource: { ...resource, id }, request: { method: 'PUT', url: `${resource.resourceType}/${id}` } };
}

function parseResource(text: string, where: string): FhirResource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { resourceType?: unknown }).resourceType !== 'string') {
    throw new Error(`${where}: not a FHIR resource (no resourceType)`);
  }
  return value as FhirResource;
}

/** A Bundle file: transaction and batch Bundles go as they are; any other Bundle or resource becomes a batch. */
export function bundleFileUnit(file: string, serverIds: boolean): ImportUnit {
  const resource = parseResource(readFileSync(file, 'utf8'), file);
  const digest = createHash('sha256').update(path.basename(file)).digest('hex');
  if (resource.resourceType === 'Bundle' && (resource.type === 'transaction' || resource.type === 'batch')) {
    const n = resource.entry?.length ?? 0;
    return { key: `${file}#bundle`, file, bundle: resource, resources: n, origins: Array.from({ length: n }, (_, i) => `entry ${i}`) };
  }
  const resources = resource.resourceType === 'Bundle' ? (resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [resource];
  const entry = resources.map((r, i) => entryFor(r, serverIds, () => stableId(digest, i)));
  return { key: `${file}#bundle`, file, bundle: { resourceType: 'Bundle', type: 'batch', entry }, resources: entry.length, origins: entry.map((_, i) => `entry ${i}`) };
}

/** Called for input that cannot be sent at all (a line or file that is not a FHIR resource); the import goes on. */
export type BadInput = (file: string, origin: string, message: string) => void;

/** NDJSON lines in batch Bundles of `chunkSize`; a line that is not a resource is reported and skipped. */
export async function* ndjsonUnits(file: string, chunkSize: number, serverIds: boolean, onBad: BadInput): AsyncGenerator<ImportUnit> {
  const digest = createHash('sha256').update(path.basename(file)).digest('hex');
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let entry: BundleEntry[] = [];
  let origins: string[] = [];
  let chunk = 0;
  let lineNo = 0;
  const unit = (): ImportUnit => ({ key: `${file}#${chunk++}`, file, bundle: { resourceType: 'Bundle', type: 'batch', entry }, resources: entry.length, origins });
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    const n = lineNo;
    let resource: FhirResource;
    try {
      resource = parseResource(line, `line ${n}`);
    } catch (err) {
      onBad(file, `line ${n}`, (err as Error).message);
      continue;
    }
    entry.push(entryFor(resource, serverIds, () => stableId(digest, n)));
    origins.push(`line ${n}`);
    if (entry.length >= chunkSize) {
      yield unit();
      entry = [];
      origins = [];
    }
  }
  if (entry.length) yield unit();
}

/** Resources in a file, counted by streaming (for the progress bar's total and ETA). */
export async function countResources(file: string): Promise<number> {
  if (!NDJSON_EXT.test(file)) {
    try {
      return bundleFileUnit(file, true).resources;
    } catch {
      return 0; // reported when the file is read for sending
    }
  }
  let n = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) n++;
  return n;
}

export function unitsOf(file: string, chunkSize: number, serverIds: boolean, onBad: BadInput): AsyncIterable<ImportUnit> {
  if (NDJSON_EXT.test(file)) return ndjsonUnits(file, chunkSize, serverIds, onBad);
  return (async function* one() {
    let unit: ImportUnit;
    try {
      unit = bundleFileUnit(file, serverIds);
    } catch (err) {
      onBad(file, 'file', (err as Error).message);
      return;
    }
    yield unit;
  })();
}
