// Raceway web view: races with the conflicting accesses side by side (each side's service and
// request), a per-variable timeline of accesses (one lane per task), the traces with their root
// request, and each trace as swimlanes of tasks grouped by service with its critical path and
// service map. It keeps itself up to date by polling /status (see `poll`).
// All text goes through textContent: variable names and values come from the instrumented program
// and must never be interpreted as HTML.
'use strict';

const KIND = { lost_update: 'lost update', unordered_writes: 'unordered writes', check_then_act: 'check-then-act', use_before_init: 'use before init', use_after_reset: 'use after reset' };
const ROLE = {
  stale_read: 'stale read', check_read: 'check (read)', interleaved_write: 'interleaved write', overwrite: 'overwriting write', write: 'write',
  act: 'act (found the entry changed)',
  early_read: 'read first (saw the value before the write)', init_write: 'initialising write (came after the read)',
  reset_write: 'reset (came first)', late_read: 'read after the reset (saw its value)',
};
/** Order violations: the sentence that says which access came first and what was seen. */
function orderNote(r) {
  const a = r.first; const b = r.second;
  if (r.kind === 'use_before_init') return `First: Thread A read ${val(a.new_value)} at ${a.location} (${time(a.timestamp)}). Then: Thread B initialised it to ${val(b.new_value)} at ${b.location} (${time(b.timestamp)}). Nothing made the read wait for the write.`;
  if (r.kind === 'use_after_reset') return `First: Thread A reset it from ${val(a.old_value)} to ${val(a.new_value)} at ${a.location} (${time(a.timestamp)}). Then: Thread B read ${val(b.new_value)} at ${b.location} (${time(b.timestamp)}). Nothing ordered them.`;
  return null;
}
const key = new URLSearchParams(location.hash.slice(1)).get('key');
const MAX_ROWS = 2000; // a table with more rows than this is too slow to be useful
const MAX_TRACE_EVENTS = 10000; // events of one trace the swimlanes read (pages of MAX_ROWS)
const POLL_MS = 1500; // how often /status is asked whether anything new was stored
const NAMED_RACES = 100; // race cards whose traces' requests are looked up (the server's limit per call)
const SVG = 'http://www.w3.org/2000/svg';

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** An SVG element (attributes only; text through textContent). */
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

async function api(path) {
  const res = await fetch(path, { headers: key ? { 'x-raceway-key': key } : {} });
  let body;
  try { body = await res.json(); } catch { throw new Error(`${path}: HTTP ${res.status}`); }
  if (!body.success) throw new Error(`${path}: ${body.error || 'HTTP ' + res.status}`);
  return body.data;
}

const $ = (id) => document.getElementById(id);
const short = (id) => String(id).slice(0, 8);
const time = (ts) => (/T(\d\d:\d\d:\d\d(\.\d+)?)/.exec(ts) || [, ts])[1];
const val = (v) => { const t = JSON.stringify(v === undefined ? null : v); return t.length > 120 ? t.slice(0, 117) + '…' : t; };
/** Microseconds since the epoch of an RFC 3339 timestamp (Date.parse keeps only milliseconds). */
function micros(ts) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(ts);
  if (!m) return Date.parse(ts) * 1000;
  const frac = (m[2] || '').padEnd(6, '0').slice(0, 6);
  return Date.parse(m[1] + (m[3] || 'Z')) * 1000 + Number(frac);
}
/** A duration for people: `1007 ms`, `12.5 ms`. */
const ms = (x) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;
/** `POST /transfer` of a request named by the server (trace-requests.ts). */
const requestText = (r) => r ? `${r.method} ${r.url}` : null;

let current = 'races';
let previous = 'races';
function show(view) {
  if (view !== current) previous = current;
  current = view;
  for (const v of ['races', 'traces', 'timeline', 'trace']) $('view-' + v).hidden = v !== view;
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.view === view);
}
const backButton = (label, view) => h('button', { class: 'back', onclick: () => show(view) }, '← ' + label);

