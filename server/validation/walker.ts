/** Walks one resource guided by the R4 model and reports what the JSON schema cannot see (nulls, empties, choices, cardinality, values). */
import { type IssueType, issue } from './issue';
import { checkPrimitive } from './primitives';
import type { ChildInfo } from '../core/r4/element-model';
import type { RequiredElement } from '../core/r4/element-model';
import { DATATYPE_RULES } from './datatype-rules';
import { checkXhtml } from './xhtml';
import { type Frame, type JsonObject, type WalkEnv, isObject } from './types';

const LOCAL_TARGET_TYPES = new Set(['uri', 'url', 'canonical']);

export class ResourceWalker {
  /** FHIRPaths of `null` array items: the walker judged them, so their schema errors are dropped. */
  readonly nullItems = new Set<string>();

  constructor(
    private readonly env: WalkEnv,
    private readonly required: ReadonlyMap<string, RequiredElement[]>,
    private readonly frame: Frame,
  ) {}

  walk(resource: JsonObject, resourceType: string, expression: string): void {
    this.object(resource, resourceType, expression, undefined, 'resource');
  }

  private report(code: IssueType, diagnostics: string, expression: string): void {
    this.env.report(issue(code, diagnostics, expression));
  }

  private object(node: JsonObject, modelPath: string, expr: string, info: ChildInfo | undefined, role: 'resource' | 'element' | 'primitive-ext'): void {
    const keys = Object.keys(node);
    if (keys.length === 0) {
      this.report('structure', 'Empty object is not allowed: omit the element instead', expr);
      return;
    }
    if (role === 'element' && keys.length === 1 && keys[0] === 'id') {
      this.report('invariant', 'ele-1: All FHIR elements must have a @value or children (found only an id)', expr);
    }
    let choices: Map<string, string> | undefined;
    const kids = this.env.model.childrenOf(modelPath);
    for (const key of kids ? keys : []) {
      const child = kids?.get(key);
      if (!child) continue; // unknown element (or `_x` of a complex element): ajv reports it
      const underscore = key.charCodeAt(0) === 95;
      if (child.ofType) {
        const variant = underscore ? key.slice(1) : key;
        choices ??= new Map();
        const seen = choices.get(child.name);
        if (seen && seen !== variant) {
          this.report('structure', `Only one of ${child.name}[x] may be present (found ${seen} and ${variant})`, `${expr}.${child.name}`);
        }
        choices.set(child.name, variant);
      }
      this.property(node, key, child, underscore, `${expr}.${child.step}`);
    }
    const required = this.required.get(modelPath);
    if (required) for (const req of required) if (!present(node, req.keys)) this.report('required', `Missing required element '${req.name}' (minimum cardinality 1)`, `${expr}.${req.name}`);
    const rule = DATATYPE_RULES[modelPath];
    if (rule) rule(node, { env: this.env, frame: this.frame, expression: expr, info });
  }

  private property(node: JsonObject, key: string, child: ChildInfo, underscore: boolean, expr: string): void {
    const value = node[key];
    if (value === null) return; // ajv reports "got null"
    if (!Array.isArray(value)) {
      this.value(value, child, underscore, expr);
      return;
    }
    if (value.length === 0) {
      this.report('structure', 'Empty array is not allowed: omit the element instead', expr);
      return;
    }
    // primitive arrays pair with `_x` arrays item by item; `null` fills the gaps on either side
    const pairKey = child.kind !== 'primitive' ? undefined : underscore ? key.slice(1) : `_${key}`;
    const sibling = pairKey ? node[pairKey] : undefined;
    const pair = Array.isArray(sibling) ? sibling : undefined;
    if (pair && !underscore && pair.length !== value.length) {
      this.report('structure', `'${key}' and '_${key}' must have the same number of items (${value.length} vs ${pair.length})`, expr);
    }
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null) {
        this.nullItems.add(`${expr}[${i}]`);
        if (!pair || pair[i] === null || pair[i] === undefined) {
          const why = child.kind === 'primitive' ? `unless '${pairKey}' has a value at the same index` : 'in an array of complex elements';
          this.report('structure', `null is not allowed here (${why})`, `${expr}[${i}]`);
        }
        continue;
      }
      this.value(item, child, underscore, `${expr}[${i}]`);
    }
  }

  private value(value: unknown, child: ChildInfo, underscore: boolean, expr: string): void {
    if (underscore) {
      if (isObject(value)) this.object(value, 'Element', expr, child, 'primitive-ext');
      return;
    }
    switch (child.kind) {
      case 'primitive': {
        const problem = checkPrimitive(child.type, value);
        if (problem) this.report('value', problem, expr);
        if (typeof value !== 'string') return;
        if (child.type === 'xhtml') for (const p of checkXhtml(value)) this.report('value', p, expr);
        else if (value.charCodeAt(0) === 35 /* # */ && LOCAL_TARGET_TYPES.has(child.type)) this.frame.scope.localTargets.add(value.slice(1));
        return;
      }
      case 'complex':
        if (isObject(value)) this.object(value, child.childPath, expr, child, 'element');
        return;
      case 'resource':
        this.env.nested(value, expr, child.name === 'contained', this.frame);
        return;
    }
  }
}

function present(node: JsonObject, keys: string[]): boolean {
  for (const k of keys) if (node[k] !== undefined && node[k] !== null) return true;
  return false;
}
