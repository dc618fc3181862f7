/** One call to validate(): schema + walk + profiles for a resource and, recursively, every resource nested in it. */
import type { Issue } from '../core/fhir-error';
import { ajvIssues } from './ajv-issues';
import { issue } from './issue';
import type { ProfileChecker } from './profile-checker';
import { preview } from './primitives';
import type { R4Model } from '../core/r4/element-model';
import type { RequiredElement } from '../core/r4/element-model';
import type { R4Schema } from './r4-schema';
import { type Frame, type JsonObject, type RefScope, type WalkEnv, isObject, newScope } from './types';
import { ResourceWalker } from './walker';

/** Bundles in Parameters in Bundles...: deeper nesting is refused rather than recursed into. */
const MAX_NESTING = 16;

export interface ValidatorParts {
  model: R4Model;
  schema: R4Schema;
  required: ReadonlyMap<string, RequiredElement[]>;
  profiles: ProfileChecker;
  resourceTypes: ReadonlySet<string>;
}

export class ValidationRun implements WalkEnv {
  readonly issues: Issue[] = [];
  readonly model: R4Model;
  readonly resourceTypes: ReadonlySet<string>;
  private depth = 0;

  constructor(private readonly parts: ValidatorParts) {
    this.model = parts.model;
    this.resourceTypes = parts.resourceTypes;
  }

  report(i: Issue): void {
    this.issues.push(i);
  }

  /** Validates a top-level resource; `extraProfiles` are checked in addition to its meta.profile. */
  top(resource: unknown, extraProfiles: string[]): void {
    const frame: Frame = { scope: newScope() };
    this.resource(resource, undefined, frame, extraProfiles);
    this.finishScope(frame.scope);
  }

  nested(node: unknown, expression: string, viaContained: boolean, parent: Frame): void {
    if (!viaContained) {
      const frame: Frame = { scope: newScope() };
      this.resource(node, expression, frame, []);
      this.finishScope(frame.scope);
      return;
    }
    const r = isObject(node) ? node : undefined;
    const id = typeof r?.id === 'string' ? r.id : '';
    if (parent.containedId !== undefined) this.report(issue('invariant', 'dom-2: a contained resource SHALL NOT contain additional contained resources', expression));
    if (r) {
      this.containedMeta(r, expression);
      parent.scope.contained.set(id, { expression, refersToContainer: false });
    }
    this.resource(node, expression, { scope: parent.scope, containedId: id }, []);
  }

  extension(node: JsonObject, expression: string): void {
    const profile = typeof node.url === 'string' ? this.parts.profiles.get(node.url) : undefined;
    if (profile && profile.type === 'Extension') this.parts.profiles.check(profile, node, expression, (i) => this.report(i));
  }

  private resource(node: unknown, expression: string | undefined, frame: Frame, extraProfiles: string[]): void {
    if (!isObject(node)) {
      this.report(issue('structure', `Expected a resource (a JSON object), got ${node === null ? 'null' : Array.isArray(node) ? 'an array' : typeof node}`, expression));
      return;
    }
    const type = node.resourceType;
    if (typeof type !== 'string') {
      this.report(issue('required', "Missing 'resourceType'", expression ? `${expression}.resourceType` : 'resourceType'));
      return;
    }
    if (!this.resourceTypes.has(type)) {
      this.report(issue('not-supported', `Unknown resource type '${preview(type)}' (not an R4 resource type)`, expression ?? 'resourceType'));
      return;
    }
    if (this.depth >= MAX_NESTING) {
      this.report(issue('too-costly', `Resources nested more than ${MAX_NESTING} levels deep are not accepted`, expression));
      return;
    }
    const expr = expression ?? type;
    const insertAt = this.issues.length;
    this.depth++;
    try {
      const walker = new ResourceWalker(this, this.parts.required, frame);
      walker.walk(node, type, expr);
      const schemaIssues = ajvIssues(this.model, node, expr, this.parts.schema.validate(type, node), walker.nullItems);
      this.issues.splice(insertAt, 0, ...dedupeRequired(schemaIssues, this.issues.slice(insertAt)));
    } catch (e) {
      // a pathological document (e.g. thousands of nested extensions) can exhaust the stack
      if (!(e instanceof RangeError)) throw e;
      this.report(issue('too-costly', `Resource is too deeply nested to validate (${e.message})`, expr));
    } finally {
      this.depth--;
    }
    this.checkProfiles(node, type, expr, extraProfiles);
  }

  private checkProfiles(node: JsonObject, type: string, expr: string, extra: string[]): void {
    const meta = isObject(node.meta) ? node.meta : undefined;
    const declared = Array.isArray(meta?.profile) ? meta.profile.filter((p): p is string => typeof p === 'string') : [];
    for (const url of extra) {
      if (!this.parts.profiles.get(url)) this.report(issue('not-supported', `Profile '${preview(url)}' is not known to this server; not checked`, expr, 'warning'));
    }
    // canonicals from other IGs are not errors: we only enforce the profiles we hold
    for (const url of new Set([...declared, ...extra])) {
      const profile = this.parts.profiles.get(url);
      if (!profile) continue;
      if (profile.type !== type) {
        this.report(issue('invalid', `Profile ${profile.url} applies to ${profile.type}, not ${type}`, expr));
        continue;
      }
      this.parts.profiles.check(profile, node, expr, (i) => this.report(i));
    }
  }

  /** dom-4 and dom-5: contained resources carry no version, lastUpdated or security labels. */
  private containedMeta(r: JsonObject, expression: string): void {
    const meta = isObject(r.meta) ? r.meta : undefined;
    if (meta && (meta.versionId !== undefined || meta.lastUpdated !== undefined)) {
      this.report(issue('invariant', 'dom-4: a contained resource SHALL NOT have a meta.versionId or a meta.lastUpdated', `${expression}.meta`));
    }
    if (meta?.security !== undefined) this.report(issue('invariant', 'dom-5: a contained resource SHALL NOT have a security label', `${expression}.meta.security`));
  }

  /** ref-1 and dom-3: `#id` references resolve, and every contained resource is referenced. */
  private finishScope(scope: RefScope): void {
    for (const ref of scope.localRefs) {
      if (!scope.contained.has(ref.id)) {
        this.report(issue('invariant', `ref-1: SHALL have a contained resource if a local reference is provided ('#${preview(ref.id)}' not found)`, ref.expression));
      }
    }
    for (const [id, c] of scope.contained) {
      if (!c.refersToContainer && !(id && scope.localTargets.has(id))) {
        this.report(issue('invariant', `dom-3: the contained resource '${preview(id)}' is not referenced from elsewhere in the resource nor does it refer to the containing resource`, c.expression));
      }
    }
  }
}

/** Keeps one 'required' issue per expression when the schema and the cardinality table both report it. */
function dedupeRequired(schemaIssues: Issue[], walkerIssues: Issue[]): Issue[] {
  const seen = new Set(walkerIssues.filter((i) => i.code === 'required').map((i) => i.expression?.[0]));
  return schemaIssues.filter((i) => i.code !== 'required' || !seen.has(i.expression?.[0]));
}