function showError(err) {
  const box = $('error');
  box.hidden = !err;
  box.textContent = err ? String(err.message || err) : '';
}

// ---- races ------------------------------------------------------------------------------------

/** trace id → [{service, method, url}] (the first incoming request of each service of the trace). */
const requestsByTrace = new Map();

/** Looks up the requests of the traces not known yet (at most NAMED_RACES per call). */
async function learnRequests(traceIds) {
  const missing = [...new Set(traceIds)].filter((t) => !requestsByTrace.has(t)).slice(0, NAMED_RACES);
  if (!missing.length) return;
  const d = await api('/api/requests?trace_id=' + missing.map(encodeURIComponent).join(','));
  for (const t of d.traces) requestsByTrace.set(t.trace_id, t.requests);
}

/** The request an access served: its trace's first incoming request in the access's service. */
const requestOf = (a) => (requestsByTrace.get(a.trace_id) || []).find((r) => r.service === a.service_name) || null;

function accessSide(label, cls, a) {
  const isRead = a.access_type === 'Read' || a.access_type === 'AtomicRead';
  const req = requestOf(a);
  return h('div', { class: `side ${cls}`, 'data-testid': `side-${cls}` },
    h('h3', null, `Thread ${label} · ${ROLE[a.role] || a.role}`),
    h('div', { class: 'who' }, h('span', { class: 'service', 'data-testid': 'side-service' }, a.service_name),
      req ? h('span', { class: 'request', 'data-testid': 'side-request' }, requestText(req)) : null),
    h('dl', null,
      h('dt', null, 'task'), h('dd', null, a.thread_id),
      h('dt', null, 'trace'), h('dd', null, h('a', { href: '#', onclick: (e) => { e.preventDefault(); openTrace(a.trace_id); } }, a.trace_id)),
      h('dt', null, 'time'), h('dd', null, a.timestamp),
      h('dt', null, 'location'), h('dd', null, a.location),
      h('dt', null, isRead ? 'read' : 'write'), h('dd', { 'data-testid': 'value' }, isRead ? val(a.new_value) : `${val(a.old_value)} → ${val(a.new_value)}`)));
}

function raceCard(r) {
  const others = r.accesses.filter((a) => a.event_id !== r.first.event_id && a.event_id !== r.second.event_id);
  const services = [...new Set(r.accesses.map((a) => a.service_name))];
  return h('div', { class: 'card race-card', 'data-testid': 'race', 'data-kind': r.kind },
    h('h2', null, h('span', { class: `badge ${r.severity}` }, r.severity), r.variable, ' ', h('span', { class: 'kind' }, KIND[r.kind] || r.kind),
      services.length > 1 ? h('span', { class: 'kind' }, ' · across ' + services.join(' and ')) : null),
    h('div', { class: 'desc' }, r.description),
    orderNote(r) ? h('div', { class: 'context order', 'data-testid': 'order' }, orderNote(r)) : null,
    h('div', { class: 'sides' }, accessSide('A', 'a', r.first), accessSide('B', 'b', r.second)),
    others.length ? h('div', { class: 'context' }, others.map((a) => `${ROLE[a.role]}: ${val(a.new_value)} at ${a.location} (${time(a.timestamp)}, ${a.service_name}, task ${short(a.thread_id)})`).join('; ')) : null,
    h('div', { class: 'context actions' },
      h('button', { 'data-testid': 'open-timeline', onclick: () => openTimeline(r.variable) }, 'Audit trail of ' + r.variable),
      r.trace_ids.map((t) => h('button', { 'data-testid': 'open-trace', onclick: () => openTrace(t) }, 'trace ' + short(t)))));
}

