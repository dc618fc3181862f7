/**
 * The `$export` kick-off parameters (Bulk Data Access IG 2.0, "Query Parameters"), from the query string
 * (GET) or a Parameters body (POST), checked completely before a job exists: every bad value is a 400
 * OperationOutcome naming the parameter. `_typeFilter` queries are parsed by the search parser, so they
 * mean what the same search means.
 */
import { badRequest } from '../../core/fhir-error';
import { ParamList } from '../../core/parameter-list';
import { parseSearchParams } from '../../search/parse';
import type { SearchRegistry } from '../../search/registry';

/** The formats the IG names for NDJSON; every one yields application/fhir+ndjson files. */
export const OUTPUT_FORMATS: readonly string[] = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
const KNOWN = ['_outputFormat', '_since', '_type', '_typeFilter', '_elements', '_pseudonymize', 'includeAssociatedData', 'patient'] as const;
/** Result-shaping search parameters that mean nothing in a filter (an export always returns every match). */
const NOT_FILTERS = new Set(['_include', '_revinclude', '_sort', '_count', '_total', '_summary', '_elements', '_contained', '_containedType', '_cursor', '_format', '_pretty', '_type']);
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ELEMENT = /^(?:[A-Z][A-Za-z]{1,63}\.)?[a-z][A-Za-z0-9]{0,63}(?:\[x\])?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Limits on what one kick-off may ask for (hostile input stays bounded). */
const MAX_FILTERS = 50;
const MAX_ELEMENTS = 100;
const MAX_PATIENTS = 10_000;

/** What the job persists: the request as parsed (types validated, filters kept as query strings). */
export interface ExportParams {
  /** Explicit `_type` list; undefined = every type the caller may read. */
  types?: string[];
  /** ISO instant. */
  since?: string;
  /** `_typeFilter` per type: query strings (`code=…&status=…`), OR-ed. */
  typeFilters: Record<string, string[]>;
  /** `_elements`: top-level element names, optionally per type (`Type.element`). */
  elements?: string[];
  /** Patient-level `patient` parameter: only these patients. */
  patients?: string[];
  /** `_pseudonymize`: the research export's pseudonymization profile (checked against the profiles by the service). */
  pseudonymize?: string;
  /** `includeAssociatedData`: the latest Provenance of each exported resource, or all of them ('relevant'). */
  associated?: AssociatedData;
}

export type AssociatedData = 'latest' | 'relevant';

/** The IG's include-associated-data codes this server supports; custom (`_…`) values are not known here. */
const ASSOCIATED: Record<string, AssociatedData> = { LatestProvenanceResources: 'latest', RelevantProvenanceResources: 'relevant' };

/** Every value must be a known code; both together mean all associated Provenance (the latest are among them). */
function parseAssociated(previous: AssociatedData | undefined, value: string): AssociatedData {
  let out = previous;
  const codes = split(value);
  if (!codes.length) throw badRequest('includeAssociatedData is empty', ['includeAssociatedData']);
  for (const code of codes) {
    const mode = Object.hasOwn(ASSOCIATED, code) ? ASSOCIATED[code] : undefined;
    if (!mode) throw badRequest(`includeAssociatedData '${code.slice(0, 60)}' is not supported (use ${Object.keys(ASSOCIATED).join(' or ')})`, ['includeAssociatedData']);
    out = out === 'relevant' || mode === 'relevant' ? 'relevant' : 'latest';
  }
  return out as AssociatedData;
}

/** Comma-separated queries: a comma starts a new one only before `Type?` (commas inside a query OR its values). */
const splitFilters = (v: string): string[] => v.split(/,(?=[A-Z][A-Za-z]{1,63}(?:\?|%3F))/).map((s) => s.trim()).filter((s) => s !== '');
const split = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** POST Parameters as (name, value) pairs, references as their `Patient/id` string. */
export function bodyPairs(body: unknown): [string, string][] {
  const list = ParamList.optional(body, '$export', [...KNOWN]);
  return list.nodes.map((n): [string, string] => {
    if (n.name === 'patient') {
      const ref = (n.value?.type === 'Reference' ? (n.value.value as { reference?: unknown }).reference : undefined);
      if (typeof ref !== 'string') throw badRequest("$export: parameter 'patient' must be a valueReference with a reference", [n.expression]);
      return [n.name, ref];
    }
    const v = n.value?.value;
    if (typeof v !== 'string') throw badRequest(`$export: parameter '${n.name}' must be a string-valued value[x]`, [n.expression]);
    return [n.name, v];
  });
}

function parseSince(v: string): string {
  const t = Date.parse(v);
  if (!FHIR_INSTANT.test(v) || Number.isNaN(t)) throw badRequest(`_since must be a FHIR instant with a time zone (e.g. 2024-01-01T00:00:00Z), got '${v.slice(0, 60)}'`, ['_since']);
  return new Date(t).toISOString();
}

function parseType(registry: SearchRegistry, t: string): string {
  if (!registry.isResourceType(t)) throw badRequest(`_type names an unknown resource type '${t.slice(0, 64)}'`, ['_type']);
  return t;
}

