/** Bounds how many model requests run at once (per extractor, across all notes and chunks); the rest wait in order. */

export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxConcurrency must be a positive integer');
  }

  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // hand the slot straight to the next waiter, so the count never dips and lets a newcomer jump the queue
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
