/**
 * Same-epoch filtering: which repeated reads carry nothing a race report can use, decided on the
 * app thread before the value is snapshotted.
 *
 * An *epoch* is a stretch of the process's events in which one task records only state accesses
 * (and calls of synchronous functions), and nothing copies, joins or ticks its clock outside its
 * own events, nor changes its locks: any other event kind, an event of another task, `Task.clock()`
 * (a fork, a promise resolution, a lock release, an outgoing call), a join, a resumption, the end
 * of a segment or a lock change starts a new one (`newEpoch`). Inside an epoch a task's accesses
 * of one variable are consecutive among that variable's accesses in the process, in one job and
 * one segment of the task, under one clock base and one lock set.
 *
 * A read is left out when, in the current epoch, the two accesses of its variable before it were
 * reads at the same site that saw the same value (FastTrack's same-epoch case, for reads): the
 * analyzer (server/analyzer/detect.ts) uses of a task's reads the first one after a write (the
 * early read of an order violation), whether there were two in the job (a guard checked again),
 * the latest one (the stale read of a lost update, its site, value and time) and the latest time
 * a value was seen. With the first two kept, the kept last read has the same site, value, job,
 * segment, locks and clock as the one left out, and no access of another task lies between them,
 * so every comparison made with it decides the same. Only values whose snapshot is the same text
 * each time and that no rule reads as a state are left out (`isPlain`: strings, non-zero finite
 * numbers, functions; not null, a flag, 0, an object whose contents may have changed), and only
 * when no failure rule asks about the latest access the process recorded (`isAsked`): those rules
 * ask whether a job failed right after an access, before the process's next state access, which a
 * read left out would change for the access before it.
 *
 * Reports keep their kinds, variables, tasks, sites and values; a stale read they show is the
 * last read recorded (one with the same site and value as the one left out). The trace view and
 * the audit trail show two reads where the program read a value again and again in one job.
 * One limit: the analyzer scans a variable's accesses from every process in one list, and two
 * processes of one service running the same code give their variables the same names; where the
 * other process accessed such a variable between two of these reads (within microseconds), which
 * read of the run came after its access can change what the scan decides (it never reports a race
 * between processes, but their accesses move its windows). `RACEWAY_FILTER=off` records every read. `RACEWAY_FILTER=shadow` records every
 * read too and, at exit, writes the timestamps (microseconds, unique within the process) of those
 * it would have left out to the file `RACEWAY_FILTER_LOG` names, one per line after a line with the
 * process id: the events minus those are what the filter ships (test/runtime/epoch-reports.test.mjs
 * analyses both).
 */
import { appendFileSync } from 'node:fs';
import { SnapshotText } from './serialize';

/** Last access of one variable in the current epoch (mutated in place: no allocation per access). */
interface Mark {
  epoch: number;
  /** The location of the access (what the analyzer compares sites by). */
  site: string;
  value: unknown;
  /** Consecutive reads at `site` that saw `value` and were recorded. */
  run: number;
}

/**
 * Process-wide, like the context state (context.ts): every copy of the runtime loaded in the
 * process records into the same tasks, so an event recorded through one copy ends the epoch that
 * another copy's reads are in.
 */
interface EpochState {
  epoch: number;
  /** The task of the latest event or read: one of another task starts a new epoch. */
  lastTask: object | null;
  /** No failure rule asks about the values of the latest state access the process recorded (`isAsked`). */
  lastPlain: boolean;
  marks: Map<string, Mark>;
  skipped: number;
}

const KEY = Symbol.for('raceway.epoch.v1');
const g = globalThis as unknown as Record<symbol, EpochState | undefined>;
const state: EpochState = g[KEY] ?? (g[KEY] = { epoch: 1, lastTask: null, lastPlain: false, marks: new Map(), skipped: 0 });

/** Variables whose last access is remembered at once; beyond it the table starts again (bounded). */
const MAX_MARKS = 4096;

const mode = process.env.RACEWAY_FILTER;
const filtering = mode !== 'off';
/** Shadow mode: the reads to leave out are recorded and listed instead (see the module comment). */
const shadowLog = mode === 'shadow' ? process.env.RACEWAY_FILTER_LOG : undefined;
const shadowed: number[] = [];
/** The read being recorded now is one the filter leaves out (shadow mode only). */
let shadowHit = false;
if (shadowLog !== undefined) {
  process.on('exit', () => {
    try { appendFileSync(shadowLog, `pid ${process.pid}\n${shadowed.join('\n')}\n`); } catch { /* never into the app */ }
  });
}

/** Reads left out since the process started (in shadow mode: those the filter would leave out). */
export function skippedReads(): number {
  return state.skipped;
}

