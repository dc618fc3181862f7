/**
 * Parses a rule path into a root and steps when it is a plain element path — `Patient.address.city`,
 * `HumanName`, `date`, `Extension.where(url='…').extension.where(url='quote')`,
 * `Observation.value.ofType(string)`, Microsoft's `nodesByType('HumanName')` — which the walker
 * matches directly. Anything else (null) is a FHIRPath expression for the fhirpath engine.
 */
export interface PathStep {
  /** JSON key or FHIRPath name (choice base) of the element. */
  name: string;
  /** `where(field='value')` conditions on the element reached by this step. */
  where: { field: string; value: string }[];
}

export interface SimplePath {
  root: string;
  /** Conditions on the root element itself (`Extension.where(url='…')`). */
  rootWhere: { field: string; value: string }[];
  steps: PathStep[];
}

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const WHERE = /^where\(\s*([a-z][A-Za-z0-9]*)\s*=\s*'([^'\\]*)'\s*\)$/;
const OF_TYPE = /^(?:ofType|as)\(\s*([A-Za-z][A-Za-z0-9]*)\s*\)$/;
const NODES_BY_TYPE = /^nodesByType\(\s*'([A-Za-z][A-Za-z0-9]*)'\s*\)$/;

/** Splits on dots outside parentheses and quotes; null on unbalanced input. */
function segments(path: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "'" ) quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '.' && depth === 0) {
      out.push(path.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) return null;
  }
  if (depth !== 0 || quoted) return null;
  out.push(path.slice(start).trim());
  return out;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function parseSimplePath(path: string): SimplePath | null {
  const byType = NODES_BY_TYPE.exec(path.trim());
  if (byType) return { root: byType[1], rootWhere: [], steps: [] };
  const segs = segments(path);
  if (!segs || !NAME.test(segs[0])) return null;
  const parsed: SimplePath = { root: segs[0], rootWhere: [], steps: [] };
  for (const seg of segs.slice(1)) {
    const last = parsed.steps[parsed.steps.length - 1];
    const where = WHERE.exec(seg);
    const ofType = OF_TYPE.exec(seg);
    if (where) (last ? last.where : parsed.rootWhere).push({ field: where[1], value: where[2] });
    else if (ofType && last && last.where.length === 0) last.name += capitalize(ofType[1]);
    else if (NAME.test(seg)) parsed.steps.push({ name: seg, where: [] });
    else return null;
  }
  return parsed;
}
