/** A clock that stands still until the test moves it: REST dates (meta.lastUpdated, Last-Modified, _since) become exact. */
import type { Clock } from '../../server/core/clock';

export interface TestClock extends Clock {
  /** From now on `now()` answers this instant. */
  set(at: string | Date): Date;
}

export function fixedClock(start: string | Date): TestClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at);
      return new Date(current);
    },
  };
}