/** `Type?query`: the type and the query's pairs, checked by the search parser (strict: unknown parameters are a 400). */
function parseTypeFilter(registry: SearchRegistry, v: string): [string, string] {
  const q = v.indexOf('?');
  if (q <= 0) throw badRequest(`_typeFilter must be 'Type?search', got '${v.slice(0, 80)}'`, ['_typeFilter']);
  const type = v.slice(0, q);
  if (!registry.isResourceType(type)) throw badRequest(`_typeFilter names an unknown resource type '${type.slice(0, 64)}'`, ['_typeFilter']);
  const query = v.slice(q + 1);
  const pairs = filterPairs(query);
  if (!pairs.length) throw badRequest(`_typeFilter '${type}' has an empty query`, ['_typeFilter']);
  for (const [k] of pairs) if (NOT_FILTERS.has(k.split(':')[0])) throw badRequest(`_typeFilter cannot use '${k.slice(0, 40)}': an export returns every match`, ['_typeFilter']);
  parseSearchParams(registry, [type], pairs, { strict: true });
  return [type, query];
}

/** A filter's query string as pairs; malformed percent-encoding is a 400. */
export function filterPairs(query: string): [string, string][] {
  try {
    return [...new URLSearchParams(query).entries()];
  } catch {
    throw badRequest('_typeFilter query is not valid URL encoding', ['_typeFilter']);
  }
}

function parseElements(list: string[]): string[] {
  if (list.length > MAX_ELEMENTS) throw badRequest(`_elements names more than ${MAX_ELEMENTS} elements`, ['_elements']);
  for (const e of list) if (!ELEMENT.test(e)) throw badRequest(`_elements: '${e.slice(0, 64)}' is not an element name (element or Type.element)`, ['_elements']);
  return list;
}

function parsePatient(ref: string): string {
  const id = ref.replace(/^(?:.*\/)?Patient\//, '');
  if (!/(^|\/)Patient\//.test(ref) || !ID.test(id)) throw badRequest(`patient must reference a Patient (Patient/id), got '${ref.slice(0, 80)}'`, ['patient']);
  return id;
}

/** Parses and checks every kick-off parameter; `level` decides which are allowed. */
export function parseExportParams(registry: SearchRegistry, pairs: [string, string][], level: 'system' | 'patient' | 'group'): ExportParams {
  const out: ExportParams = { typeFilters: {} };
  let filters = 0;
  for (const [name, value] of pairs) {
    if (!(KNOWN as readonly string[]).includes(name)) throw badRequest(`$export does not know the parameter '${name.slice(0, 40)}' (expected ${KNOWN.join(', ')})`, [name.slice(0, 40)]);
    if (name === '_outputFormat') {
      if (!OUTPUT_FORMATS.includes(value)) throw badRequest(`_outputFormat '${value.slice(0, 60)}' is not supported (use ${OUTPUT_FORMATS.join(', ')})`, ['_outputFormat']);
    } else if (name === '_since') {
      if (out.since !== undefined) throw badRequest('_since is given more than once', ['_since']);
      out.since = parseSince(value);
    } else if (name === '_type') {
      out.types = [...new Set([...(out.types ?? []), ...split(value).map((t) => parseType(registry, t))])];
    } else if (name === '_typeFilter') {
      for (const f of splitFilters(value)) {
        if (++filters > MAX_FILTERS) throw badRequest(`More than ${MAX_FILTERS} _typeFilter queries`, ['_typeFilter']);
        const [type, query] = parseTypeFilter(registry, decodeURIComponentSafe(f));
        (out.typeFilters[type] ??= []).push(query);
      }
    } else if (name === '_elements') {
      out.elements = parseElements([...(out.elements ?? []), ...split(value)]);
    } else if (name === '_pseudonymize') {
      if (out.pseudonymize !== undefined && out.pseudonymize !== value) throw badRequest('_pseudonymize names more than one profile', ['_pseudonymize']);
      out.pseudonymize = value;
    } else if (name === 'includeAssociatedData') {
      out.associated = parseAssociated(out.associated, value);
    } else if (name === 'patient') {
      if (level !== 'patient') throw badRequest("The parameter 'patient' is allowed only in a Patient-level $export", ['patient']);
      out.patients = [...new Set([...(out.patients ?? []), ...split(value).map(parsePatient)])];
      if (out.patients.length > MAX_PATIENTS) throw badRequest(`More than ${MAX_PATIENTS} patients`, ['patient']);
    }
  }
  checkFiltersAgainstTypes(out);
  // Provenance is linked to its targets, not to a patient: a research export could not vet it against the exclusions.
  if (out.associated && out.pseudonymize !== undefined) throw badRequest('includeAssociatedData cannot be combined with _pseudonymize', ['includeAssociatedData']);
  return out;
}

/** A filter on a type that `_type` leaves out could never apply: the IG makes it an error. */
function checkFiltersAgainstTypes(p: ExportParams): void {
  if (!p.types) return;
  for (const t of Object.keys(p.typeFilters)) {
    if (!p.types.includes(t)) throw badRequest(`_typeFilter on ${t}, which _type does not include`, ['_typeFilter']);
  }
}

/** _typeFilter values may arrive percent-encoded a second time (as the IG's examples show). */
function decodeURIComponentSafe(v: string): string {
  if (v.includes('?')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    throw badRequest('_typeFilter is not valid URL encoding', ['_typeFilter']);
  }
}
