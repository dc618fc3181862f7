/** Cheap spec rules per datatype (references, codings, attachments, extensions and a few invariants), keyed by model path. */
import { issue } from './issue';
import { base64Length, preview } from './primitives';
import { BUNDLE_RULES } from './bundle-rules';
import type { DatatypeRule, JsonObject, RuleContext } from './types';

/** An absolute URI has a scheme (`http:`, `urn:`). */
export const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const RELATIVE_REF = /^([A-Za-z]+)(?:\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?|\?.*)$/;
const RESTFUL_TAIL = /\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function reference(node: JsonObject, cx: RuleContext): void {
  const ref = node.reference;
  if (typeof ref !== 'string' || ref === '') return;
  const expr = `${cx.expression}.reference`;
  const { scope } = cx.frame;
  if (ref.charCodeAt(0) === 35 /* # */) {
    const id = ref.slice(1);
    if (id) {
      scope.localTargets.add(id);
      scope.localRefs.push({ id, expression: expr });
    } else if (cx.frame.containedId !== undefined) {
      const c = scope.contained.get(cx.frame.containedId);
      if (c) c.refersToContainer = true;
    }
    return;
  }
  let type: string | undefined;
  if (ABSOLUTE_URI.test(ref)) {
    const m = RESTFUL_TAIL.exec(ref);
    if (m && cx.env.resourceTypes.has(m[1])) type = m[1];
  } else {
    const m = RELATIVE_REF.exec(ref);
    if (!m) {
      cx.env.report(issue('value', `Invalid reference '${preview(ref)}': expected Type/id, Type?search, an absolute URL or #contained-id`, expr));
      return;
    }
    if (!cx.env.resourceTypes.has(m[1])) {
      cx.env.report(issue('value', `Invalid reference '${preview(ref)}': '${m[1]}' is not a resource type`, expr));
      return;
    }
    type = m[1];
  }
  if (!type) return;
  if (typeof node.type === 'string' && cx.env.resourceTypes.has(node.type) && node.type !== type) {
    cx.env.report(issue('invalid', `Reference.type '${node.type}' does not match the reference '${preview(ref)}'`, `${cx.expression}.type`));
  }
  const targets = cx.info?.refTypes;
  if (targets && targets.length && !targets.includes('Resource') && !targets.includes(type)) {
    cx.env.report(issue('structure', `A reference to ${type} is not allowed here (allowed: ${targets.join(' | ')})`, expr));
  }
}

function coding(node: JsonObject, cx: RuleContext): void {
  const system = node.system;
  if (typeof system === 'string' && system !== '' && !ABSOLUTE_URI.test(system)) {
    cx.env.report(issue('value', `Coding.system must be an absolute URI, not '${preview(system)}'`, `${cx.expression}.system`));
  }
}

function attachment(node: JsonObject, cx: RuleContext): void {
  if (typeof node.data !== 'string') return;
  if (node.contentType === undefined) {
    cx.env.report(issue('invariant', 'att-1: If the Attachment has data, it SHALL have a contentType', cx.expression));
  }
  const bytes = base64Length(node.data);
  if (bytes >= 0 && typeof node.size === 'number' && node.size !== bytes) {
    cx.env.report(issue('value', `Attachment.size is ${node.size} but the data holds ${bytes} bytes`, `${cx.expression}.size`));
  }
}

function extension(node: JsonObject, cx: RuleContext): void {
  const hasValue = Object.keys(node).some((k) => k.startsWith('value') || k.startsWith('_value'));
  if (hasValue && Array.isArray(node.extension) && node.extension.length > 0) {
    cx.env.report(issue('invariant', 'ext-1: Must have either extensions or value[x], not both', cx.expression));
  }
  cx.env.extension(node, cx.expression);
}

function period(node: JsonObject, cx: RuleContext): void {
  const { start, end } = node;
  if (typeof start !== 'string' || typeof end !== 'string') return;
  const comparable = start.length === end.length || (start.length >= 19 && end.length >= 19);
  const inOrder = start.length >= 19 && end.length >= 19 ? Date.parse(start) <= Date.parse(end) : start <= end;
  if (comparable && !inOrder) cx.env.report(issue('invariant', `per-1: If present, start SHALL have a lower value than end (${start} > ${end})`, cx.expression));
}

function quantity(node: JsonObject, cx: RuleContext): void {
  if (node.code !== undefined && node.system === undefined) {
    cx.env.report(issue('invariant', 'qty-3: If a code for the unit is present, the system SHALL also be present', cx.expression));
  }
}

function contactPoint(node: JsonObject, cx: RuleContext): void {
  if (node.value !== undefined && node.system === undefined) {
    cx.env.report(issue('invariant', 'cpt-2: A system is required if a value is provided', cx.expression));
  }
}

export const DATATYPE_RULES: Readonly<Record<string, DatatypeRule>> = {
  Reference: reference,
  Coding: coding,
  Attachment: attachment,
  Extension: extension,
  Period: period,
  Quantity: quantity,
  Age: quantity,
  Count: quantity,
  Distance: quantity,
  Duration: quantity,
  ContactPoint: contactPoint,
  ...BUNDLE_RULES,
};