async function loadRaces() {
  const data = await api('/api/races?limit=1000');
  requestsByTrace.clear(); // a trace's callee may have recorded its request since
  try {
    await learnRequests(data.races.slice(0, NAMED_RACES).flatMap((r) => r.accesses.map((a) => a.trace_id)));
  } catch { /* the cards still show without the request names */ }
  const root = $('view-races');
  root.replaceChildren();
  if (!data.races.length) root.append(h('div', { class: 'empty', 'data-testid': 'no-races' }, 'No races detected yet. This page updates by itself.'));
  for (const r of data.races) root.append(raceCard(r));
  if (data.total_races > data.races.length) {
    root.append(h('div', { class: 'context', 'data-testid': 'more-races' }, `${data.total_races - data.races.length} more races not shown (the first ${data.races.length} of ${data.total_races}); raceway races --json lists up to 10,000`));
  }
  $('tab-races').textContent = `Races (${data.total_races})`;
}

// ---- traces -----------------------------------------------------------------------------------

async function loadTraces() {
  const data = await api('/api/traces?page=1&page_size=100');
  // The trace on show grew (a callee's events came in): redraw it where it is.
  const grown = shownTrace && shownTrace.events !== null && current === 'trace'
    && data.traces.find((t) => t.trace_id === shownTrace.id && t.event_count !== shownTrace.events);
  if (grown) openTrace(grown.trace_id, true);
  const rows = data.traces.map((t) => h('tr', { class: 'clickable', 'data-testid': 'trace-row', 'data-trace': t.trace_id, onclick: () => openTrace(t.trace_id) },
    h('td', { class: 'mono', 'data-testid': 'root-request' }, requestText(t.root_request) || '—'),
    h('td', { 'data-testid': 'trace-services' }, t.services.join(', ')),
    h('td', { class: 'num' }, t.event_count),
    h('td', { class: 'mono' }, time(t.first_timestamp)),
    h('td', { class: 'mono', title: t.trace_id }, short(t.trace_id))));
  $('view-traces').replaceChildren(
    h('div', { class: 'card scroll' },
      h('table', null, h('thead', null, h('tr', null, h('th', null, 'request'), h('th', null, 'services'), h('th', null, 'events'), h('th', null, 'first event'), h('th', null, 'trace'))),
        h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'No traces stored yet. This page updates by itself.'))))),
    h('div', { class: 'context' }, data.total_traces > data.traces.length ? `the ${data.traces.length} most recent of ${data.total_traces} traces` : `${data.total_traces} traces`));
  $('tab-traces').textContent = `Traces (${data.total_traces})`;
}

function eventSummary(e) {
  const [kind, body] = Object.entries(e.kind)[0] || ['?', {}];
  switch (kind) {
    case 'StateChange': return `${body.access_type} ${body.variable} ${body.access_type === 'Read' ? '= ' + val(body.new_value) : val(body.old_value) + ' → ' + val(body.new_value)} @ ${body.location}`;
    case 'FunctionCall': return `${body.function_name}() @ ${body.file}:${body.line}`;
    case 'HttpRequest': return `${body.method} ${body.url}`;
    case 'HttpResponse': return `${body.status} (${body.duration_ms} ms)`;
    case 'AsyncSpawn': return `spawn task ${short(body.task_id)} from ${body.spawned_by}`;
    case 'AsyncAwait': return `await @ ${body.awaited_at}`;
    case 'LockAcquire': case 'LockRelease': return `${body.lock_id} (${body.lock_type}) @ ${body.location}`;
    case 'Error': return `${body.error_type}: ${body.message}`;
    default: return val(body);
  }
}

/** The trace's first page (with its views) and the pages after it, up to MAX_TRACE_EVENTS events. */
async function readTrace(id) {
  const base = '/api/traces/' + encodeURIComponent(id) + '?limit=' + MAX_ROWS;
  const first = await api(base);
  const events = first.events.slice();
  let next = first.next_offset;
  while (next !== null && next !== undefined && events.length < MAX_TRACE_EVENTS) {
    const page = await api(base + '&offset=' + next);
    events.push(...page.events);
    next = page.next_offset;
  }
  return { ...first, events };
}

