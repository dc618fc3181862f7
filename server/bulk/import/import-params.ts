/**
 * The $import kick-off Parameters in the common shape (HL7 Bulk Data Import draft, HAPI FHIR, Smile CDR):
 *
 *   inputFormat   = application/fhir+ndjson (required)
 *   inputSource   = uri of the data's origin (optional, recorded only)
 *   storageDetail = part: type (e.g. https), maxBatchResourceCount (optional; accepted, informational)
 *   input (1..n)  = part: type (resource type of every line, optional), url (required)
 *
 * Every url must name a Binary of this server (`Binary/{id}`, or absolute under this server's base):
 * the server never fetches external URLs (same rule as attachments). Pure: no I/O.
 */
import { badRequest } from '../../core/fhir-error';
import { type ParamNode, readParameters } from '../../core/parameters-reader';
import type { ImportInput } from '../../store/types';

export const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
/** Inputs per job: a bound on the kick-off's work (each is checked before the job is queued). */
export const MAX_INPUTS = 1000;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE = /^[A-Z][A-Za-z]{0,63}$/;
const OP = '$import';

const stringValue = (p: ParamNode): string | undefined => (typeof p.value?.value === 'string' ? p.value.value : undefined);

function single(params: ParamNode[], name: string): ParamNode | undefined {
  const found = params.filter((p) => p.name === name);
  if (found.length > 1) throw badRequest(`${OP}: parameter '${name}' may appear only once`, [found[1].expression]);
  return found[0];
}

/** The Binary id a URL names, when it is one of this server's Binaries; undefined otherwise. */
export function binaryIdOf(url: string, baseUrl: string): string | undefined {
  const base = `${baseUrl.replace(/\/+$/, '')}/`;
  const rest = url.startsWith(base) ? url.slice(base.length) : /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/') ? undefined : url;
  const m = rest === undefined ? null : /^Binary\/([^/?#]+)$/.exec(rest);
  return m && ID.test(m[1]) ? m[1] : undefined;
}

function readInput(p: ParamNode, baseUrl: string, knownType: (t: string) => boolean): ImportInput {
  const where = p.expression;
  if (!p.part.length) throw badRequest(`${OP}: 'input' needs parts 'type' and 'url'`, [where]);
  let type: string | undefined;
  let url: string | undefined;
  for (const part of p.part) {
    const v = stringValue(part);
    if (part.name === 'type' && v !== undefined && type === undefined) type = v;
    else if (part.name === 'url' && v !== undefined && url === undefined) url = v;
    else throw badRequest(`${OP}: unexpected or repeated part '${part.name.slice(0, 40)}' in 'input' (only one 'type' and one 'url', as strings)`, [part.expression]);
  }
  if (type !== undefined && (!TYPE.test(type) || !knownType(type))) throw badRequest(`${OP}: input type '${type.slice(0, 64)}' is not a resource type of this server`, [where]);
  if (url === undefined) throw badRequest(`${OP}: 'input' needs a part 'url'`, [where]);
  const id = binaryIdOf(url, baseUrl);
  if (id === undefined) {
    throw badRequest(`${OP}: input url '${url.slice(0, 200)}' is not a Binary of this server; this server never fetches external URLs — upload the NDJSON as a Binary (or POST it to $import as application/fhir+ndjson) and name it Binary/{id}`, [where]);
  }
  return { ...(type !== undefined ? { type } : {}), url, source: { binary: id } };
}

function checkStorageDetail(p: ParamNode | undefined): void {
  if (!p) return;
  for (const part of p.part) {
    if (part.name !== 'type' && part.name !== 'maxBatchResourceCount') throw badRequest(`${OP}: unknown storageDetail part '${part.name.slice(0, 40)}'`, [part.expression]);
  }
}

const KNOWN = new Set(['inputFormat', 'inputSource', 'storageDetail', 'input']);

/** The inputs of a kick-off body; every problem is a 400 naming the parameter. */
export function readImportParameters(body: unknown, baseUrl: string, knownType: (t: string) => boolean): ImportInput[] {
  const params = readParameters(body, OP);
  const unknown = params.find((p) => !KNOWN.has(p.name));
  if (unknown) throw badRequest(`${OP}: unknown parameter '${unknown.name.slice(0, 40)}' (expected inputFormat, inputSource, storageDetail, input)`, [unknown.expression]);
  const format = single(params, 'inputFormat');
  const formatValue = format && stringValue(format);
  if (formatValue === undefined || !NDJSON_FORMATS.has(formatValue.toLowerCase())) {
    throw badRequest(`${OP}: 'inputFormat' must be application/fhir+ndjson`, [format?.expression ?? 'Parameters.parameter']);
  }
  single(params, 'inputSource');
  checkStorageDetail(single(params, 'storageDetail'));
  const inputs = params.filter((p) => p.name === 'input');
  if (!inputs.length) throw badRequest(`${OP}: at least one 'input' is required`, ['Parameters.parameter']);
  if (inputs.length > MAX_INPUTS) throw badRequest(`${OP}: at most ${MAX_INPUTS} inputs per job`, [inputs[MAX_INPUTS].expression]);
  return inputs.map((p) => readInput(p, baseUrl, knownType));
}
