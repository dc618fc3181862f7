/** The official R4 JSON schema compiled with ajv, one validator per resource type, compiled on first use. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { R4Model } from '../core/r4/element-model';

type JsonSchema = Record<string, unknown>;
interface SchemaFile {
  definitions: Record<string, JsonSchema>;
}

/**
 * The stack-unsafe base64 pattern `(\s*(...){4}\s*)+` overflows V8's regexp stack on a few MB of data
 * (RangeError instead of a verdict); base64 is checked linearly in primitives.ts instead.
 */
const UNSAFE_PATTERNS = new Set(['^(\\s*([0-9a-zA-Z\\+/=]){4}\\s*)+$']);

/**
 * FHIR regexes are XML Schema regexes, where `\s` is only [ \t\n\r]; in ECMAScript `\s` also matches
 * U+00A0 and other Unicode spaces, which would reject legitimate text (e.g. a non-breaking space in a note).
 */
const XSD_PATTERNS: Record<string, string> = {
  '^[ \\r\\n\\t\\S]+$': '^[\\s\\S]+$',
  '^[^\\s]+(\\s[^\\s]+)*$': '^[^ \\t\\n\\r]+([ \\t\\n\\r][^ \\t\\n\\r]+)*$',
  '^\\S*$': '^[^ \\t\\n\\r]*$',
};

/** Nested resources are validated one by one with their own type's validator (readable errors, no oneOf noise). */
const ANY_RESOURCE: JsonSchema = { type: 'object', required: ['resourceType'], properties: { resourceType: { type: 'string' } } };

export class R4Schema {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(model: R4Model, schemaPath: string) {
    const file = JSON.parse(readFileSync(schemaPath, 'utf8')) as SchemaFile;
    const defs = file.definitions;
    defs.ResourceList = ANY_RESOURCE;
    defs.Resource = ANY_RESOURCE;
    R4Schema.alignWithModel(model, defs);
    for (const def of Object.values(defs)) {
      fixPatterns(def);
      // The official schema gives complex types only `properties`, which an array satisfies: without
      // `type: object`, `name: [[1,2]]` or `maritalStatus: [{...}]` passed as valid (issue 12).
      if (def.properties && def.type === undefined) def.type = 'object';
    }
    // the file is draft-06 with `id`; we register only its definitions under our own $id
    this.ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, messages: true });
    this.ajv.addSchema({ $id: 'fhir', definitions: defs });
  }

  /** Validates `resource` against the schema of `type` (which must be a known resource type). */
  validate(type: string, resource: unknown): ErrorObject[] {
    let fn = this.cache.get(type);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `fhir#/definitions/${type}` });
      this.cache.set(type, fn);
    }
    return fn(resource) ? [] : (fn.errors ?? []);
  }

  /**
   * Removes properties the R4 model does not define, so that e.g. `meta.project` is an unknown element.
   * Backbone definitions (`Bundle_Entry`) are matched to model paths by following the properties.
   */
  private static alignWithModel(model: R4Model, defs: Record<string, JsonSchema>): void {
    const pathOf = new Map<string, string>();
    for (const name of Object.keys(defs)) if (!name.includes('_') && model.hasChildren(name)) pathOf.set(name, name);
    const queue = [...pathOf.keys()];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const modelPath = pathOf.get(name) as string;
      const props = (defs[name]?.properties ?? {}) as Record<string, JsonSchema>;
      for (const [prop, schema] of Object.entries(props)) {
        if (prop === 'resourceType') continue;
        const info = model.child(modelPath, prop);
        if (!info) {
          delete props[prop]; // e.g. Medplum's meta.project: not R4, so an unknown element
          continue;
        }
        if (needsExtensionSibling(info.type, prop, props)) {
          // the R4 schema generator omitted `_x` for canonical elements, yet `_baseDefinition` is valid FHIR
          const element = { $ref: '#/definitions/Element' };
          props[`_${prop}`] = schema.type === 'array' ? { type: 'array', items: element } : element;
        }
        const target = refTarget(schema);
        if (target && target.includes('_') && !pathOf.has(target)) {
          pathOf.set(target, info.childPath);
          queue.push(target);
        }
      }
    }
  }
}

/** A real FHIR primitive (not an attribute such as Element.id, typed System.String) lacking its `_x` sibling. */
function needsExtensionSibling(type: string, prop: string, props: Record<string, JsonSchema>): boolean {
  const c = type.charCodeAt(0);
  return c >= 97 && c <= 122 && type !== 'xhtml' && !prop.startsWith('_') && props[`_${prop}`] === undefined;
}

function refTarget(schema: JsonSchema): string | undefined {
  const ref = (schema.$ref ?? (schema.items as JsonSchema | undefined)?.$ref) as string | undefined;
  return ref?.slice(ref.lastIndexOf('/') + 1);
}

function fixPatterns(schema: JsonSchema): void {
  if (typeof schema.pattern === 'string') {
    if (UNSAFE_PATTERNS.has(schema.pattern)) delete schema.pattern;
    else schema.pattern = XSD_PATTERNS[schema.pattern] ?? schema.pattern;
  }
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props) for (const p of Object.values(props)) fixPatterns(p);
  if (schema.items && typeof schema.items === 'object') fixPatterns(schema.items as JsonSchema);
}

export function defaultSchemaPath(definitionsDir: string): string {
  return path.join(definitionsDir, 'fhir.schema.json');
}
