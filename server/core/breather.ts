/**
 * Lets the event loop breathe during long loops over a request's parts (Bundle entries, index rows):
 * after `budgetMs` of uninterrupted work `maybeYield` waits one macrotask turn, so /healthz and other
 * requests are answered between chunks. Cheap to call per item: it only reads the clock.
 */
export interface Breather {
  maybeYield(): Promise<void>;
}

export function breather(budgetMs = 20): Breather {
  let since = performance.now();
  return {
    async maybeYield() {
      if (performance.now() - since < budgetMs) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    },
  };
}
