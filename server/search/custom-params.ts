/**
 * User-posted SearchParameter resources as registry definitions: which ones are registered, and the
 * checks that reject one that could not be indexed as written (400 with the offending element).
 */
import * as fhirpath from 'fhirpath';
import type { SearchParameter } from 'fhir/r4';
import type { SearchParamDefinition, SearchParamType } from './types';
import type { R4Model } from '../core/r4/element-model';
import { badRequest } from '../core/fhir-error';
import { checkExpressionCost } from './expression-cost';

const TYPES: SearchParamType[] = ['number', 'date', 'string', 'token', 'reference', 'composite', 'quantity', 'uri', 'special'];

export function toDefinition(sp: SearchParameter): SearchParamDefinition {
  return {
    url: sp.url,
    code: sp.code,
    base: [...sp.base],
    type: sp.type,
    ...(sp.expression ? { expression: sp.expression } : {}),
    ...(sp.target ? { target: [...sp.target] } : {}),
    ...(sp.component ? { component: sp.component.map((c) => ({ definition: c.definition, expression: c.expression })) } : {}),
  };
}

/** Throws 400 unless the SearchParameter has a usable code, base, type and compiling expression. */
export function validateCustom(sp: SearchParameter, model: R4Model): void {
  const where = (f: string): string[] => [`SearchParameter.${f}`];
  if (!sp || sp.resourceType !== 'SearchParameter') throw badRequest('Not a SearchParameter resource');
  if (typeof sp.code !== 'string' || !/^[A-Za-z_][A-Za-z0-9_\-.]*$/.test(sp.code)) throw badRequest('SearchParameter.code is missing or invalid', where('code'));
  if (!Array.isArray(sp.base) || sp.base.length === 0) throw badRequest('SearchParameter.base is required', where('base'));
  for (const b of sp.base) {
    if (b !== 'Resource' && b !== 'DomainResource' && !model.isResourceType(b)) throw badRequest(`Unknown base resource type '${b}'`, where('base'));
  }
  if (!TYPES.includes(sp.type)) throw badRequest('SearchParameter.type is missing or invalid', where('type'));
  if (typeof sp.expression !== 'string' || sp.expression.trim() === '') throw badRequest('SearchParameter.expression is required', where('expression'));
  checkExpressionCost(sp.expression, 'SearchParameter.expression');
  try {
    fhirpath.compile(sp.expression, model.fhirpath);
  } catch (e) {
    throw badRequest(`SearchParameter.expression does not compile: ${(e as Error).message}`, where('expression'));
  }
  if (sp.type === 'composite') {
    if (!sp.component?.length) throw badRequest('A composite SearchParameter needs components', where('component'));
    for (const c of sp.component) {
      if (typeof c?.expression !== 'string') throw badRequest('SearchParameter.component.expression is required', where('component.expression'));
      checkExpressionCost(c.expression, 'SearchParameter.component.expression');
      try {
        fhirpath.compile(c.expression, model.fhirpath);
      } catch (e) {
        throw badRequest(`SearchParameter.component.expression does not compile: ${(e as Error).message}`, where('component.expression'));
      }
    }
  }
}

/**
 * Whether a stored SearchParameter is to be registered: retired ones, those without an expression
 * or of type special (nothing to index: e.g. `_filter`) and copies of official definitions
 * (same canonical URL) are stored but not registered.
 */
export function isRegistrable(sp: SearchParameter, officialUrls: ReadonlySet<string>): boolean {
  if (sp.status === 'retired' || sp.type === 'special') return false;
  if (typeof sp.expression !== 'string' || sp.expression.trim() === '') return false;
  return !(typeof sp.url === 'string' && officialUrls.has(sp.url));
}

/** The registered custom parameters, keyed by their stored resource (SearchParameter/id) or URL. */
export class CustomParams {
  private readonly byKey = new Map<string, SearchParamDefinition>();

  constructor(private readonly model: R4Model, private readonly officialUrls: ReadonlySet<string>) {}

  definitions(): SearchParamDefinition[] {
    return [...this.byKey.values()];
  }

  /** 400 if it would be registered but cannot be indexed; false if it is only to be stored. */
  check(sp: SearchParameter): boolean {
    if (!isRegistrable(sp, this.officialUrls)) return false;
    validateCustom(sp, this.model);
    return true;
  }

  /** Registers (validated) or replaces; the latest write wins a code shared by two custom parameters. */
  add(key: string, sp: SearchParameter): SearchParamDefinition {
    validateCustom(sp, this.model);
    const def = toDefinition(sp);
    this.byKey.delete(key);
    this.byKey.set(key, def);
    return def;
  }

  /** Registers or unregisters per isRegistrable. */
  put(key: string, sp: SearchParameter): void {
    if (isRegistrable(sp, this.officialUrls)) this.add(key, sp);
    else this.byKey.delete(key);
  }

  remove(key: string): boolean {
    return this.byKey.delete(key);
  }

  /** Exactly these stored ones; returns those skipped as invalid. */
  sync(stored: { key: string; resource: SearchParameter }[]): { key: string; error: string }[] {
    const skipped: { key: string; error: string }[] = [];
    this.byKey.clear();
    for (const { key, resource } of stored) {
      if (!isRegistrable(resource, this.officialUrls)) continue;
      try {
        this.add(key, resource);
      } catch (e) {
        skipped.push({ key, error: (e as Error).message });
      }
    }
    return skipped;
  }
}
