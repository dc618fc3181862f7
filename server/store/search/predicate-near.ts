/**
 * `near` on Location.position without PostGIS: a latitude/longitude bounding box that the
 * (res_type, param, value) index of idx_number narrows, then the exact great-circle (haversine)
 * distance in SQL. Identical on PostgreSQL and PGlite.
 */
import type { Criterion, NearValue } from '../../search/types';
import { EARTH_RADIUS_M, LATITUDE_PARAM, LONGITUDE_PARAM } from '../../search/geo';
import { or } from './sql-builder';
import type { PredicateContext } from './predicate-common';

const DEG = 180 / Math.PI;

/** Longitude ranges of the box, split where it crosses the antimeridian; empty = every longitude. */
function longitudeRanges(v: NearValue, dLat: number): [number, number][] {
  // Near a pole, or for a radius this large, the box spans every longitude.
  if (Math.abs(v.latitude) + dLat >= 90) return [];
  const dLng = Math.asin(Math.min(1, Math.sin(dLat / DEG) / Math.cos(v.latitude / DEG))) * DEG;
  if (dLng >= 180) return [];
  const lo = v.longitude - dLng;
  const hi = v.longitude + dLng;
  if (lo < -180) return [[lo + 360, 180], [-180, hi]];
  if (hi > 180) return [[lo, 180], [-180, hi - 360]];
  return [[lo, hi]];
}

function valueCondition(ctx: PredicateContext, la: string, lo: string, v: NearValue): string {
  const p = (x: number): string => `${ctx.b.param(String(x))}::numeric`;
  const dLat = (v.meters / EARTH_RADIUS_M) * DEG;
  const parts = [`${la}.value BETWEEN ${p(Math.max(-90, v.latitude - dLat))} AND ${p(Math.min(90, v.latitude + dLat))}`];
  const ranges = longitudeRanges(v, dLat);
  if (ranges.length) parts.push(`(${or(ranges.map(([a, b]) => `${lo}.value BETWEEN ${p(a)} AND ${p(b)}`))})`);
  const f = (x: number): string => `${ctx.b.param(String(x))}::float8`;
  const [lat, lng] = [f(v.latitude), f(v.longitude)];
  // Haversine; least() keeps rounding from pushing asin's argument past 1.
  const hav = `power(sin(radians(${la}.value::float8 - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(${la}.value::float8)) * power(sin(radians(${lo}.value::float8 - ${lng}) / 2), 2)`;
  parts.push(`2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(${hav}))) <= ${f(v.meters)}`);
  return parts.join(' AND ');
}

/** Some position of the resource lies within the distance of one of the values. */
export function nearPredicate(ctx: PredicateContext, c: Criterion, values: NearValue[]): string {
  const la = ctx.b.alias('la');
  const lo = ctx.b.alias('lo');
  const type = ctx.resType ? ` AND ${la}.res_type = ${ctx.b.param(ctx.resType)}` : '';
  return (
    `EXISTS (SELECT 1 FROM idx_number ${la} JOIN idx_number ${lo} ON ${lo}.rid = ${la}.rid AND ${lo}.param = ${ctx.b.param(LONGITUDE_PARAM)} ` +
    `WHERE ${la}.rid = ${ctx.res}.rid${type} AND ${la}.param = ${ctx.b.param(LATITUDE_PARAM)} AND (${or(values.map((v) => valueCondition(ctx, la, lo, v)))}))`
  );
}
