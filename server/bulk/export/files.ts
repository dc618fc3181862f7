/** Where an export job's files live: one directory per job under EXPORT_DIR, one `{Type}.ndjson` per type. */
import { rm } from 'node:fs/promises';
import path from 'node:path';

const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;
const FILE = /^([A-Z][A-Za-z]{1,63})\.ndjson$/;

export function jobDir(root: string, jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new Error('export job ids are generated ids');
  return path.join(root, jobId);
}

export const fileName = (type: string): string => `${type}.ndjson`;

/** The type a requested file name stands for, or undefined when it is not one of ours. */
export function typeOfFile(name: string): string | undefined {
  return FILE.exec(name)?.[1];
}

export const isJobId = (id: string): boolean => JOB_ID.test(id);

export async function removeJobFiles(root: string, jobId: string): Promise<void> {
  await rm(jobDir(root, jobId), { recursive: true, force: true });
}
