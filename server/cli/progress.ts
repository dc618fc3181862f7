/** Progress of a long import: a cli-progress bar on a terminal, plain lines otherwise (logs, CI, tests). */
import { SingleBar } from 'cli-progress';

export interface Progress {
  add(resources: number): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'plain' | 'none';

interface Rates { done: number; total: number; perSecond: number; etaSeconds: number }

function rates(done: number, total: number, startedAt: number): Rates {
  const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
  const perSecond = done / seconds;
  return { done, total, perSecond, etaSeconds: perSecond > 0 ? Math.max(0, (total - done) / perSecond) : Infinity };
}

const plainLine = (r: Rates): string =>
  `progress: ${r.done}/${r.total} resources, ${r.perSecond.toFixed(1)}/s, ETA ${Number.isFinite(r.etaSeconds) ? `${Math.ceil(r.etaSeconds)}s` : '?'}\n`;

export function createProgress(mode: ProgressMode, total: number, out: NodeJS.WritableStream, intervalMs = 1000): Progress {
  const startedAt = Date.now();
  let done = 0;
  if (mode === 'bar') {
    const bar = new SingleBar({ stream: out, format: 'import [{bar}] {percentage}% | {value}/{total} resources | {speed}/s | ETA {eta_formatted}', hideCursor: true });
    bar.start(total, 0, { speed: '0.0' });
    return {
      add: (n) => { done += n; bar.update(done, { speed: rates(done, total, startedAt).perSecond.toFixed(1) }); },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    add: (n) => {
      done += n;
      if (mode === 'plain' && (Date.now() - last >= intervalMs || done >= total)) {
        last = Date.now();
        out.write(plainLine(rates(done, total, startedAt)));
      }
    },
    stop: () => undefined,
  };
}
