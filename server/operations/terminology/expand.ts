/** ValueSet/$expand — the codes of a stored or given ValueSet, filtered and paged: https://hl7.org/fhir/R4/valueset-operation-expand.html */
import type { ValueSet, ValueSetExpansionParameter } from 'fhir/r4';
import { expandResource } from '../../search/terminology';
import { listExpansion } from '../../search/terminology-expansion';
import type { OperationSpec } from '../../rest/deps';
import { targetValueSet, terminologyOperation } from './common';
import { readInParams, type ParamSpec } from './in-params';

const SPEC: ParamSpec = {
  url: { type: 'string' }, valueSet: { type: 'Resource' }, valueSetVersion: { type: 'string' }, context: { type: 'string' },
  filter: { type: 'string' }, date: { type: 'string' }, offset: { type: 'integer' }, count: { type: 'integer' },
  displayLanguage: { type: 'string' }, activeOnly: { type: 'boolean' }, excludeNested: { type: 'boolean' },
};

/** $expand, refusing expansions of more than `maxExpansion` codes (after the text filter). */
export function expandOperation(maxExpansion: number): OperationSpec {
  return {
    ...terminologyOperation('ValueSet', 'expand'),
    async handler(deps, req, target, exec) {
      const p = readInParams(req, SPEC, 'expand');
      const tx = exec.reader.terminology();
      const vs = await targetValueSet(tx, deps.validator, target, p);
      const filter = p.string('filter');
      const all = await listExpansion(tx, await expandResource(tx, vs), { filter, max: maxExpansion });
      const offset = p.integer('offset') ?? 0;
      const count = p.integer('count');
      const page = all.slice(offset, count === undefined ? undefined : offset + count);
      const parameter: ValueSetExpansionParameter[] = [
        ...(filter !== undefined ? [{ name: 'filter', valueString: filter }] : []),
        ...(p.integer('offset') !== undefined ? [{ name: 'offset', valueInteger: offset }] : []),
        ...(count !== undefined ? [{ name: 'count', valueInteger: count }] : []),
      ];
      const body: ValueSet = {
        resourceType: 'ValueSet',
        ...(vs.id ? { id: vs.id } : {}),
        ...(vs.url ? { url: vs.url } : {}),
        ...(vs.version ? { version: vs.version } : {}),
        ...(vs.name ? { name: vs.name } : {}),
        ...(vs.title ? { title: vs.title } : {}),
        status: vs.status ?? 'active',
        expansion: {
          identifier: `urn:uuid:${deps.ids.newId()}`,
          timestamp: deps.clock.now().toISOString(),
          total: all.length,
          offset,
          ...(parameter.length ? { parameter } : {}),
          ...(page.length ? { contains: page } : {}),
        },
      };
      return { status: 200, headers: {}, body };
    },
  };
}
