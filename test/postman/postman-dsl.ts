/** A small builder for Postman v2.1 collections: requests with headers, JSON bodies and `pm.test` scripts. */

export interface PmScript { listen: 'test' | 'prerequest'; script: { type: 'text/javascript'; exec: string[] } }
export interface PmRequest {
  name: string;
  event: PmScript[];
  request: {
    method: string;
    header: { key: string; value: string }[];
    url: string;
    body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' | 'text' } } };
    description?: string;
  };
}
export interface PmFolder { name: string; description: string; item: PmRequest[] }

const FHIR = 'application/fhir+json';

export interface RequestSpec {
  body?: unknown;
  headers?: Record<string, string>;
  /** JavaScript run after the response (pm.test assertions, variable captures). */
  tests: string[];
  prerequest?: string[];
  description?: string;
}

/** One request; `path` is relative to {{baseUrl}} (or absolute when it starts with `{{`). */
export function req(name: string, method: string, path: string, spec: RequestSpec): PmRequest {
  const headers: Record<string, string> = { Accept: FHIR, ...(spec.body !== undefined ? { 'Content-Type': FHIR } : {}), ...spec.headers };
  const event: PmScript[] = [{ listen: 'test', script: { type: 'text/javascript', exec: spec.tests } }];
  if (spec.prerequest) event.unshift({ listen: 'prerequest', script: { type: 'text/javascript', exec: spec.prerequest } });
  const raw = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body, null, 2);
  return {
    name,
    event,
    request: {
      method,
      header: Object.entries(headers).map(([key, value]) => ({ key, value })),
      url: path === '' ? '{{baseUrl}}' : path.startsWith('{{') ? path : `{{baseUrl}}/${path}`,
      ...(spec.body !== undefined ? { body: { mode: 'raw' as const, raw, options: { raw: { language: typeof spec.body === 'string' ? 'text' as const : 'json' as const } } } } : {}),
      ...(spec.description ? { description: spec.description } : {}),
    },
  };
}

/** `pm.test` that the status is `code`, plus the FHIR content type on bodies. */
export const status = (code: number): string =>
  `pm.test('status ${code}', () => pm.response.to.have.status(${code}));`;

export const isOutcome = (): string =>
  "pm.test('OperationOutcome body', () => pm.expect(pm.response.json().resourceType).to.equal('OperationOutcome'));";

export const save = (variable: string, expr: string): string => `pm.collectionVariables.set('${variable}', ${expr});`;

/** Repeats the current request (up to `max` times, `delayMs` apart) until `doneExpr` holds, then runs `tests`. */
export function pollUntil(doneExpr: string, max: number, delayMs: number, tests: string[]): string[] {
  return [
    'const tries = Number(pm.collectionVariables.get("pollTries") || 0);',
    `if (!(${doneExpr}) && tries < ${max}) {`,
    '  pm.collectionVariables.set("pollTries", tries + 1);',
    `  setTimeout(() => {}, ${delayMs}); // the sandbox waits for pending timers: a pause between polls`,
    '  pm.execution.setNextRequest(pm.info.requestName);',
    '} else {',
    '  pm.collectionVariables.set("pollTries", 0);',
    ...tests.map((t) => `  ${t}`),
    '}',
  ];
}
