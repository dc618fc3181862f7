/**
 * _summary and _elements: return a subset of each resource, marked SUBSETTED
 * (https://hl7.org/fhir/R4/search.html#summary, #elements). Summary flags come from the official
 * StructureDefinitions, which the R4 model holds.
 */
import type { Bundle, Resource } from 'fhir/r4';
import { V3_OBSERVATION_VALUE } from '../core/canonical-urls';
import { badRequest } from '../core/fhir-error';
import type { R4Model } from '../core/r4/element-model';

const SUBSETTED = { system: V3_OBSERVATION_VALUE, code: 'SUBSETTED' };

/** What _summary needs of the R4 model: each type's top-level summary and mandatory elements. */
export type SummaryModel = Pick<R4Model, 'topLevelElements'>;

/** Matches choice elements stored as valueQuantity for the name 'value'. */
function keepKey(key: string, names: ReadonlySet<string>): boolean {
  if (names.has(key)) return true;
  for (const n of names) if (key.startsWith(n) && /^[A-Z]/.test(key.slice(n.length))) return true;
  return false;
}

function subset(model: SummaryModel, resource: Resource, names: ReadonlySet<string>): Resource {
  const info = model.topLevelElements(resource.resourceType);
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

export function shapeResource(model: SummaryModel, resource: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  if (summary === 'true') return subset(model, resource, model.topLevelElements(resource.resourceType).summary);
  if (summary === 'text') return subset(model, resource, new Set(['text']));
  if (summary === 'data') {
    const { text: _text, ...rest } = resource as Resource & { text?: unknown };
    return subset(model, rest, new Set(Object.keys(rest)));
  }
  if (elements && elements.length) return subset(model, resource, new Set(elements.map((e) => e.replace(/^[A-Z][A-Za-z]+\./, ''))));
  return resource;
}

/** Applies _summary/_elements to a read result or to the match entries of a searchset. */
export function shapeBody(model: SummaryModel, body: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  if ((!summary || summary === 'false') && !elements?.length) return body;
  if (body.resourceType === 'Bundle' && (body as Bundle).type === 'searchset') {
    const bundle = body as Bundle<Resource>;
    if (summary === 'count') return { ...bundle, entry: undefined } as Bundle<Resource>;
    return { ...bundle, entry: bundle.entry?.map((e) => (e.resource && e.search?.mode !== 'outcome' ? { ...e, resource: shapeResource(model, e.resource, summary, elements) } : e)) } as Bundle<Resource>;
  }
  if (body.resourceType === 'OperationOutcome' || body.resourceType === 'Bundle') return body;
  return shapeResource(model, body, summary === 'count' ? undefined : summary, elements);
}
