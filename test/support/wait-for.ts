/**
 * Waits by the clock (never a fixed number of turns) until `ok` holds, polling every 20 ms; fails loudly on timeout
 * so a slow machine shows up as a named failure, not as a later assertion on half-done work.
 */
export async function waitFor(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await ok());) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
