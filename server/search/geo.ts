/**
 * `near` (Location.position, https://hl7.org/fhir/R4/location.html#positional): the query value
 * `latitude|longitude|distance|units`, and the index rows (latitude and longitude as numbers) that
 * the store's bounding-box-plus-great-circle predicate reads. No PostGIS: plain numeric rows.
 */
import type { NearValue, NumberIndex } from './types';
import type { TypedNode } from './path-compiler';
import { badRequest } from '../core/fhir-error';
import { decimalRange } from './decimal-range';
import type { UcumConverter } from './ucum';

export const NEAR_URL = 'http://hl7.org/fhir/SearchParameter/Location-near';
export const LATITUDE_PARAM = 'near.latitude';
export const LONGITUDE_PARAM = 'near.longitude';
/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
/** R4 leaves "near" without a distance to the server: 10 km. */
const DEFAULT_METERS = 10_000;
/** Half the Earth's circumference: every point is within it. */
const MAX_METERS = Math.PI * EARTH_RADIUS_M;
const NUMBER = /^[+-]?\d{1,3}(\.\d{1,15})?$/;

function coordinate(name: string, text: string, limit: number, what: string): number {
  if (!NUMBER.test(text)) throw badRequest(`Invalid ${what} '${text.slice(0, 40)}' in '${name}': expected decimal degrees`, [name]);
  const v = Number(text);
  if (Math.abs(v) > limit) throw badRequest(`${what} ${text} in '${name}' is outside ±${limit}°`, [name]);
  return v;
}

function meters(name: string, distance: string | undefined, units: string | undefined, ucum: UcumConverter): number {
  if (distance === undefined || distance === '') return DEFAULT_METERS;
  const r = decimalRange(distance);
  if (!r || Number(r.value) <= 0) throw badRequest(`Invalid distance '${distance.slice(0, 40)}' in '${name}': expected a positive number`, [name]);
  const unit = units === undefined || units === '' ? 'km' : units;
  const c = ucum.canonical(unit, r);
  if (!c || c.code !== 'm') throw badRequest(`Unit '${unit.slice(0, 40)}' in '${name}' is not a UCUM unit of length (e.g. km, m, [mi_i])`, [name]);
  return Math.min(Number(c.value), MAX_METERS);
}

/** Parses `lat|long[|distance[|units]]`. */
export function parseNear(name: string, raw: string, ucum: UcumConverter): NearValue {
  const parts = raw.split('|');
  if (parts.length < 2 || parts.length > 4) throw badRequest(`'${name}' expects latitude|longitude|distance|units`, [name]);
  return {
    kind: 'near',
    latitude: coordinate(name, parts[0], 90, 'latitude'),
    longitude: coordinate(name, parts[1], 180, 'longitude'),
    meters: meters(name, parts[2], parts[3], ucum),
  };
}

/** Latitude and longitude rows for one Location.position value (both, or neither). */
export function nearRows(node: TypedNode, out: NumberIndex[]): void {
  const v = node.value as { latitude?: unknown; longitude?: unknown } | null;
  if (!v || typeof v !== 'object') return;
  const lat = Number(v.latitude);
  const lng = Number(v.longitude);
  if (typeof v.latitude !== 'number' || typeof v.longitude !== 'number' || Math.abs(lat) > 90 || Math.abs(lng) > 180) return;
  for (const [param, value] of [[LATITUDE_PARAM, lat], [LONGITUDE_PARAM, lng]] as const) {
    const text = String(value);
    out.push({ param, value: text, low: text, high: text });
  }
}
