/** One page of an export as NDJSON: the stored JSON lines as they are, or each one through the job's transform. */
import type { Resource } from 'fhir/r4';
import type { TransformRecipe } from './transform-recipe';
import type { ExportTransform } from './transform';

export interface EncodedPage {
  /** The page's NDJSON text (UTF-8 bytes when it comes from the worker). */
  data: string | Uint8Array;
  lines: number;
  /** Resources the transform left out. */
  excluded: number;
}

/** What the export's worker thread starts with. */
export interface ThreadData { recipe: TransformRecipe; key: Uint8Array | undefined }

const utf8 = new TextEncoder();

/** `joined`: stored JSON texts separated by '\n' (jsonb text never holds a raw newline). */
export function encodeLines(joined: string, transform: ExportTransform | undefined): EncodedPage {
  if (!joined) return { data: new Uint8Array(0), lines: 0, excluded: 0 };
  const lines = joined.split('\n');
  if (!transform) return { data: utf8.encode(`${joined}\n`), lines: lines.length, excluded: 0 };
  let text = '';
  let kept = 0;
  for (const line of lines) {
    const out = transform.apply(JSON.parse(line) as Resource);
    if (out === undefined) continue;
    text += `${JSON.stringify(out)}\n`;
    kept++;
  }
  return { data: utf8.encode(text), lines: kept, excluded: lines.length - kept };
}
