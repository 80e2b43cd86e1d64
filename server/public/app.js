// Raceway web view: races with the conflicting accesses side by side, a per-variable timeline of
// accesses (one lane per task), and traces. All text goes through textContent: variable names and
// values come from the instrumented program and must never be interpreted as HTML.
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
const MAX_ROWS = 2000; // a page with more rows than this is too slow to be useful

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
const val = (v) => { const s = JSON.stringify(v === undefined ? null : v); return s.length > 120 ? s.slice(0, 117) + '…' : s; };

function show(view) {
  for (const v of ['races', 'traces', 'timeline', 'trace']) $('view-' + v).hidden = v !== view;
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.view === view);
}

function showError(err) {
  const box = $('error');
  box.hidden = !err;
  box.textContent = err ? String(err.message || err) : '';
}

function accessSide(label, cls, a) {
  const isRead = a.access_type === 'Read' || a.access_type === 'AtomicRead';
  return h('div', { class: `side ${cls}`, 'data-testid': `side-${cls}` },
    h('h3', null, `Thread ${label} · ${ROLE[a.role] || a.role}`),
    h('dl', null,
      h('dt', null, 'task'), h('dd', null, a.thread_id),
      h('dt', null, 'trace'), h('dd', null, a.trace_id),
      h('dt', null, 'service'), h('dd', null, a.service_name),
      h('dt', null, 'time'), h('dd', null, a.timestamp),
      h('dt', null, 'location'), h('dd', null, a.location),
      h('dt', null, isRead ? 'read' : 'write'), h('dd', { 'data-testid': 'value' }, isRead ? val(a.new_value) : `${val(a.old_value)} → ${val(a.new_value)}`)));
}

function raceCard(r) {
  const others = r.accesses.filter((a) => a.event_id !== r.first.event_id && a.event_id !== r.second.event_id);
  return h('div', { class: 'card race-card', 'data-testid': 'race', 'data-kind': r.kind },
    h('h2', null, h('span', { class: `badge ${r.severity}` }, r.severity), r.variable, ' ', h('span', { class: 'kind' }, KIND[r.kind] || r.kind)),
    h('div', { class: 'desc' }, r.description),
    orderNote(r) ? h('div', { class: 'context order', 'data-testid': 'order' }, orderNote(r)) : null,
    h('div', { class: 'sides' }, accessSide('A', 'a', r.first), accessSide('B', 'b', r.second)),
    others.length ? h('div', { class: 'context' }, others.map((a) => `${ROLE[a.role]}: ${val(a.new_value)} at ${a.location} (${time(a.timestamp)}, task ${short(a.thread_id)})`).join('; ')) : null,
    h('div', { class: 'context' },
      h('button', { 'data-testid': 'open-timeline', onclick: () => openTimeline(r.variable) }, 'Timeline of ' + r.variable), ' ',
      r.trace_ids.map((t) => h('button', { onclick: () => openTrace(t) }, 'trace ' + short(t)))));
}

async function loadRaces() {
  const data = await api('/api/races?limit=1000');
  const root = $('view-races');
  root.replaceChildren();
  if (!data.races.length) root.append(h('div', { class: 'empty', 'data-testid': 'no-races' }, 'No races detected.'));
  for (const r of data.races) root.append(raceCard(r));
  if (data.total_races > data.races.length) {
    root.append(h('div', { class: 'context', 'data-testid': 'more-races' }, `${data.total_races - data.races.length} more races not shown (the first ${data.races.length} of ${data.total_races}); raceway races --json lists up to 10,000`));
  }
}

async function loadTraces() {
  const data = await api('/api/traces?page=1&page_size=200');
  const rows = data.traces.map((t) => h('tr', { class: 'clickable', 'data-testid': 'trace-row', onclick: () => openTrace(t.trace_id) },
    h('td', { class: 'mono' }, t.trace_id), h('td', null, t.event_count), h('td', { class: 'mono' }, t.first_timestamp), h('td', null, t.services.join(', '))));
  $('view-traces').replaceChildren(
    h('table', null, h('thead', null, h('tr', null, h('th', null, 'trace'), h('th', null, 'events'), h('th', null, 'first event'), h('th', null, 'services'))),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 4, class: 'empty' }, 'No traces stored.')))),
    h('div', { class: 'context' }, `${data.total_traces} traces`));
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

