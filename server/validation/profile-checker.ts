/** Checks a resource (or extension) against one compiled profile differential: cardinality, slices, fixed/pattern, types, constraints. */
import type { Issue } from '../core/fhir-error';
import { resourceTypeOf } from './expression';
import { type IssueType, issue } from './issue';
import type { CompiledElement, CompiledProfile, Step } from './profile-loader';
import { satisfies } from './pattern-match';
import { preview } from './primitives';
import type { R4Model } from '../core/r4/element-model';
import { isObject } from './types';

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';
const REF_TYPE = /^(?:.*\/)?([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** A located value: the node, its FHIRPath, its model path and the JSON key it was found under. */
interface Located {
  node: unknown;
  expr: string;
  modelPath: string;
  key: string;
}

export class ProfileChecker {
  private readonly byUrl = new Map<string, CompiledProfile>();
  private readonly elementsById = new Map<CompiledProfile, Map<string, CompiledElement>>();

  constructor(
    private readonly model: R4Model,
    profiles: CompiledProfile[],
  ) {
    for (const p of profiles) {
      this.byUrl.set(p.url, p);
      this.elementsById.set(p, new Map(p.elements.map((e) => [e.id, e])));
    }
  }

  urls(): string[] {
    return [...this.byUrl.keys()];
  }

  /** The loaded profile for a canonical (a `|version` suffix is ignored). */
  get(canonical: string): CompiledProfile | undefined {
    const bar = canonical.indexOf('|');
    return this.byUrl.get(bar < 0 ? canonical : canonical.slice(0, bar));
  }

  /** Checks `root` (whose FHIRPath is `rootExpr`) against `profile`; each failure is reported once. */
  check(profile: CompiledProfile, root: Record<string, unknown>, rootExpr: string, report: (i: Issue) => void): void {
    const fail = (code: IssueType, text: string, expr: string, severity: 'error' | 'warning' = 'error'): void =>
      report(issue(code, `${text} (profile ${profile.url})`, expr, severity));
    const start: Located = { node: root, expr: rootExpr, modelPath: resourceTypeOf(root) ?? profile.type, key: '' };
    for (const el of profile.elements) {
      if (el.steps.length === 0) {
        this.constraints(el, start, fail);
        continue;
      }
      const last = el.steps[el.steps.length - 1];
      for (const parent of this.locate(profile, [start], el.steps.slice(0, -1))) {
        const items = this.children(parent, last, el.matches);
        const label = el.id;
        const at = `${parent.expr}.${last.name.replace('[x]', '')}`;
        if (el.min !== undefined && items.length < el.min) fail('required', `${label}: minimum required = ${el.min}, but found ${items.length}`, at);
        if (el.max !== undefined && el.max !== '*' && items.length > Number(el.max)) {
          fail('structure', `${label}: maximum allowed = ${el.max}, but found ${items.length}`, at);
        }
        if (el.closedSlicing) this.closedSlicing(profile, el, parent, last, fail);
        for (const item of items) this.item(el, item, label, fail);
      }
    }
  }

  private item(el: CompiledElement, item: Located, label: string, fail: Fail): void {
    const { rule } = el;
    if (rule && !satisfies(item.node, rule)) {
      fail('value', `${label}: value ${preview(item.node)} does not match ${rule.key} ${JSON.stringify(rule.value)}`, item.expr);
    }
    const name = el.steps[el.steps.length - 1].name;
    if (name.endsWith('[x]') && el.typeCodes.length) {
      const base = name.slice(0, -3);
      const allowed = el.typeCodes.map((c) => base + c[0].toUpperCase() + c.slice(1));
      if (!allowed.includes(item.key)) fail('structure', `${label}: type must be ${el.typeCodes.join(' | ')} (found ${item.key})`, item.expr);
    }
    if (el.targetProfiles.length) this.targets(el, item, label, fail);
    this.constraints(el, item, fail);
  }

  /** Reference targets: only literal references whose type can be read from the URL are checked. */
  private targets(el: CompiledElement, item: Located, label: string, fail: Fail): void {
    const allowed = el.targetProfiles.map((u) => (u.startsWith(CORE_SD) ? u.slice(CORE_SD.length) : this.get(u)?.type));
    if (allowed.some((t) => t === undefined || t === 'Resource')) return;
    const ref = isObject(item.node) ? item.node.reference : undefined;
    if (typeof ref !== 'string' || ref.startsWith('urn:') || ref.startsWith('#')) return;
    const m = REF_TYPE.exec(ref);
    if (m && !allowed.includes(m[1])) fail('structure', `${label}: must reference ${allowed.join(' | ')}, not '${preview(ref)}'`, item.expr);
  }

  private constraints(el: CompiledElement, at: Located, fail: Fail): void {
    for (const c of el.constraints) {
      let result: unknown[];
      try {
        result = c.evaluate(at.node);
      } catch (e) {
        fail('invariant', `${c.key}: could not be evaluated (${(e as Error).message})`, at.expr, c.severity);
        continue;
      }
      if (!(result.length === 1 && result[0] === true)) fail('invariant', `${c.key}: ${c.human}`, at.expr, c.severity);
    }
  }

  private closedSlicing(profile: CompiledProfile, el: CompiledElement, parent: Located, last: Step, fail: Fail): void {
    const prefix = `${el.id}:`;
    const slices = profile.elements.filter((s) => s.matches && s.id.startsWith(prefix) && !s.id.slice(prefix.length).includes('.'));
    for (const item of this.children(parent, last, undefined)) {
      if (!slices.some((s) => s.matches?.(item.node))) fail('structure', `${el.id}: item does not match any slice and slicing is closed`, item.expr);
    }
  }

  /** All values at `steps` below `from`, filtered by slices along the way. */
  private locate(profile: CompiledProfile, from: Located[], steps: Step[]): Located[] {
    let current = from;
    let id = profile.type;
    for (const step of steps) {
      id += `.${step.name}${step.slice ? `:${step.slice}` : ''}`;
      const slice = step.slice ? this.elementsById.get(profile)?.get(id)?.matches : undefined;
      current = current.flatMap((loc) => this.children(loc, step, slice));
    }
    return current;
  }

  /** The values of one step under `loc` (choice steps match every `name[Type]` key present). */
  private children(loc: Located, step: Step, slice: ((item: unknown) => boolean) | undefined): Located[] {
    if (!isObject(loc.node)) return [];
    const node = loc.node;
    const keys = step.name.endsWith('[x]') ? (this.model.choiceKeys(loc.modelPath, step.name.slice(0, -3)) ?? []) : [step.name];
    const out: Located[] = [];
    for (const key of keys) {
      const value = node[key];
      if (value === undefined || value === null) continue;
      const info = this.model.child(loc.modelPath, key);
      const expr = `${loc.expr}.${this.model.step(info, key)}`;
      const values = Array.isArray(value) ? value : [value];
      values.forEach((v: unknown, i: number) => {
        if (v === null || (slice && !slice(v))) return;
        const modelPath = info?.kind === 'resource' ? (resourceTypeOf(v) ?? '') : (info?.childPath ?? '');
        out.push({ node: v, expr: Array.isArray(value) ? `${expr}[${i}]` : expr, modelPath, key });
      });
    }
    return out;
  }
}

type Fail = (code: IssueType, text: string, expr: string, severity?: 'error' | 'warning') => void;