/**
 * Swimlanes: one group per service, one lane per task, each event a tick placed by its timestamp
 * along the trace's duration; the critical path's events and the span between them in each task
 * are highlighted.
 */
function swimlanes(events, critical) {
  const stamps = events.map((e) => micros(e.timestamp));
  const t0 = Math.min(...stamps);
  const span = Math.max(1, Math.max(...stamps) - t0);
  const at = (ts) => `${(((ts - t0) / span) * 100).toFixed(3)}%`;
  const services = new Map();
  events.forEach((e, i) => {
    const svc = e.metadata.service_name;
    if (!services.has(svc)) services.set(svc, new Map());
    const tasks = services.get(svc);
    if (!tasks.has(e.metadata.thread_id)) tasks.set(e.metadata.thread_id, []);
    tasks.get(e.metadata.thread_id).push({ e, ts: stamps[i] });
  });
  const groups = [...services].map(([svc, tasks]) => h('div', { class: 'lane-group', 'data-testid': 'service-lane', 'data-service': svc },
    h('div', { class: 'lane-service' }, svc, h('span', { class: 'kind' }, ` · ${tasks.size} task${tasks.size === 1 ? '' : 's'}`)),
    [...tasks].map(([task, list]) => {
      const first = Math.min(...list.map((x) => x.ts));
      const last = Math.max(...list.map((x) => x.ts));
      const track = h('div', { class: 'track' });
      const bar = h('span', { class: 'bar' });
      bar.style.left = at(first);
      bar.style.width = `max(2px, ${(((last - first) / span) * 100).toFixed(3)}%)`;
      track.append(bar);
      const onPath = list.filter((x) => critical.has(x.e.id));
      if (onPath.length) {
        const seg = h('span', { class: 'crit-seg', 'data-testid': 'critical-segment' });
        const a = Math.min(...onPath.map((x) => x.ts));
        const b = Math.max(...onPath.map((x) => x.ts));
        seg.style.left = at(a);
        seg.style.width = `max(3px, ${(((b - a) / span) * 100).toFixed(3)}%)`;
        track.append(seg);
      }
      for (const { e, ts } of list) {
        const kind = Object.keys(e.kind)[0];
        const tick = h('span', { class: `ev ${kind}${critical.has(e.id) ? ' crit' : ''}`, title: `${time(e.timestamp)} ${kind}: ${eventSummary(e)}` });
        tick.style.left = at(ts);
        track.append(tick);
      }
      const req = list.find((x) => x.e.kind.HttpRequest && String(x.e.kind.HttpRequest.url).startsWith('/'));
      const fn = list.find((x) => x.e.kind.FunctionCall);
      const label = req ? requestText(req.e.kind.HttpRequest) : fn ? fn.e.kind.FunctionCall.function_name + '()' : '';
      return h('div', { class: 'lane', 'data-testid': 'task-lane' },
        h('div', { class: 'lane-label', title: task }, h('span', { class: 'mono' }, short(task)), ' ', h('span', { class: 'kind' }, label)),
        track);
    })));
  return h('div', { class: 'swimlanes' },
    h('div', { class: 'axis' }, h('span', null, time(events[0] ? new Date(t0 / 1000).toISOString() : '')), h('span', null, `+${(span / 1000).toFixed(1)} ms`)),
    groups,
    h('div', { class: 'legend' },
      h('span', { class: 'ev-key HttpRequest' }), 'request ', h('span', { class: 'ev-key StateChange' }), 'state access ',
      h('span', { class: 'ev-key other' }), 'other ', h('span', { class: 'ev-key crit' }), 'critical path'));
}

