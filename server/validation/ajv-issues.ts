/** Turns ajv errors into readable OperationOutcome issues with FHIRPath expressions. */
import type { ErrorObject } from 'ajv';
import type { Issue } from '../core/fhir-error';
import { pointerSegments, resolvePointer } from './expression';
import { issue } from './issue';
import { preview } from './primitives';
import type { R4Model } from '../core/r4/element-model';

/** What each primitive's regex means, for messages ("Invalid date 'x': expected ..."). */
const FORMATS: Record<string, string> = {
  id: '1-64 characters of A-Z a-z 0-9 - .',
  date: 'YYYY, YYYY-MM or YYYY-MM-DD',
  dateTime: 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm); a time needs a timezone',
  instant: 'YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)',
  time: 'hh:mm:ss[.sss]',
  code: 'no leading, trailing or repeated whitespace',
  uri: 'no whitespace',
  url: 'no whitespace',
  canonical: 'no whitespace',
  oid: 'urn:oid:1.2.3...',
  uuid: 'urn:uuid: followed by a lowercase UUID',
  string: 'non-empty text',
  markdown: 'non-empty text',
};

/** Translates ajv `errors` for the resource `root` whose FHIRPath is `rootExpr`, except at `skip` expressions. */
export function ajvIssues(model: R4Model, root: unknown, rootExpr: string, errors: ErrorObject[], skip: ReadonlySet<string>): Issue[] {
  const out: Issue[] = [];
  // a string where a number is expected also fails the number's regex: report the type only
  const typeErrors = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'pattern' && typeErrors.has(e.instancePath)) continue;
    const segments = pointerSegments(e.instancePath);
    const at = resolvePointer(model, root, segments, rootExpr);
    if (skip.has(at.expression)) continue;
    const translated = translate(model, root, rootExpr, segments, at.expression, at.value, at.info?.type, e);
    if (translated) out.push(translated);
  }
  return out;
}

function translate(
  model: R4Model,
  root: unknown,
  rootExpr: string,
  segments: string[],
  expr: string,
  value: unknown,
  fhirType: string | undefined,
  e: ErrorObject,
): Issue | undefined {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const child = resolvePointer(model, root, [...segments, name], rootExpr);
      return issue('structure', `Unknown element '${name}'`, child.expression);
    }
    case 'required': {
      const name = String(params.missingProperty);
      return issue('required', `Missing required element '${name}' (minimum cardinality 1)`, `${expr}.${name}`);
    }
    case 'type':
      return issue('structure', typeMessage(String(params.type), value, /^\d+$/.test(segments[segments.length - 1] ?? '')), expr);
    case 'pattern': {
      if (value === '') return undefined; // the walker reports empty strings once, with a better message
      const type = primitiveName(e.schemaPath) ?? fhirType ?? 'value';
      const format = FORMATS[type];
      const label = type === 'id' && segments.length === 1 ? 'resource id' : type;
      return issue('value', `Invalid ${label} '${preview(value)}'${format ? `: expected ${format}` : ''}`, expr);
    }
    case 'enum': {
      if (value === '') return undefined; // reported once by the walker as an empty string
      const allowed = (params.allowedValues as unknown[]).map(String);
      const list = allowed.length > 12 ? `${allowed.slice(0, 12).join(' | ')} | ...` : allowed.join(' | ');
      return issue('code-invalid', `Invalid code '${preview(value)}': expected one of ${list}`, expr);
    }
    case 'const':
      return issue('value', `Expected '${String(params.allowedValue)}', got '${preview(value)}'`, expr);
    default:
      return issue('structure', `${e.message ?? 'Invalid'} (${e.keyword})`, expr);
  }
}

/** `#/definitions/date/pattern` → `date`. */
function primitiveName(schemaPath: string): string | undefined {
  const m = /^#\/definitions\/([a-zA-Z0-9]+)\/pattern$/.exec(schemaPath);
  return m?.[1];
}

function typeMessage(expected: string, value: unknown, inList: boolean): string {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (expected === 'array') return `Expected an array (this element repeats), got ${got}`;
  if (got === 'array' && inList) return `Expected ${expected === 'object' ? 'an object' : `a ${expected}`} as a list item, got an array (FHIR JSON lists do not nest)`;
  if (got === 'array') return `Expected a single ${expected} (this element does not repeat), got an array`;
  return `Expected ${expected}, got ${got}`;
}
