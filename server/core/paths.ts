/** Locates the repository root (where package.json lives) from both ts sources and compiled dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  cached = dir;
  return dir;
}

export const fromRoot = (...parts: string[]): string => path.join(repoRoot(), ...parts);
