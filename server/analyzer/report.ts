/** Findings to user-facing reports: the full report, upstream's `race_details` row, and one-line explanations. */
import type { JsonValue } from '../../protocol/events';
import type { AccessDetail, RaceAccess, RaceFinding, RaceReport } from './types';

function short(id: string): string {
  return id.slice(0, 8);
}

function show(v: JsonValue | undefined): string {
  const s = JSON.stringify(v ?? null);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** What an access saw: its value, or for a keyed container read the entry asked for and the answer. */
function seen(x: RaceAccess): string {
  const o = x.old_value;
  if (x.access_type === 'Read' && o !== null && typeof o === 'object' && !Array.isArray(o)) {
    const m = 'get' in o ? 'get' : 'has' in o ? 'has' : null;
    if (m !== null) return `${m}(${show(o[m])}) = ${show(x.new_value)}`;
  }
  return show(x.new_value);
}

function explain(f: RaceFinding, a: RaceAccess[]): string {
  const by = (x: RaceAccess) => `task ${short(x.thread_id)} (trace ${short(x.trace_id)})`;
  switch (f.kind) {
    case 'lost_update': {
      const [read, other, over] = a as [RaceAccess, RaceAccess, RaceAccess];
      return `Lost update on ${f.variable}: ${by(over)} read ${show(read.new_value)} at ${read.location}, ` +
        `${by(other)} wrote ${show(other.new_value)} at ${other.location} meanwhile, then the first task ` +
        `wrote ${show(over.new_value)} from its stale read at ${over.location}, overwriting it.`;
    }
    case 'check_then_act': {
      const [check, other, act] = a as [RaceAccess, RaceAccess, RaceAccess];
      if (act.role === 'act') {
        return `Check-then-act on ${f.variable}: ${by(check)} checked ${seen(check)} at ${check.location}; ${by(act)}, ` +
          `which continues it, found ${seen(act)} at ${act.location} and failed, because ${by(other)} wrote ` +
          `${show(other.new_value)} at ${other.location} in between.`;
      }
      return `Check-then-act on ${f.variable}: ${by(act)} checked ${seen(check)} at ${check.location} ` +
        `and acted after an await at ${act.location}, but ${by(other)} wrote ${show(other.new_value)} in between.`;
    }
    case 'use_before_init': {
      const [read, init] = a as [RaceAccess, RaceAccess];
      return `Use before init on ${f.variable}: ${by(read)} read ${show(read.new_value)} at ${read.location} first, ` +
        `then ${by(init)} initialised it to ${show(init.new_value)} at ${init.location}; nothing made the read ` +
        `wait for the initialisation (no await of it, no callback or lock between them).`;
    }
    case 'use_after_reset': {
      const [reset, read] = a as [RaceAccess, RaceAccess];
      return `Use after reset on ${f.variable}: ${by(reset)} reset it from ${show(reset.old_value)} to ` +
        `${show(reset.new_value)} at ${reset.location} first, then ${by(read)} read ${show(read.new_value)} at ` +
        `${read.location}; nothing ordered the read with the reset.`;
    }
    case 'unordered_writes': {
      const [w1, w2] = a as [RaceAccess, RaceAccess];
      return `Unordered writes to ${f.variable}: ${by(w1)} wrote ${show(w1.new_value)} at ${w1.location} and ` +
        `${by(w2)} wrote ${show(w2.new_value)} at ${w2.location} with no synchronization between them.`;
    }
  }
}

/** Builds the report of a finding; null when a detail is missing (should not happen with a consistent store). */
export function describe(f: RaceFinding, details: (seq: number) => AccessDetail | undefined): RaceReport | null {
  const accesses: RaceAccess[] = [];
  for (let i = 0; i < f.seqs.length; i++) {
    const d = details(f.seqs[i]!);
    if (!d) return null;
    accesses.push({ ...d, role: f.roles[i]! });
  }
  const first = accesses[f.seqs.indexOf(f.conflict[0])]!;
  const second = accesses[f.seqs.indexOf(f.conflict[1])]!;
  const traceIds = [...new Set(accesses.map((a) => a.trace_id))];
  return {
    id: `${f.kind}:${f.variable}:${accesses.map((a) => a.event_id).join(',')}`,
    kind: f.kind,
    severity: f.severity,
    variable: f.variable,
    trace_ids: traceIds,
    accesses,
    first,
    second,
    description: explain(f, accesses),
  };
}

/** One row of upstream's `GET /api/analyze/global` `race_details`, plus our additions. */
export interface GlobalRaceDetail {
  severity: string;
  variable: string;
  trace1_id: string;
  trace2_id: string;
  event1_thread: string;
  event2_thread: string;
  event1_location: string;
  event2_location: string;
  event1_timestamp: string;
  event2_timestamp: string;
  description: string;
  event1_id: string;
  event2_id: string;
  event1_value: JsonValue;
  event2_value: JsonValue;
  race_kind: string;
}

export function toGlobalDetail(r: RaceReport): GlobalRaceDetail {
  return {
    severity: r.severity,
    variable: r.variable,
    trace1_id: r.first.trace_id,
    trace2_id: r.second.trace_id,
    event1_thread: r.first.thread_id,
    event2_thread: r.second.thread_id,
    event1_location: r.first.location,
    event2_location: r.second.location,
    event1_timestamp: r.first.timestamp,
    event2_timestamp: r.second.timestamp,
    description: r.description,
    event1_id: r.first.event_id,
    event2_id: r.second.event_id,
    event1_value: r.first.new_value,
    event2_value: r.second.new_value,
    race_kind: r.kind,
  };
}
