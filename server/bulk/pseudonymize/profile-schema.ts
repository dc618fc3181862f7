/**
 * The shape of a pseudonymization profile (profiles/pseudonymization/*.json), checked with zod.
 * In the spirit of Microsoft's FHIR anonymizer configs: ordered rules (a FHIRPath-style path and an
 * action), type-level defaults for what no rule matched, and a few switches that are not rules.
 */
import { z } from 'zod';

const FHIR_TYPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_PATH = 500;

export const ACTIONS = ['keep', 'redact', 'dateshift', 'cryptoHash', 'encrypt', 'generalize', 'substitute'] as const;

/**
 * What happens to a leaf. keep/redact; dateshift: date/dateTime/instant moved by the patient's offset
 * (any other leaf is redacted); cryptoHash: HMAC-SHA256 hex with a key derived from the secret
 * (linkable, not reversible); encrypt: AES-256-GCM (reversible by the key holder); generalize: keep a
 * string prefix, a date's year/month or a number rounded down; substitute: a fixed value.
 */
const leafAction = {
  action: z.enum(ACTIONS, { error: `unknown action; expected one of ${ACTIONS.join(', ')}` }),
  keepPrefix: z.int().min(0).max(64).optional(),
  datePrecision: z.enum(['year', 'month']).optional(),
  roundTo: z.number().positive().max(1e9).optional(),
  value: z.union([z.string().max(1000), z.number(), z.boolean()]).optional(),
};

/** Parameters are allowed only with the action they belong to; generalize needs one, substitute its value. */
function checkParameters(a: { action: string; keepPrefix?: number; datePrecision?: string; roundTo?: number; value?: unknown }, ctx: z.RefinementCtx): void {
  const general = [a.keepPrefix, a.datePrecision, a.roundTo].filter((x) => x !== undefined).length;
  if (a.action === 'generalize' && general === 0) ctx.addIssue({ code: 'custom', message: 'generalize needs keepPrefix, datePrecision or roundTo' });
  if (a.action !== 'generalize' && general > 0) ctx.addIssue({ code: 'custom', message: `keepPrefix/datePrecision/roundTo belong to generalize, not ${a.action}` });
  if ((a.action === 'substitute') !== (a.value !== undefined)) ctx.addIssue({ code: 'custom', message: 'value is required with substitute and only there' });
}

const ruleSchema = z.object({ path: z.string().min(1).max(MAX_PATH), ...leafAction }).strict().superRefine(checkParameters);
const typeDefaultSchema = z.object({ type: z.string().regex(FHIR_TYPE, 'a FHIR type name such as date or HumanName'), ...leafAction }).strict().superRefine(checkParameters);

export const profileSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens'),
  description: z.string().max(4000).optional(),
  /** Resource types left out of the output entirely (and references to them removed). */
  dropResourceTypes: z.array(z.string().regex(FHIR_TYPE)).max(200).default([]),
  /** Replace resource ids (and every reference to them) by HMAC pseudonyms. */
  pseudonymizeIds: z.boolean().default(true),
  /** Per-patient date offsets lie in ±[1, dateShiftMaxDays] days (never 0). */
  dateShiftMaxDays: z.int().min(1).max(3650).default(365),
  /** Ordered: each leaf takes the first rule that matches it or one of its ancestors. */
  rules: z.array(ruleSchema).max(1000),
  /** For leaves no rule covers: the default of the outermost ancestor (or the leaf) whose type has one. */
  typeDefaults: z.array(typeDefaultSchema).max(200).default([]),
  /** For leaves neither a rule nor a type default covers. */
  defaultAction: z.enum(['keep', 'redact']).default('keep'),
}).strict();

export type PseudonymizationProfile = z.output<typeof profileSchema>;
export type ProfileRule = PseudonymizationProfile['rules'][number];
export type TypeDefault = PseudonymizationProfile['typeDefaults'][number];
/** A rule or type default without its selector: what happens to a leaf. */
export type LeafAction = Omit<ProfileRule, 'path'>;
