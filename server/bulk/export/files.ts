/** Where an export job's files live: one directory per job under EXPORT_DIR, `{Type}.ndjson` per type (then `{Type}.2.ndjson`, … when split). */
import { rm } from 'node:fs/promises';
import path from 'node:path';

const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;
const FILE = /^([A-Z][A-Za-z]{1,63})(?:\.([2-9]|[1-9]\d{1,8}))?\.ndjson$/;

export function jobDir(root: string, jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new Error('export job ids are generated ids');
  return path.join(root, jobId);
}

/** Part 1 of a type is `{Type}.ndjson`, part n `{Type}.n.ndjson`. */
export const fileName = (type: string, part = 1): string => (part > 1 ? `${type}.${part}.ndjson` : `${type}.ndjson`);

/** The type and part a requested file name stands for, or undefined when it is not one of ours. */
export function typeOfFile(name: string): { type: string; part: number } | undefined {
  const m = FILE.exec(name);
  return m ? { type: m[1], part: m[2] ? Number(m[2]) : 1 } : undefined;
}

export const isJobId = (id: string): boolean => JOB_ID.test(id);

export async function removeJobFiles(root: string, jobId: string): Promise<void> {
  await rm(jobDir(root, jobId), { recursive: true, force: true });
}
