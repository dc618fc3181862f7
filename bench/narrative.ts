/** bench/narrative: times the narrative XHTML check on 256 KB, 512 KB and 1 MB of adversarial markup per family (pure CPU, no server). */
import { checkXhtml } from '../server/validation/xhtml';
import { fmt } from './lib/stats';

const NS = 'xmlns="http://www.w3.org/1999/xhtml"';
const fill = (head: string, unit: string, tail: string, bytes: number): string => head + unit.repeat(Math.max(1, Math.floor((bytes - head.length - tail.length) / unit.length))) + tail;

/** Each family builds about `bytes` of input: the unclosed `<a`, deep nesting, attribute and entity floods. */
const FAMILIES: Record<string, (bytes: number) => string> = {
  'unclosed <a (issue 12)': (b) => fill(`<div ${NS}>x`, '<a', '', b),
  'unclosed <a href= ': (b) => fill(`<div ${NS}>x`, '<a href="x" ', '', b),
  'deep nesting (to the cap)': (b) => fill(`<div ${NS}>`, `${'<b>'.repeat(250)}x${'</b>'.repeat(250)}`, '</div>', b),
  'many attributes': (b) => fill(`<div ${NS}><p `, 'title="t" class="c" ', '>x</p></div>', b),
  'encoded links': (b) => fill(`<div ${NS}>`, '<a href="http://a/&#106;&#x6A;&amp;">x</a>', '</div>', b),
  'long style': (b) => fill(`<div ${NS}><p style="`, 'color:red;/*c*/\\75 ', '">x</p></div>', b),
  'unterminated comment': (b) => fill(`<div ${NS}>`, '<!--', '', b),
  'open attribute quote': (b) => fill(`<div ${NS} title="`, '<a', '', b),
  'plain text (baseline)': (b) => fill(`<div ${NS}>`, 'lorem ipsum ', '</div>', b),
};

function timeMs(input: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    checkXhtml(input);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

export async function benchNarrative(): Promise<void> {
  console.log('narrative: checkXhtml on adversarial markup (best of 3), ms at 256 KB / 512 KB / 1 MB, and the 1 MB / 256 KB ratio (4 = linear)');
  for (const [name, make] of Object.entries(FAMILIES)) {
    const [a, b, c] = [256 * 1024, 512 * 1024, 1024 * 1024].map((bytes) => timeMs(make(bytes)));
    console.log(`  ${name.padEnd(28)} ${fmt(a, 2).padStart(8)} ${fmt(b, 2).padStart(8)} ${fmt(c, 2).padStart(8)}   ratio ${fmt(c / Math.max(a, 0.01), 1)}`);
  }
}
