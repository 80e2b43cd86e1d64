/** Terminal renderings for the CLI: the upstream Raceway server's "Cross-Trace Races" report and a trace list. */
import type { JsonValue } from '../protocol/events';
import type { RaceAccess, RaceReport } from './analyzer';
import type { TraceSummary } from './store';

const KIND_LABEL: Record<RaceReport['kind'], string> = {
  lost_update: 'lost update',
  unordered_writes: 'unordered writes',
  check_then_act: 'check-then-act',
  use_before_init: 'use before init',
  use_after_reset: 'use after reset',
};

/** What Thread B's access did to Thread A's, shown next to B's access. */
const NOTE: Record<RaceReport['kind'], string> = {
  lost_update: '  ← Overwrites Thread A',
  unordered_writes: '',
  check_then_act: '  ← Changes what Thread A checked',
  use_before_init: '  ← Initialises it after Thread A used it',
  use_after_reset: '  ← Reads the value Thread A reset it to',
};

/** For order violations: which access came first, the value seen, both locations, in one line. */
function orderLine(r: RaceReport): string | null {
  const [a, b] = [r.first, r.second];
  if (r.kind === 'use_before_init') {
    return `Order: Thread A read ${value(a.new_value)} at ${a.location} [${clock(a.timestamp)}] BEFORE Thread B ` +
      `initialised it to ${value(b.new_value)} at ${b.location} [${clock(b.timestamp)}]; nothing made the read wait.`;
  }
  if (r.kind === 'use_after_reset') {
    return `Order: Thread A reset it to ${value(a.new_value)} (was ${value(a.old_value)}) at ${a.location} ` +
      `[${clock(a.timestamp)}] BEFORE Thread B read ${value(b.new_value)} at ${b.location} [${clock(b.timestamp)}]; nothing ordered them.`;
  }
  return null;
}

function clock(ts: string): string {
  const m = /T(\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(ts);
  return m ? m[1]! : ts;
}

function value(v: JsonValue): string {
  const s = JSON.stringify(v ?? null);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function short(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

function accessLine(a: RaceAccess, variable: string): string {
  return a.access_type === 'Read' || a.access_type === 'AtomicRead'
    ? `StateChange: read ${variable} = ${value(a.new_value)}`
    : `StateChange: ${variable} = ${value(a.new_value)} (was ${value(a.old_value)})`;
}

function block(label: string, a: RaceAccess, variable: string, note = ''): string[] {
  return [
    `Thread ${label} (task ${short(a.thread_id)}, trace-${short(a.trace_id)}, ${a.service_name}):`,
    `  [${clock(a.timestamp)}] ${accessLine(a, variable)}${note}`,
    `  Location: ${a.location}`,
  ];
}

export function formatRaces(reports: readonly RaceReport[], suppressed = 0): string {
  const out = ['🌐 Cross-Trace Races', ''];
  if (reports.length === 0) {
    out.push('✅ No races detected.');
    return out.join('\n') + '\n';
  }
  for (const r of reports) {
    out.push(`⚠️  RACE DETECTED: ${r.variable}  [${KIND_LABEL[r.kind]}]`, '');
    const stale = r.accesses.find((a) => a.role === 'stale_read' || a.role === 'check_read');
    out.push(...block('A', r.first, r.variable), '');
    out.push(...block('B', r.second, r.variable, NOTE[r.kind]));
    if (stale && r.kind === 'lost_update') {
      out.push(`  (Thread B read ${value(stale.new_value)} at ${stale.location} [${clock(stale.timestamp)}] before an await)`);
    }
    const order = orderLine(r);
    if (order) out.push('', order);
    out.push('', `Severity: ${r.severity}`, r.description, '');
  }
  const critical = reports.filter((r) => r.severity === 'CRITICAL').length;
  out.push(`${reports.length} race${reports.length === 1 ? '' : 's'} (${critical} critical, ${reports.length - critical} warning${reports.length - critical === 1 ? '' : 's'})` +
    (suppressed ? `, and ${suppressed} more on the same variables not listed` : ''));
  return out.join('\n') + '\n';
}

export function formatTraces(traces: readonly TraceSummary[], total: number, page: number, totalPages: number): string {
  if (traces.length === 0) return 'No traces stored.\n';
  const rows = traces.map((t) => `${t.trace_id}  ${String(t.event_count).padStart(7)}  ${t.first_timestamp}  ${t.services.join(',')}`);
  return [`TRACE ID                              EVENTS  FIRST EVENT                  SERVICES`, ...rows,
    `page ${page} of ${Math.max(totalPages, 1)} (${total} traces)`].join('\n') + '\n';
}
