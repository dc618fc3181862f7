/** A test app with the terminology fixtures created through the REST API, and Parameters helpers. */
import request from 'supertest';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { type TestApp, startTestApp } from '../support/test-app';
import type { DriverKind } from '../support/databases';
import { bigCodeSystem, conceptMap, findingsCs, valueSets } from './fixtures';

export const FHIR = 'application/fhir+json';
export type Json = Record<string, unknown> & { [k: string]: any };

export async function startTerminologyApp(kind: DriverKind): Promise<TestApp> {
  const app = await startTestApp(kind, { TERMINOLOGY_MAX_EXPANSION: '100' });
  for (const r of [findingsCs, ...valueSets, conceptMap, bigCodeSystem(150)]) {
    const res = await request(app.http).put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', FHIR).send(r);
    if (res.status >= 300) throw new Error(`fixture ${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return app;
}

export const params = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });

/** The out-parameters by name (repeated ones as arrays), checking every part has a name and one value or parts. */
export function outParams(body: Json): Record<string, ParametersParameter[]> {
  expect(body.resourceType).toBe('Parameters');
  const out: Record<string, ParametersParameter[]> = {};
  for (const p of body.parameter as ParametersParameter[]) {
    expect(typeof p.name).toBe('string');
    const values = Object.keys(p).filter((k) => k.startsWith('value') || k === 'part' || k === 'resource');
    expect(values).toHaveLength(1);
    (out[p.name] ??= []).push(p);
  }
  return out;
}

/** The value of each named part of a `property` / `match` / `designation` parameter. */
export function partsOf(p: ParametersParameter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of p.part ?? []) {
    const key = Object.keys(part).find((k) => k.startsWith('value'));
    out[part.name] = key ? (part as unknown as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

export function expectOutcome(res: { status: number; body: Json }, status: number, code?: string, text?: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  if (code) expect(res.body.issue[0].code).toBe(code);
  if (text) expect(res.body.issue[0].diagnostics).toMatch(text);
}