async function openTrace(id) {
  show('trace');
  const root = $('view-trace');
  root.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
  try {
    // The first page is all the view shows (the server pages longer traces).
    const d = await api('/api/traces/' + encodeURIComponent(id) + '?limit=' + MAX_ROWS);
    const total = d.total_events ?? d.events.length;
    const races = d.total_races ?? d.races.length;
    root.replaceChildren(...[
      h('button', { class: 'back', onclick: () => show('traces') }, '← traces'),
      h('div', { class: 'card' }, h('h2', null, 'Trace ' + id), `${total} events, ${races} race(s)` + (races > d.races.length ? ` (first ${d.races.length} shown)` : '')),
      ...d.races.map(raceCard),
      h('table', null, h('thead', null, h('tr', null, h('th', null, 'time'), h('th', null, 'task'), h('th', null, 'kind'), h('th', null, 'event'))),
        h('tbody', null, d.events.map((e) => h('tr', { 'data-testid': 'trace-event' },
          h('td', { class: 'mono' }, time(e.timestamp)), h('td', { class: 'mono' }, short(e.metadata.thread_id)),
          h('td', null, Object.keys(e.kind)[0]), h('td', { class: 'mono' }, eventSummary(e)))))),
      total > d.events.length ? h('div', { class: 'context' }, `first ${d.events.length} of ${total} events shown`) : null,
    ].filter(Boolean));
  } catch (err) { showError(err); }
}

async function openTimeline(variable) {
  show('timeline');
  const root = $('view-timeline');
  root.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
  try {
    const d = await api('/api/timeline?variable=' + encodeURIComponent(variable) + '&limit=' + MAX_ROWS);
    const total = d.total_accesses ?? d.accesses.length;
    const racing = new Set(d.race_event_ids);
    const lanes = [...new Set(d.accesses.map((a) => a.thread_id))];
    const head = h('tr', null, h('th', null, 'time'), lanes.map((l) => h('th', { class: 'mono' }, 'task ' + short(l))));
    const rows = d.accesses.map((a) => {
      const isRead = a.access_type === 'Read' || a.access_type === 'AtomicRead';
      return h('tr', { class: racing.has(a.event_id) ? 'racing' : '', 'data-testid': 'timeline-row' },
        h('td', { class: 'mono' }, time(a.timestamp)),
        lanes.map((l) => h('td', { class: 'lane' }, l === a.thread_id
          ? h('span', { class: `acc ${isRead ? 'R' : 'W'}`, title: `${a.location} · trace ${a.trace_id}` }, isRead ? `R ${val(a.new_value)}` : `W ${val(a.old_value)}→${val(a.new_value)}`)
          : '')));
    });
    root.replaceChildren(
      h('button', { class: 'back', onclick: () => show('races') }, '← races'),
      h('div', { class: 'card' }, h('h2', { 'data-testid': 'timeline-variable' }, variable),
        (total > d.accesses.length ? `first ${d.accesses.length} of ${total} accesses` : `${total} accesses`) +
        ` by ${lanes.length} tasks; accesses involved in races are highlighted.`),
      h('table', { class: 'timeline' }, h('thead', null, head), h('tbody', null, rows)));
  } catch (err) { showError(err); }
}

async function refresh() {
  try {
    const s = await api('/status');
    $('status').textContent = `${s.events_captured} events · ${s.traces_active} traces · v${s.version}`;
    await Promise.all([loadRaces(), loadTraces()]);
    showError(null);
  } catch (err) {
    $('status').textContent = 'offline';
    showError(err);
  }
}

for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => show(b.dataset.view));
$('refresh').addEventListener('click', refresh);
refresh();