/** Something that ends the running epoch happened (see the module comment). */
export function newEpoch(): void {
  state.epoch++;
}

/** `task` records an event (or a read): a task other than the last one starts a new epoch. */
export function noteTask(task: object): void {
  if (task !== state.lastTask) {
    state.lastTask = task;
    state.epoch++;
  }
}

/**
 * A value whose snapshot no analyzer rule reads as a state and that is the same text each time the
 * same value is read: a string, a finite number other than 0, a function (`[Function name]`), a
 * symbol or a bigint. `null`, flags and 0 (a container's length read as empty) are what order
 * violations look at; an object's snapshot shows its contents, which may have changed since.
 */
export function isPlain(v: unknown): boolean {
  switch (typeof v) {
    case 'string': case 'function': case 'symbol': case 'bigint': return true;
    case 'number': return v !== 0 && v - v === 0;
    default: return false;
  }
}

/** Keys that open the snapshot of a container call's or keyed lookup's values (SPEC §4.5), or a preview's size. */
const CONTAINER_KEYS = new Set(['get', 'has', 'set', 'add', 'delete', 'clear', 'length', 'size']);

/**
 * A recorded value (a snapshot) that one of the analyzer's failure rules may ask about: an empty
 * value or a flag (`null`, `true`, `false`, `0`, `[]`, an empty Map or Set), or an object whose
 * text could read as a container call or a keyed lookup (its first key is `get`, `has`, `set`,
 * `add`, `delete`, `clear`, `length` or `size`). Other values — strings, other numbers, non-empty
 * arrays, other objects — are never what a use after reset, a use before init or a stale
 * container check is about, so whether a failure came right after them changes no report.
 */
export function isAsked(snap: unknown): boolean {
  if (snap === null || snap === undefined || typeof snap === 'boolean' || snap === 0) return true;
  if (snap instanceof SnapshotText) return isAskedText(snap.json);
  if (typeof snap !== 'object') return false;
  if (Array.isArray(snap)) return snap.length === 0;
  const o = snap as Record<string, unknown>;
  for (const k in o) {
    if (CONTAINER_KEYS.has(k)) return true;
    return k === '$type' && (o.$type === 'Map' || o.$type === 'Set') && o.size === 0;
  }
  return false;
}

/** The first key of an object's JSON text, when it is a plain one (no escapes). */
const FIRST_KEY = /^\{"([^"\\]*)"/;

/**
 * `isAsked` of a snapshot already written as JSON text (serialize.ts `captureValue`), read from
 * the text's start without parsing it: an empty array, an object whose first key is a container
 * call's, and any Map or Set (their size is not read from the text: asked, so nothing is left out).
 */
function isAskedText(json: string): boolean {
  if (json === '[]') return true;
  const key = FIRST_KEY.exec(json)?.[1];
  if (key === undefined) return json.startsWith('{"') && !FIRST_KEY.test(json); // an escaped first key: asked
  return CONTAINER_KEYS.has(key) || key === '$type' && /^\{"\$type":"(Map|Set)"/.test(json);
}

/** A state access was recorded at `ts`; `plain`: neither of its values is one the failure rules ask about (`isAsked`). */
export function noteRecorded(plain: boolean, ts: number): void {
  state.lastPlain = plain;
  if (shadowHit) {
    shadowHit = false;
    shadowed.push(ts);
  }
}

/**
 * Before `task`'s read of `name` at location `site` that saw `value` is recorded: true when it is to be left out
 * (see the module comment). Otherwise it becomes the variable's last access of the epoch.
 */
export function repeatRead(task: object, name: string, site: string, value: unknown): boolean {
  if (!filtering) return false;
  shadowHit = false;
  noteTask(task);
  const marks = state.marks;
  const epoch = state.epoch;
  let m = marks.get(name);
  if (m === undefined) {
    if (marks.size >= MAX_MARKS) marks.clear();
    marks.set(name, (m = { epoch, site, value, run: 1 }));
    return false;
  }
  if (m.epoch === epoch && m.site === site && m.run > 0 && Object.is(m.value, value)) {
    if (m.run >= 2 && state.lastPlain && isPlain(value)) {
      state.skipped++;
      if (shadowLog === undefined) return true;
      shadowHit = true;
      return false;
    }
    m.run++;
    return false;
  }
  m.epoch = epoch;
  m.site = site;
  m.value = value;
  m.run = 1;
  return false;
}

/** A write (or a container call) of `name` is recorded: the next read of it starts a new run. */
export function noteWrite(name: string): void {
  if (!filtering) return;
  shadowHit = false;
  const m = state.marks.get(name);
  if (m !== undefined) m.run = 0;
}