/** The service map: each service a box, each dependency an arrow labelled with calls and latency. */
function serviceMap(deps) {
  const names = deps.services.map((x) => x.name);
  for (const d of deps.dependencies) for (const n of [d.from, d.to]) if (!names.includes(n)) names.push(n);
  // Columns by call depth (a caller left of its callees); a cycle stops growing after names.length steps.
  const depth = new Map(names.map((n) => [n, 0]));
  for (let i = 0; i < names.length; i++) {
    for (const d of deps.dependencies) if (d.from !== d.to && depth.get(d.to) <= depth.get(d.from)) depth.set(d.to, Math.min(names.length, depth.get(d.from) + 1));
  }
  const W = 190; const H = 46; const GAP_X = 240; const GAP_Y = 40;
  const rows = new Map();
  const pos = new Map();
  for (const n of names) {
    const col = depth.get(n);
    const row = rows.get(col) || 0;
    rows.set(col, row + 1);
    pos.set(n, { x: 10 + col * (W + GAP_X), y: 10 + row * (H + GAP_Y) });
  }
  const width = 20 + Math.max(...[...pos.values()].map((p) => p.x + W));
  const height = 20 + Math.max(...[...pos.values()].map((p) => p.y + H)) + 10;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'service-map', 'data-testid': 'service-map', role: 'img', 'aria-label': 'service map' });
  const defs = s('defs');
  const marker = s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
  defs.append(marker);
  svg.append(defs);
  const counts = new Map(deps.services.map((x) => [x.name, x.event_count]));
  for (const d of deps.dependencies) {
    const a = pos.get(d.from); const b = pos.get(d.to);
    const g = s('g', { class: 'dep', 'data-testid': 'dep-edge', 'data-from': d.from, 'data-to': d.to });
    const x1 = a.x + W; const y1 = a.y + H / 2; const x2 = b.x; const y2 = b.y + H / 2;
    const self = d.from === d.to;
    g.append(self
      ? s('path', { d: `M ${a.x + W - 30} ${a.y} C ${a.x + W} ${a.y - 30}, ${a.x + W + 30} ${a.y + 10}, ${a.x + W} ${a.y + 16}`, class: 'edge', 'marker-end': 'url(#arrow)' })
      : s('line', { x1, y1, x2: x2 - 2, y2, class: 'edge', 'marker-end': 'url(#arrow)' }));
    const mx = self ? a.x + W + 5 : (x1 + x2) / 2; const my = self ? a.y - 12 : (y1 + y2) / 2;
    g.append(s('text', { x: mx, y: my - 6, 'text-anchor': self ? 'start' : 'middle', class: 'edge-label' }, `${d.call_count} call${d.call_count === 1 ? '' : 's'}`));
    g.append(s('text', { x: mx, y: my + 12, 'text-anchor': self ? 'start' : 'middle', class: 'edge-label muted' }, `avg ${ms(d.avg_duration_ms)} · max ${ms(d.max_duration_ms)}`));
    svg.append(g);
  }
  for (const n of names) {
    const p = pos.get(n);
    const g = s('g', { class: counts.has(n) ? 'node' : 'node external', 'data-testid': 'service-node', 'data-service': n });
    g.append(s('rect', { x: p.x, y: p.y, width: W, height: H, rx: 8 }));
    g.append(s('text', { x: p.x + W / 2, y: p.y + 20, 'text-anchor': 'middle', class: 'node-name' }, n.length > 26 ? n.slice(0, 25) + '…' : n));
    g.append(s('text', { x: p.x + W / 2, y: p.y + 36, 'text-anchor': 'middle', class: 'edge-label muted' }, counts.has(n) ? `${counts.get(n)} events` : 'not instrumented'));
    svg.append(g);
  }
  return svg;
}

function criticalPathCard(cp) {
  return h('div', { class: 'card', 'data-testid': 'critical-path' },
    h('h2', null, 'Critical path'),
    h('div', { class: 'context' }, `${cp.path_events} events, ${cp.total_duration_ms.toFixed(1)} ms of ${cp.trace_total_duration_ms.toFixed(1)} ms (${cp.percentage_of_total.toFixed(0)}%) — the chain of events that decided how long the trace took, highlighted in red in the lanes above.`),
    h('div', { class: 'scroll path-list' }, h('ol', null, cp.path.slice(0, 200).map((p) => h('li', null,
      h('span', { class: 'service' }, p.service_name), ' ', h('span', { class: 'mono' }, `${time(p.timestamp)} ${p.kind}`),
      p.location ? h('span', { class: 'kind' }, ' @ ' + p.location) : null,
      p.duration_ms ? h('span', { class: 'kind' }, ` +${p.duration_ms.toFixed(1)} ms`) : null)))),
    cp.path.length > 200 ? h('div', { class: 'context' }, `first 200 of ${cp.path.length} shown`) : null);
}

