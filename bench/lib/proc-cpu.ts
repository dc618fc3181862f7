/**
 * A process's own CPU time (user + system) from /proc/<pid>/stat: what a server spends per request,
 * independent of how fast the load generator is; and CPU pinning with taskset (util-linux).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** CPU seconds the process has used so far (its threads included; children it waited for are not). */
export function cpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may hold spaces and parentheses: count fields after its closing ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Can this machine pin processes (taskset present and at least two CPUs usable)? */
export function canPin(): boolean {
  try {
    const list = execFileSync('taskset', ['-cp', String(process.pid)]).toString();
    return /:\s*0-\d|,/.test(list);
  } catch {
    return false;
  }
}

/** Pins every thread of `pid` to the CPU list `cpus` (e.g. '0'). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
}
