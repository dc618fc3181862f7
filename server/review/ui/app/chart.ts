/** The CA-125 chart: an inline SVG over time, verified points filled and provisional ones hollow, with a data table for screen readers. */
import type { Observation } from 'fhir/r4';
import { h, s } from './dom';
import { formatDate } from './fhir-model';
import { type ChartPoint, tickLabel, timeScale, valueScale } from './chart-scale';
import { UPPER_LIMIT, ca125Points } from './chart-data';

// Wide and short: the chart shares the left column with the note, which needs the height.
const W = 640;
const H = 172;
const M = { left: 56, right: 16, top: 12, bottom: 40 };
function axes(x: ReturnType<typeof timeScale>, y: ReturnType<typeof valueScale>): SVGElement[] {
  const span = x.max - x.min;
  const out: SVGElement[] = [];
  for (const v of y.ticks) {
    out.push(s('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: y.at(v), y2: y.at(v) }));
    out.push(s('text', { class: 'tick', x: M.left - 8, y: y.at(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  for (const t of x.ticks) out.push(s('text', { class: 'tick', x: x.at(t), y: H - M.bottom + 18, 'text-anchor': 'middle' }, tickLabel(t, span)));
  out.push(s('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }));
  out.push(s('text', { class: 'axis-label', x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle' }, 'Date of measurement'));
  out.push(s('text', { class: 'axis-label', transform: `translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, 'CA-125 (U/mL)'));
  return out;
}

function plot(points: ChartPoint[], selected: string | undefined, onPick: (ref: string) => void): SVGElement {
  const x = timeScale(points.map((p) => p.time), M.left, W - M.right);
  const y = valueScale(points.map((p) => p.value), UPPER_LIMIT, H - M.bottom, M.top);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x.at(p.time).toFixed(1)} ${y.at(p.value).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc', preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: 'chart-title' }, 'CA-125 over time'),
    s('desc', { id: 'chart-desc' }, `${points.length} measurements; filled points are verified, hollow points provisional.`),
    axes(x, y),
    s('line', { class: 'ref-line', x1: M.left, x2: W - M.right, y1: y.at(UPPER_LIMIT), y2: y.at(UPPER_LIMIT) }),
    s('text', { class: 'ref-label', x: W - M.right - 4, y: y.at(UPPER_LIMIT) - 5, 'text-anchor': 'end' }, `${UPPER_LIMIT} U/mL upper reference`),
    s('path', { class: 'trend', d: path }),
    points.map((p) => s('circle', {
      class: `pt ${p.verified ? 'pt-verified' : 'pt-provisional'}${p.ref === selected ? ' pt-selected' : ''}`,
      cx: x.at(p.time), cy: y.at(p.value), r: p.ref === selected ? 7 : 5.5, 'data-ref': p.ref,
      onclick: () => onPick(p.ref),
    }, s('title', {}, p.label))));
}

function legend(): HTMLElement {
  const dot = (cls: string): SVGElement => s('svg', { viewBox: '0 0 14 14', width: 14, height: 14, 'aria-hidden': 'true' }, s('circle', { class: `pt ${cls}`, cx: 7, cy: 7, r: 5 }));
  return h('ul', { class: 'legend' },
    h('li', {}, dot('pt-verified'), 'Verified'),
    h('li', {}, dot('pt-provisional'), 'Provisional (awaiting review)'),
    h('li', {}, s('svg', { viewBox: '0 0 18 14', width: 18, height: 14, 'aria-hidden': 'true' }, s('line', { class: 'ref-line', x1: 0, x2: 18, y1: 7, y2: 7 })), 'Upper reference limit'));
}

function dataTable(points: ChartPoint[]): HTMLElement {
  return h('table', { class: 'sr-only' },
    h('caption', {}, 'CA-125 measurements'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'CA-125 (U/mL)'), h('th', { scope: 'col' }, 'Status'))),
    h('tbody', {}, points.map((p) => h('tr', {}, h('td', {}, formatDate(new Date(p.time).toISOString())), h('td', {}, p.value), h('td', {}, p.verified ? 'verified' : 'provisional')))));
}

export function renderCa125Chart(observations: Observation[], selected: string | undefined, onPick: (ref: string) => void): HTMLElement {
  const { points, skipped } = ca125Points(observations);
  const note = skipped ? h('p', { class: 'muted small' }, `${skipped} value(s) without a date or in another unit are not plotted.`) : null;
  if (!points.length) return h('div', { class: 'chart-empty' }, h('p', { class: 'muted' }, 'No CA-125 values recorded for this patient.'), note);
  return h('div', { class: 'chart-wrap' }, legend(), plot(points, selected, onPick), dataTable(points), note);
}