function auditCard(trails) {
  const vars = Object.keys(trails);
  if (!vars.length) return null;
  return h('div', { class: 'card', 'data-testid': 'audit-trails' },
    h('h2', null, 'Variables'),
    h('div', { class: 'context' }, 'Open a variable for its audit trail: every access, by any trace, with task, service, value and location.'),
    h('div', { class: 'chips' }, vars.slice(0, 300).map((v) => {
      const list = trails[v];
      const racy = list.some((a) => a.is_race);
      return h('button', { class: racy ? 'chip racy' : 'chip', 'data-testid': 'audit-variable', onclick: () => openTimeline(v) },
        v, h('span', { class: 'kind' }, ` ${list.length}`));
    })));
}

/** The trace on show and how many events it had then (a live update redraws it when that grows). */
let shownTrace = null;

/** Opens a trace; `again`: the same trace redrawn in place (more of its events arrived). */
async function openTrace(id, again = false) {
  const root = $('view-trace');
  if (!again) {
    show('trace');
    root.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
  }
  shownTrace = { id, events: null };
  try {
    const d = await readTrace(id);
    if (shownTrace?.id !== id) return; // another trace was opened meanwhile
    shownTrace.events = d.total_events;
    const y = window.scrollY;
    await learnRequests([id]).catch(() => undefined);
    const total = d.total_events ?? d.events.length;
    const races = d.total_races ?? d.races.length;
    const critical = new Set((d.critical_path?.path || []).map((p) => p.id));
    const root_request = (requestsByTrace.get(id) || [])[0];
    root.replaceChildren(...[
      backButton(previous === 'trace' ? 'races' : previous, previous === 'trace' ? 'races' : previous),
      h('div', { class: 'card' },
        h('h2', { 'data-testid': 'trace-title' }, root_request ? `${requestText(root_request)} · ${root_request.service}` : 'Trace'),
        h('div', { class: 'context mono', 'data-testid': 'trace-id' }, 'trace ' + id),
        `${total} events, ${races} race(s)` + (races > d.races.length ? ` (first ${d.races.length} shown)` : '') +
          (total > d.events.length ? `; the lanes show the first ${d.events.length}` : '')),
      d.dependencies && (d.dependencies.dependencies.length || d.dependencies.services.length > 1)
        ? h('div', { class: 'card' }, h('h2', null, 'Service map'), h('div', { class: 'scroll' }, serviceMap(d.dependencies)))
        : null,
      d.events.length ? h('div', { class: 'card' }, h('h2', null, 'Timeline by service and task'), swimlanes(d.events, critical)) : null,
      d.critical_path ? criticalPathCard(d.critical_path) : null,
      auditCard(d.audit_trails || {}),
      ...d.races.map(raceCard),
      h('div', { class: 'card scroll tall' },
        h('table', { class: 'events' }, h('thead', null, h('tr', null, h('th', null, 'time'), h('th', null, 'service'), h('th', null, 'task'), h('th', null, 'kind'), h('th', null, 'event'))),
          h('tbody', null, d.events.slice(0, MAX_ROWS).map((e) => h('tr', { 'data-testid': 'trace-event', class: critical.has(e.id) ? 'on-path' : '' },
            h('td', { class: 'mono nowrap' }, time(e.timestamp)), h('td', null, e.metadata.service_name), h('td', { class: 'mono' }, short(e.metadata.thread_id)),
            h('td', null, Object.keys(e.kind)[0]), h('td', { class: 'mono wrap' }, eventSummary(e))))))),
      d.events.length > MAX_ROWS ? h('div', { class: 'context' }, `the table shows the first ${MAX_ROWS} of ${d.events.length} events read`) : null,
    ].filter(Boolean));
    if (again) window.scrollTo(0, y);
    showError(null);
  } catch (err) { showError(err); }
}

