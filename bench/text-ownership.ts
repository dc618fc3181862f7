/**
 * bench/text-ownership: what the write path's text-ownership step (search/text-ownership.ts) costs per resource,
 * next to the index extraction it follows, over the Synthea bundles as a server stores them. In-process, no
 * database. Process CPU time (not wall time: the machine may be shared) per resource, median of several rounds
 * after a warm-up round; ownership is given the index values, as the write path gives them.
 */
import type { Resource } from 'fhir/r4';
import { createSearchRegistry } from '../server/search/registry';
import { textOwnershipOf } from '../server/search/text-ownership';
import { loadStoredSynthea } from './lib/synthea-stored';
import { fmt } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_TEXT_OWNERSHIP_ROUNDS ?? 7);

/** CPU µs per item of `run` over `items`. */
function cpuPerItem<T>(items: T[], run: (item: T) => unknown): number {
  const start = process.cpuUsage();
  for (const item of items) run(item);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / items.length;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchTextOwnership(): Promise<void> {
  const registry = createSearchRegistry();
  const resources = loadStoredSynthea().flatMap((b) => b.resources);
  const withValues = resources.map((r) => ({ r, values: registry.extract(r) }));
  const types = [...new Set(resources.map((r) => r.resourceType))];
  console.log(`text-ownership: ${resources.length} Synthea resources, ${ROUNDS} rounds after a warm-up, CPU µs per resource`);
  const extract: number[] = [];
  const ownership: number[] = [];
  const perType = new Map<string, number[]>(types.map((t) => [t, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    const e = cpuPerItem(resources, (r: Resource) => registry.extract(r));
    const o = cpuPerItem(withValues, ({ r, values }) => textOwnershipOf(registry, r, values));
    if (round === 0) continue;
    extract.push(e);
    ownership.push(o);
    for (const t of types) perType.get(t)?.push(cpuPerItem(withValues.filter((x) => x.r.resourceType === t), ({ r, values }) => textOwnershipOf(registry, r, values)));
  }
  const [e, o] = [median(extract), median(ownership)];
  console.log(`  extract:        ${fmt(e, 1)} µs per resource`);
  console.log(`  text ownership: ${fmt(o, 1)} µs per resource (${fmt((100 * o) / e, 0)} % of the extraction)`);
  const counts = new Map(types.map((t) => [t, resources.filter((r) => r.resourceType === t).length]));
  const heaviest = types.map((t) => ({ t, us: median(perType.get(t) ?? []), n: counts.get(t) ?? 0 })).sort((a, b) => b.us * b.n - a.us * a.n).slice(0, 6);
  console.log(`  ownership by type (µs each, count): ${heaviest.map((h) => `${h.t} ${fmt(h.us, 1)} (${h.n})`).join(', ')}`);
  await Promise.resolve();
}
