/** What the model must answer: the zod schema that validates it and the JSON schema sent as its structured output. */
import { z } from 'zod';
import type { Assertion, Comparator } from '../finding';

const ASSERTIONS = ['present', 'negated', 'possible', 'family', 'hypothetical', 'historical'] as const satisfies readonly Assertion[];
const COMPARATORS = ['<', '<=', '>', '>='] as const satisfies readonly Comparator[];
export const MAX_FINDINGS_PER_CHUNK = 300;

/** An optional field that is discarded (null) when the model writes anything outside the schema. */
const optional = <T extends z.ZodType>(t: T) => t.nullish().catch(null);

const proposedCode = z.object({ system: z.string().max(200), code: z.string().min(1).max(64) });

/** One finding as the model states it. Unknown keys are stripped; a wrong required field discards the finding. */
export const modelFindingSchema = z.object({
  concept: z.string().min(1).max(80),
  quote: z.string().min(1).max(1000),
  /** For a table cell: the row label (or date cell) it belongs to, so a short cell quote can be found in its row. */
  row: optional(z.string().max(200)),
  assertion: z.enum(ASSERTIONS),
  value: optional(z.union([z.number().finite(), z.string().max(40)])),
  unit: optional(z.string().max(40)),
  comparator: optional(z.enum(COMPARATORS)),
  date: optional(z.string().regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/)),
  histology: optional(z.string().max(60)),
  laterality: optional(z.string().max(60)),
  figo: optional(z.string().max(20)),
  relationship: optional(z.string().max(60)),
  codes: z.array(proposedCode).max(10).nullish().catch(null),
});

export type ModelFinding = z.output<typeof modelFindingSchema>;

const envelope = z.object({ findings: z.array(z.unknown()).max(MAX_FINDINGS_PER_CHUNK) });

/** The model's answer could not be read at all (not JSON, or not `{ "findings": [...] }`): worth asking again. */
export class MalformedOutputError extends Error {
  constructor(reason: string) {
    super(`malformed model output: ${reason}`);
    this.name = 'MalformedOutputError';
  }
}

export interface ParsedModelOutput {
  findings: ModelFinding[];
  /** Items discarded because they did not match the schema. */
  invalid: number;
}

/** Some servers wrap JSON in a markdown fence even when asked for JSON only. */
function unfence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(text);
  return m ? m[1] : text;
}

/** Parses and validates one model answer (JSON text, or the already-parsed arguments of a tool call). */
export function parseModelOutput(raw: unknown): ParsedModelOutput {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(unfence(raw)) as unknown;
    } catch {
      throw new MalformedOutputError('not JSON');
    }
  }
  const top = envelope.safeParse(value);
  if (!top.success) throw new MalformedOutputError('not {"findings": [...]}');
  const findings: ModelFinding[] = [];
  let invalid = 0;
  for (const item of top.data.findings) {
    const r = modelFindingSchema.safeParse(item);
    if (r.success) findings.push(r.data);
    else invalid++;
  }
  return { findings, invalid };
}

export interface SchemaVocabulary {
  concepts: string[];
  histology: string[];
  laterality: string[];
  figo: string[];
  relationships: string[];
}

const nullable = (schema: Record<string, unknown>): Record<string, unknown> => ({ anyOf: [schema, { type: 'null' }] });
const nullableEnum = (values: string[]): Record<string, unknown> => nullable({ type: 'string', enum: values });

/** JSON schema of the answer for `response_format` / tool parameters (OpenAI strict mode: every key required, nullable instead of optional). */
export function modelOutputJsonSchema(v: SchemaVocabulary): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    concept: { type: 'string', enum: v.concepts, description: 'A concept id from the catalogue.' },
    quote: { type: 'string', description: 'The exact characters of the note that state the finding (verbatim, no paraphrase).' },
    row: nullable({ type: 'string', description: 'For a table cell: the row label exactly as written (null outside tables).' }),
    assertion: { type: 'string', enum: [...ASSERTIONS] },
    value: nullable({ anyOf: [{ type: 'number' }, { type: 'string' }] }),
    unit: nullable({ type: 'string' }),
    comparator: nullableEnum([...COMPARATORS]),
    date: nullable({ type: 'string', description: 'YYYY-MM-DD, YYYY-MM or YYYY' }),
    histology: nullableEnum(v.histology),
    laterality: nullableEnum(v.laterality),
    figo: nullableEnum(v.figo),
    relationship: nullableEnum(v.relationships),
    codes: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['system', 'code'], properties: { system: { type: 'string' }, code: { type: 'string' } } },
    },
  };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['findings'],
    properties: {
      findings: { type: 'array', items: { type: 'object', additionalProperties: false, required: Object.keys(properties), properties } },
    },
  };
}
