/** What the R4 narrative rules allow (https://hl7.org/fhir/R4/narrative.html#xhtml, txt-1): elements, attributes, URL-valued attributes. */

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Basic HTML formatting (HTML 4.0 chapters 7-11 and 15), links and images: no scripts, forms, frames, objects, head or body. */
export const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set(
  (
    'p br div h1 h2 h3 h4 h5 h6 a span b em i strong small big tt dfn q var abbr acronym cite blockquote hr address bdo ' +
    'kbd sub sup ul ol li dl dt dd pre table caption colgroup col thead tr tfoot tbody th td code samp img map area'
  ).split(' '),
);

/** Core, i18n and table-layout attributes allowed on any element (the same list the HL7 Java validator uses). */
const GLOBAL_ATTRIBUTES = new Set(
  (
    'title style class id lang xml:lang dir accesskey tabindex ' +
    'span width align valign char charoff abbr axis headers scope rowspan colspan'
  ).split(' '),
);

/** Element-specific attributes (`element.attribute`). */
const ELEMENT_ATTRIBUTES = new Set(
  (
    'a.href a.name a.type a.rel a.rev a.hreflang a.charset a.coords a.shape a.target ' +
    'img.src img.alt img.longdesc img.height img.width img.border img.usemap img.ismap img.hspace img.vspace img.name ' +
    'area.shape area.coords area.href area.nohref area.alt map.name blockquote.cite q.cite ins.cite del.cite ' +
    'table.summary table.border table.frame table.rules table.cellspacing table.cellpadding ' +
    'td.nowrap th.nowrap ol.start ol.type ol.compact ul.type ul.compact li.type li.value dl.compact ' +
    'hr.noshade hr.size br.clear pre.space bdo.dir'
  ).split(' '),
);

/** Attributes whose value is a URL: their scheme is checked after normalisation. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'src', 'cite', 'longdesc', 'usemap']);

/** Whether `element` may carry `attribute` (both lower-case local names; `xml:lang` keeps its prefix). */
export function attributeAllowed(element: string, attribute: string): boolean {
  return GLOBAL_ATTRIBUTES.has(attribute) || ELEMENT_ATTRIBUTES.has(`${element}.${attribute}`);
}
