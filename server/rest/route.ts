/**
 * Maps a FHIR method + path to its entry of the interaction table (http.html §3.1.0 "Summary").
 * The most specific pattern wins (literal and `$op` segments over captures), so `GET Patient/_history`
 * is history, not a read of id `_history`.
 */
import { FhirError, badRequest } from '../core/fhir-error';
import type { InteractionSpec, RouteParams } from './interaction-spec';
import { INTERACTIONS } from './interaction-table';
import type { FhirRequest } from './types';

export interface Route {
  spec: InteractionSpec;
  params: RouteParams;
}

type Segment = { literal: string } | { capture: keyof RouteParams } | { operation: true };

interface CompiledEntry {
  spec: InteractionSpec;
  segments: Segment[];
  /** How many segments must match exactly: the tie-breaker between patterns. */
  specificity: number;
}

function compileSegment(s: string): Segment {
  if (s === '$op') return { operation: true };
  if (s.startsWith(':')) return { capture: s.slice(1) as keyof RouteParams };
  return { literal: s };
}

function compile(table: readonly InteractionSpec[]): CompiledEntry[] {
  return table.map((spec) => {
    const segments = spec.path === '' ? [] : spec.path.split('/').map(compileSegment);
    return { spec, segments, specificity: segments.filter((s) => !('capture' in s)).length };
  });
}

const COMPILED = compile(INTERACTIONS);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('Malformed percent-encoding in the URL path');
  }
}

/** The captures of `segs` under `entry`'s pattern, or undefined if it does not match. */
function matchSegments(entry: CompiledEntry, segs: string[]): RouteParams | undefined {
  if (entry.segments.length !== segs.length) return undefined;
  const params: RouteParams = {};
  for (const [i, seg] of entry.segments.entries()) {
    const value = segs[i];
    if ('literal' in seg) {
      if (value !== seg.literal) return undefined;
    } else if ('operation' in seg) {
      if (value.length < 2 || !value.startsWith('$')) return undefined;
      params.op = value.slice(1);
    } else {
      params[seg.capture] = value;
    }
  }
  return params;
}

export function routeOf(req: Pick<FhirRequest, 'method' | 'path'>): Route {
  const segs = req.path.split('/').filter((s) => s !== '').map(decode);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  let best: { entry: CompiledEntry; params: RouteParams } | undefined;
  for (const entry of COMPILED) {
    if (entry.spec.method !== '*' && entry.spec.method !== method) continue;
    if (best && best.entry.specificity >= entry.specificity) continue;
    const params = matchSegments(entry, segs);
    if (params) best = { entry, params };
  }
  if (best) return { spec: best.entry.spec, params: best.params };
  if (segs.length > 4) throw new FhirError(404, 'not-found', `No FHIR endpoint at '/${req.path.slice(0, 100)}'`);
  throw new FhirError(405, 'not-supported', `${req.method} is not supported on '/${req.path.slice(0, 100)}'`);
}
