/**
 * The strings _content would take from a masked copy of a resource (core/foreign-mask.ts maskForeign), found in one
 * walk over the resource without building the copy: text ownership's sharedContent on the write path, where building
 * the copy and extracting its text again (search/extract.ts contentText) cost about as much as the index extraction.
 * The walk visits the objects in maskNode's order and asks maskedElement (the masking's own decision) at each; it
 * takes what contentText takes from the copy: a replaced element's replacement instead of its content, no narrative,
 * the MASKED label at the end of meta.security. On the way it notes maskInputs' findings (a replaced element's
 * subtree through maskInputs itself). Where matching the copy would mean repeating more of the masking (a Bundle's
 * url strings; a meta that is not a plain object, is masked itself, or whose security is not a list of objects) or of
 * the text extraction (text past its limit, cut mid-string), it gives up and the caller builds the copy.
 */
import { type ForeignRules, MASKED_LABEL, type MaskInputs, maskInputs, maskedElement, noteMaskInputs } from '../core/foreign-mask';
import { isContentString, MAX_TEXT } from './extract';

export interface MaskedContent {
  /** Whether masking changes anything (maskForeign returns a copy, not the resource). */
  changed: boolean;
  /** contentText's strings of the copy, in its order: contentWords(parts) is contentText(copy). */
  parts: string[];
  /** maskInputs(resource). */
  inputs: MaskInputs;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Walk {
  readonly parts: string[] = [];
  readonly inputs: MaskInputs = { targets: new Set(), identifiers: false };
  changed = false;
  /** Set once the copy's text can no longer be told exactly: the caller takes the long way. */
  unsure = false;
  /** A Bundle was walked into: its url strings may be masked too (core/bundle-urls.ts). */
  bundle = false;
  private size = 0;

  /** `detect`: only whether anything is masked, so the walk stops at the first masked element and notes nothing. */
  constructor(private readonly rules: ForeignRules, private readonly detect = false) {}

  private get stopped(): boolean {
    return this.unsure || (this.detect && this.changed);
  }

  /** contentText's step for a string found under `key`. */
  private text(key: string, v: string): void {
    if (!isContentString(key, v)) return;
    this.parts.push(v);
    // contentText stops descending past MAX_TEXT and cuts the joined text: not repeated here.
    if ((this.size += v.length + 1) > MAX_TEXT) this.unsure = true;
  }

  /** A value as contentText walks it, with nothing masked in it (a replacement, the label). */
  plain(v: unknown, key: string): void {
    if (typeof v === 'string') this.text(key, v);
    else if (Array.isArray(v)) for (const item of v) this.plain(item, key);
    else if (isObject(v)) for (const k of Object.keys(v)) this.plain(v[k], k);
  }

  /** An element masked in the copy: `replacement` stands in the copy's text (when `emit`) for `original`. */
  replaced(original: Json, replacement: Json, key: string, emit: boolean): void {
    this.changed = true;
    if (this.detect) return;
    maskInputs(original, this.inputs, false);
    if (emit) this.plain(replacement, key);
  }

  /** maskNode's walk of `v`, found under `key` below the top; its strings are the copy's text when `emit`. */
  node(v: unknown, key: string, contained: boolean, emit: boolean): void {
    if (this.stopped) return;
    if (typeof v === 'string') {
      if (emit) this.text(key, v);
    } else if (Array.isArray(v)) {
      for (const item of v) this.node(item, key, contained, emit);
    } else if (isObject(v)) {
      const replacement = maskedElement(v, this.rules, contained);
      if (replacement) this.replaced(v, replacement, key, emit);
      else this.members(v, false, emit);
    }
  }

  /** The members of an object maskNode keeps (and walks into). */
  members(v: Json, top: boolean, emit: boolean): void {
    if (!this.detect) noteMaskInputs(v, this.inputs, top);
    // A Bundle's entry and link url strings are masked by rules of their own (core/bundle-urls.ts): its
    // elements are still judged as elsewhere, so a masked one is a sure answer to `detect`.
    if (v.resourceType === 'Bundle') {
      this.bundle = true;
      if (!this.detect) this.unsure = true;
    }
    for (const k of Object.keys(v)) this.node(v[k], k, k === 'contained', emit);
  }

  /** The copy's meta: the masked meta with the MASKED label last in its security (maskForeign). */
  meta(meta: unknown): void {
    if (meta === undefined || meta === null) return this.plain(MASKED_LABEL, 'security');
    if (!isObject(meta) || oddSecurity(meta) || maskedElement(meta, this.rules, false)) {
      this.unsure = true;
      return;
    }
    noteMaskInputs(meta, this.inputs, false);
    if (meta.resourceType === 'Bundle') this.unsure = true;
    for (const k of Object.keys(meta)) {
      if (k === 'security') this.security(meta.security);
      else this.node(meta[k], k, k === 'contained', true);
    }
    if (!Object.prototype.hasOwnProperty.call(meta, 'security')) this.plain(MASKED_LABEL, 'security');
  }

  /** meta.security (absent, or a list of objects) without any MASKED label it had (maskForeign filters them out), then the label. */
  private security(security: unknown): void {
    if (Array.isArray(security)) {
      for (const item of security as Json[]) {
        if (this.unsure) return;
        const replacement = maskedElement(item, this.rules, false);
        if (replacement) this.replaced(item, replacement, 'security', true);
        else this.members(item, false, !(item.system === MASKED_LABEL.system && item.code === MASKED_LABEL.code));
      }
    }
    this.plain(MASKED_LABEL, 'security');
  }
}

/** What the copy `maskForeign(resource, rules)` holds for _content, or undefined when the walk cannot tell exactly. */
export function maskedContent(resource: Json, rules: ForeignRules): MaskedContent | undefined {
  const walk = new Walk(rules);
  noteMaskInputs(resource, walk.inputs, true);
  if (resource.resourceType === 'Bundle') return undefined;
  for (const k of Object.keys(resource)) {
    // The copy has no narrative; what is masked in it still makes a copy.
    if (k === 'text') walk.node(resource.text, k, false, false);
    else if (k === 'meta') walk.meta(resource.meta);
    else walk.node(resource[k], k, k === 'contained', true);
  }
  if (!Object.prototype.hasOwnProperty.call(resource, 'meta')) walk.meta(undefined);
  return walk.unsure ? undefined : { changed: walk.changed, parts: walk.parts, inputs: walk.inputs };
}

/**
 * Whether `maskForeign(resource, rules)` would return a copy (masks anything), without making it; undefined when a
 * Bundle in it leaves that open (its url strings). Stops at the first masked element: `rules` then have seen only part.
 */
export function masksAnything(resource: Json, rules: ForeignRules): boolean | undefined {
  const walk = new Walk(rules, true);
  walk.members(resource, true, false);
  // maskForeign throws on labelling a copy whose meta.security is no list of codings: that answer is its to give.
  if (walk.changed) return oddSecurity(resource.meta) ? undefined : true;
  return walk.bundle ? undefined : false;
}

/** A meta whose security is there but not a list of objects. */
const oddSecurity = (meta: unknown): boolean => isObject(meta) && meta.security !== undefined && meta.security !== null && !(Array.isArray(meta.security) && meta.security.every(isObject));
