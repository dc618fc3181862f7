/**
 * Translates database failures into FhirErrors at the driver boundary, so every caller (REST,
 * bundles, workers) sees the same meaning: timeout, conflict, or database unavailable.
 */
import { TWINFHIR_CODESYSTEM } from '../core/canonical-urls';
import { FhirError } from '../core/fhir-error';

interface DbErrorLike {
  code?: string;
  message?: string;
  constraint?: string;
  detail?: string;
}

/** A unique violation of migration 006: the subject already has a live Digital Twin. */
function secondTwin(e: DbErrorLike): FhirError {
  const subject = /=\(([^)]+)\)/.exec(e.detail ?? '')?.[1];
  const who = subject ? `${subject} already has` : 'The patient already has';
  return new FhirError(422, 'business-rule', `${who} a Digital Twin Composition; the server maintains exactly one per patient (find it with Composition?subject=…&type=${TWINFHIR_CODESYSTEM}|digital-twin)`);
}

const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53)/; // connection exceptions, admin shutdown, insufficient resources
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|Cannot use a pool after calling end|Client has encountered a connection error/i;

export function translateDbError(err: unknown): unknown {
  if (err instanceof FhirError || !err || typeof err !== 'object') return err;
  const e = err as DbErrorLike;
  if (e.code === '57014') {
    return new FhirError(503, 'timeout', 'The query took longer than the statement timeout; narrow the request', undefined, { 'Retry-After': '1' });
  }
  if (e.code === '40001' || e.code === '40P01') return new FhirError(409, 'transient', 'Concurrent update conflict; retry the request');
  if (e.code === '23505' && (e.constraint === 'resource_one_twin_per_patient' || /resource_one_twin_per_patient/.test(e.message ?? ''))) return secondTwin(e);
  if (e.code === '23505') return new FhirError(409, 'conflict', 'A concurrent request wrote the same resource; retry');
  if ((e.code && (UNAVAILABLE_SQLSTATE.test(e.code) || NET_CODES.has(e.code))) || UNAVAILABLE_MESSAGE.test(e.message ?? '')) {
    const unavailable = new FhirError(503, 'transient', 'The database is unavailable; retry later', undefined, { 'Retry-After': '5' });
    // Keep the driver's error for the server log.
    return Object.assign(unavailable, { cause: err });
  }
  return err;
}

/** Wraps an async call so that database failures leave it as FhirErrors. */
export async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err);
  }
}
