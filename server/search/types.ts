/**
 * Types shared by the search registry, index extraction, query parsing and the store's search SQL.
 * Pure data: no SQL, no I/O.
 */
import type { RowRestriction } from '../core/access-context';
import type { Resource } from 'fhir/r4';

export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

export interface SearchParamDefinition {
  url: string;
  code: string;
  /** Resource types this parameter applies to ('Resource' for _id, _lastUpdated, …). */
  base: string[];
  type: SearchParamType;
  /** FHIRPath expression (may cover several base types joined with |). */
  expression?: string;
  target?: string[];
  component?: { definition: string; expression: string }[];
}

// ---- index rows extracted from a resource (written by store/ in the resource's transaction) ----
// `group` is set on the rows of a composite parameter's components (param `code$i`): rows with the
// same group come from the same element (one Observation.component), so they match together.

export interface TokenIndex {
  param: string; system: string | null; code: string | null; group?: number;
  /** Normalised display/text (for :text). */
  display?: string | null;
  /** Identifier.type coding (for :of-type). */
  typeSystem?: string | null; typeCode?: string | null;
}
/** norm: lower-cased, accents stripped, whitespace collapsed; exact: as written. */
export interface StringIndex { param: string; norm: string; exact: string; group?: number }
export interface ReferenceIndex {
  param: string; targetType: string | null; targetId: string | null; targetVersion?: string | null; url: string | null; group?: number;
  /** Reference.identifier (for :identifier). */
  identifierSystem?: string | null; identifierValue?: string | null;
}
/** Inclusive instant range [low, high] implied by the value's precision (ISO 8601 UTC). */
export interface DateIndex { param: string; low: string; high: string; group?: number }
/** Numbers as decimal strings to keep precision; [low, high] is the range implied by significant digits. */
export interface NumberIndex { param: string; value: string; low: string; high: string; group?: number }
export interface QuantityIndex {
  param: string; value: string; low: string; high: string; group?: number;
  system: string | null; code: string | null; unit: string | null;
  /** Same quantity in canonical UCUM units, when convertible. */
  canonicalCode?: string | null; canonicalLow?: string | null; canonicalHigh?: string | null;
  canonicalValue?: string | null;
}
export interface UriIndex { param: string; value: string; group?: number }

export interface IndexValues {
  token: TokenIndex[];
  string: StringIndex[];
  reference: ReferenceIndex[];
  date: DateIndex[];
  number: NumberIndex[];
  quantity: QuantityIndex[];
  uri: UriIndex[];
  /** Text for _content (all string values) and _text (narrative), for full-text search. */
  content: string;
  narrative: string;
}

// ---- a parsed search request ----

export type SearchTotalMode = 'none' | 'estimate' | 'accurate';

export interface SortKey { param: string; descending: boolean }

export interface IncludeSpec { sourceType: string; param: string; targetType?: string; iterate: boolean; wildcard: boolean }

/**
 * One AND-ed criterion; `values` are OR-ed. The search module owns the detailed shape
 * (modifiers, prefixes, chains, _has); the store's SQL builder consumes it.
 */
export interface Criterion {
  /** Parameter code as written by the client (without modifier/chain). */
  code: string;
  definition?: SearchParamDefinition;
  modifier?: string;
  /** Chained parameter (subject:Patient.name=…): the criterion applied to the referenced resource. */
  chain?: { targetType?: string; criterion: Criterion; /** Candidate target types when none was written. */ targetTypes?: string[] };
  /** Reverse chain: _has:Observation:patient:code=… */
  has?: { sourceType: string; referenceParam: string; criterion: Criterion };
  values: string[];
  /** The values parsed for the parameter's type (same order as `values`); set by parseSearchParams. */
  parsed?: SearchValue[];
}

// ---- parsed values (one per OR-ed value) ----

export type SearchPrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/**
 * system: undefined = any system, null = explicitly no system (`|code`).
 * valueSet: the ValueSet (canonical URL or ValueSet/id) of `:in` / `:not-in`.
 */
export interface TokenValue {
  kind: 'token'; system?: string | null; code?: string; typeSystem?: string; typeCode?: string; text?: string; valueSet?: string;
}
export interface StringValue { kind: 'string'; value: string; norm: string }
/** Inclusive UTC instant range of the value (ISO strings). */
export interface DateValue { kind: 'date'; prefix: SearchPrefix; low: string; high: string }
export interface NumberValue { kind: 'number'; prefix: SearchPrefix; value: string; low: string; high: string }
export interface QuantityValue {
  kind: 'quantity'; prefix: SearchPrefix; value: string; low: string; high: string;
  system?: string; code?: string;
  /** The value in canonical UCUM units when the unit is convertible. */
  canonical?: { code: string; value: string; low: string; high: string };
}
/** `version`: a version-specific value (`Patient/1/_history/2`) matches only references to that version. */
export interface ReferenceValue {
  kind: 'reference'; targetType?: string; id?: string; version?: string; url?: string; identifierSystem?: string; identifierValue?: string;
}
export interface UriValue { kind: 'uri'; value: string }
export interface MissingValue { kind: 'missing'; missing: boolean }
export interface TextValue { kind: 'text'; value: string }
/**
 * `code-value-quantity=loinc|8480-6$gt100`: every component must match, on the same element.
 * `code`: the component's own parameter (resource-level composites, matched on its rows) or the
 * composite's grouped rows `param$i` (composites over sub-elements).
 */
export interface CompositeValue {
  kind: 'composite';
  /** 'resource': the composite is evaluated on the resource itself; 'grouped': on sub-elements (rows share a group). */
  strategy: 'resource' | 'grouped';
  components: { code: string; type: SearchParamType; value: SearchValue }[];
}

/** `Location?near=lat|long|distance|units`: WGS84 degrees and a radius in metres. */
export interface NearValue { kind: 'near'; latitude: number; longitude: number; meters: number }

export type SearchValue =
  | TokenValue | StringValue | DateValue | NumberValue | QuantityValue | ReferenceValue | UriValue | MissingValue | TextValue | CompositeValue
  | NearValue;

export interface SearchQuery {
  /** One type for type search; several (or empty = all) for system search with _type. */
  resourceTypes: string[];
  /** With resourceTypes empty: types left out of "all" (the audit trail is found only by naming it). */
  excludeTypes?: string[];
  criteria: Criterion[];
  sort: SortKey[];
  count: number;
  total: SearchTotalMode;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** Compartment search: /Patient/123/Observation. */
  compartment?: { resourceType: string; id: string };
  /**
   * `_contained=true`: the containers whose contained resources of the searched type match;
   * `both`: those and the matching resources themselves. Absent: `_contained=false`.
   */
  contained?: 'true' | 'both';
  /** `_containedType=contained`: return the matching contained resources themselves instead of their containers. */
  containedType?: 'contained';
  /** Opaque, signed keyset cursor from a previous page. */
  cursor?: string;
  /**
   * Set by the store from the AccessContext, never from the request: only rows of this patient's
   * compartment may match, be counted, included, or satisfy a chain or _has.
   */
  restriction?: RowRestriction;
}

export interface SearchResult {
  matches: Resource[];
  includes: Resource[];
  total?: number;
  nextCursor?: string;
  /** Keyset cursor to the page before this one (pages after the first). */
  prevCursor?: string;
  /**
   * With `_containedType=contained`: per match, `Type/id` of the resource that contains it
   * (undefined for a match that is not contained); its fullUrl is that container's with `#id`.
   */
  containers?: (string | undefined)[];
}
