/** Internal types shared by the walker, the rules and the orchestrator. */
import type { Issue } from '../core/fhir-error';
import type { ChildInfo, R4Model } from '../core/r4/element-model';

export type JsonObject = Record<string, unknown>;

/** Where `#id` references are resolved: one top-level resource with its contained resources. */
export interface RefScope {
  /** Contained resources by id, and whether they point back to the container (`#`). */
  contained: Map<string, { expression: string; refersToContainer: boolean }>;
  /** Every `#x` target seen in references, canonicals and uris (for dom-3). */
  localTargets: Set<string>;
  /** Reference.reference values `#x`, checked against contained ids (ref-1). */
  localRefs: { id: string; expression: string }[];
}

/** The resource being walked. */
export interface Frame {
  scope: RefScope;
  /** Set while walking a contained resource: its id. */
  containedId?: string;
}

/** What the walker needs from its surroundings. */
export interface WalkEnv {
  model: R4Model;
  resourceTypes: ReadonlySet<string>;
  report(issue: Issue): void;
  /** Validates a nested resource (contained, Bundle.entry.resource, Parameters.parameter.resource). */
  nested(node: unknown, expression: string, viaContained: boolean, frame: Frame): void;
  /** Called for every Extension object (profile checks for our own extensions). */
  extension(node: JsonObject, expression: string): void;
}

/** What a datatype rule gets: the node's context. */
export interface RuleContext {
  env: WalkEnv;
  frame: Frame;
  expression: string;
  /** How the parent defines this element (e.g. Reference target types). */
  info: ChildInfo | undefined;
}

export type DatatypeRule = (node: JsonObject, cx: RuleContext) => void;

export function newScope(): RefScope {
  return { contained: new Map(), localTargets: new Set(), localRefs: [] };
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