// ---- variable timeline (audit trail) ----------------------------------------------------------

async function openTimeline(variable) {
  show('timeline');
  const root = $('view-timeline');
  root.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
  try {
    const d = await api('/api/timeline?variable=' + encodeURIComponent(variable) + '&limit=' + MAX_ROWS);
    const total = d.total_accesses ?? d.accesses.length;
    const racing = new Set(d.race_event_ids);
    const lanes = [...new Set(d.accesses.map((a) => a.thread_id))];
    const serviceOf = new Map(d.accesses.map((a) => [a.thread_id, a.service_name]));
    const head = h('tr', null, h('th', null, 'time'), lanes.map((l) => h('th', { class: 'mono' }, `${serviceOf.get(l)} · task ${short(l)}`)));
    const rows = d.accesses.map((a) => {
      const isRead = a.access_type === 'Read' || a.access_type === 'AtomicRead';
      return h('tr', { class: racing.has(a.event_id) ? 'racing' : '', 'data-testid': 'timeline-row' },
        h('td', { class: 'mono nowrap' }, time(a.timestamp)),
        lanes.map((l) => h('td', { class: 'lane-cell' }, l === a.thread_id
          ? h('span', { class: `acc ${isRead ? 'R' : 'W'}`, title: `${a.location} · trace ${a.trace_id}` }, isRead ? `R ${val(a.new_value)}` : `W ${val(a.old_value)}→${val(a.new_value)}`)
          : '')));
    });
    root.replaceChildren(
      backButton(previous === 'timeline' ? 'races' : previous, previous === 'timeline' ? 'races' : previous),
      h('div', { class: 'card' }, h('h2', { 'data-testid': 'timeline-variable' }, variable),
        (total > d.accesses.length ? `first ${d.accesses.length} of ${total} accesses` : `${total} accesses`) +
        ` by ${lanes.length} tasks; accesses involved in races are highlighted.`),
      h('div', { class: 'card scroll tall' }, h('table', { class: 'timeline' }, h('thead', null, head), h('tbody', null, rows))));
    showError(null);
  } catch (err) { showError(err); }
}

// ---- live updates -----------------------------------------------------------------------------

let seen = null; // events_captured when the lists were last loaded
let polling = false;
let loadedAt = 0; // when the lists were last loaded (ms)…
let loadCost = 0; // …and how long that took: a slow reload (a large store) is repeated less often

/**
 * Asks /status whether the store changed and reloads the race and trace lists when it did (at most
 * once per four times the last reload took, so a store whose analysis is slow is not kept busy by
 * the page). Polling rather than a push channel: one small GET every POLL_MS, nothing held open on
 * the server, and it recovers by itself when the server restarts.
 */
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const st = await api('/status');
    $('status').textContent = `${st.events_captured} events · ${st.traces_active} traces · v${st.version}`;
    $('status').className = 'live';
    if (st.events_captured !== seen && Date.now() - loadedAt >= 4 * loadCost) {
      const start = Date.now();
      await Promise.all([loadRaces(), loadTraces()]);
      seen = st.events_captured;
      loadedAt = Date.now();
      loadCost = loadedAt - start;
    }
    if ($('error').dataset.source === 'poll') { showError(null); delete $('error').dataset.source; }
  } catch (err) {
    $('status').textContent = 'offline — retrying';
    $('status').className = 'offline';
    showError(err);
    $('error').dataset.source = 'poll';
  } finally {
    polling = false;
  }
}

for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => show(b.dataset.view));
poll();
setInterval(() => { if (!document.hidden) poll(); }, POLL_MS);
