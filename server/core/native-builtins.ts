/**
 * pdf-parse (the core-js bundled with its pdf.js) replaces Array.prototype.push and JSON.parse with polyfills when it
 * is loaded, and from then on every push and every JSON.parse in the process (request bodies, index extraction, the
 * write path) runs through them: a push about 10× slower (measured on Node 20), a few % of a Synthea ingest's server
 * CPU. This module holds the natives as they were when it was first loaded; `restoreNatives()` puts them back.
 * Import it before pdf-parse and call it after loading it and after each parse (pdf.js loads its worker module, which
 * polyfills again, on the first one: nlp/attachment/pdf-text.ts). What core-js only adds (Set methods,
 * Promise.withResolvers, …) stays: pdf.js may use it, and nothing else is slowed by it.
 */
const NATIVE_PUSH = Array.prototype.push;
const NATIVE_PARSE = JSON.parse;

const put = (holder: object, key: string, value: unknown): void => {
  Object.defineProperty(holder, key, { value, writable: true, configurable: true, enumerable: false });
};

export function restoreNatives(): void {
  if (Array.prototype.push !== NATIVE_PUSH) put(Array.prototype, 'push', NATIVE_PUSH);
  if (JSON.parse !== NATIVE_PARSE) put(JSON, 'parse', NATIVE_PARSE);
}
