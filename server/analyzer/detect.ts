/**
 * The per-variable scan. Accesses of one variable are visited in time order; each write is
 * compared only with the writes of other tasks inside a bounded window (since the writer's stale
 * read, or back to the nearest write that is ordered before it), never with every access stored.
 */
import { Ordering, type AccessState } from './order';
import { isContainerCall, isEmpty, isEmptyContainer, isFirstInsertion, isFlag, isReset, isStateName, keyedAccess, mapSetKey, readShows, removedNothing, sameValue, type KeyedAccess } from './values';
import type { AccessRecord, AnalysisContext, AnalyzerOptions, RaceFinding, RaceKind } from './types';

const DEFAULT_WRITE_WINDOW = 32;
const DEFAULT_STALE_WINDOW = 256;
const DEFAULT_MAX_REPORTS_PER_VARIABLE = 100;

interface TaskVarState {
  /** Latest read since the task's own last write. */
  lastRead: AccessState | null;
  /** Latest read from a segment before the one of `lastRead` (a "check" that an await separates from the act). */
  checkRead: AccessState | null;
  /** Job of the task's latest write of the variable. */
  writeJob: string | null;
  /** Job of `lastRead`, and how many reads of the variable the task made in that job. */
  readJob: string | null;
  readsInJob: number;
}

function isWrite(r: AccessRecord): boolean {
  return r.access === 'Write' || r.access === 'AtomicWrite' || r.access === 'AtomicRMW';
}

function isRead(r: AccessRecord): boolean {
  return r.access === 'Read' || r.access === 'AtomicRead';
}

/** Deduplicates per (variable, kind, pair of tasks): the same pattern between two tasks is one race. */
class Findings {
  readonly list: RaceFinding[] = [];
  /** Races found beyond the per-variable cap: counted, not reported. */
  suppressed = 0;
  private readonly seen = new Set<string>();

  private key(kind: RaceKind | 'pair', variable: string, t1: string, t2: string): string {
    return `${kind}\u0000${variable}\u0000${t1 < t2 ? t1 + '\u0000' + t2 : t2 + '\u0000' + t1}`;
  }

  has(kind: RaceKind | 'pair', variable: string, t1: string, t2: string): boolean {
    return this.seen.has(this.key(kind, variable, t1, t2));
  }

  add(f: RaceFinding, t1: string, t2: string, keep = true): void {
    this.seen.add(this.key(f.kind, f.variable, t1, t2));
    // Any stronger finding for the pair makes a later unordered-writes report redundant.
    this.seen.add(this.key('pair', f.variable, t1, t2));
    if (keep) this.list.push(f);
    else this.suppressed++;
  }
}

/** Most reads since the latest write, by distinct task, kept for the use-before-init check. */
const EARLY_READ_WINDOW = 32;

/** Recent keyed accesses of one container entry (bounded: the check and its act are close in time). */
interface KeyHistory {
  seen: { s: AccessState; present: boolean }[];
  changes: AccessState[];
}

const KEY_HISTORY = 16;

/**
 * A stale check of a container entry: an access found the entry there (or not), its causal
 * successor — the same task after an await, or a callback its chain started — found the opposite,
 * because a task ordered with neither added or removed the entry in between, and the successor's
 * job failed right there (`if (!disk.delete(path)) throw enoent(path)`, a port found taken after a
 * probe found it free). Successors that find the change and go on (a cache filled by another
 * request meanwhile, a second `delete` of a cleanup) are what checking again is for.
 */
function staleKeyCheck(
  keys: Map<string, KeyHistory>,
  k: KeyedAccess,
  s: AccessState,
  ordering: Ordering,
  add: (f: RaceFinding, t1: string, t2: string) => void,
  out: Findings,
): void {
  let h = keys.get(k.key);
  if (!h) keys.set(k.key, (h = { seen: [], changes: [] }));
  const v = s.rec.variable;
  if (h.changes.length > 0 && ordering.throwsAfter(s)) {
    for (let i = h.seen.length - 1; i >= 0; i--) {
      const check = h.seen[i]!;
      if (check.present === k.present || check.s.job === s.job || !ordering.causallyBefore(check.s, s)) continue;
      const x = h.changes.find((c) => c.rec.ts > check.s.rec.ts && c.rec.task !== s.rec.task && !ordering.causallyOrdered(c, s));
      if (x === undefined || out.has('check_then_act', v, s.rec.task, x.rec.task)) continue;
      add({
        kind: 'check_then_act', variable: v, severity: 'WARNING',
        seqs: [check.s.rec.seq, x.rec.seq, s.rec.seq], roles: ['check_read', 'interleaved_write', 'act'],
        conflict: [check.s.rec.seq, x.rec.seq],
      }, s.rec.task, x.rec.task);
      break;
    }
  }
  h.seen.push({ s, present: k.present });
  if (h.seen.length > KEY_HISTORY) h.seen.shift();
  if (k.changed) {
    h.changes.push(s);
    if (h.changes.length > KEY_HISTORY) h.changes.shift();
  }
}

/**
 * Scans one variable's accesses (any order; they are sorted here by time, then seq).
 */
export function scanVariable(
  accesses: AccessRecord[],
  ordering: Ordering,
  out: Findings,
  opts: AnalyzerOptions = {},
): void {
  const writeWindow = opts.writeWindow ?? DEFAULT_WRITE_WINDOW;
  const staleWindow = opts.staleWindow ?? DEFAULT_STALE_WINDOW;
  // Thousands of tasks hammering one variable would otherwise yield a report per pair of them.
  const cap = opts.maxReportsPerVariable ?? DEFAULT_MAX_REPORTS_PER_VARIABLE;
  let reported = 0;
  const add = (f: RaceFinding, t1: string, t2: string) => out.add(f, t1, t2, reported++ < cap);
  const sorted = accesses.slice().sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const writes: AccessState[] = [];
  const tasks = new Map<string, TaskVarState>();
  // Reads since the latest write (first per task): they saw the value that the next write replaces.
  let earlyReads = new Map<string, AccessState>();
  let lastWrite: AccessState | null = null;
  // Reads of other tasks that saw the value the latest write replaced and are not ordered with
  // it, and for each, the jobs of its causal successors that have read the new value since.
  let replacedReads: { read: AccessState; laterJobs: Set<string> }[] = [];
  // Order violations are reported last, and only for pairs of tasks with no stronger finding.
  const orderFindings: [RaceFinding, string, string, AccessRecord | null, boolean][] = [];
  const orderSeen = new Set<string>();
  // Time of each task's latest read of a value (not null): a reader that saw null and later saw
  // the value was waiting for it (polling), and coped with the empty state.
  const sawValueAt = new Map<string, number>();
  // The same per source location: a poll that runs as a new callback each time (a `setInterval`
  // tick, a retry timer) reads at one site from many tasks.
  const siteSawValueAt = new Map<string | number, number>();
  const initTs = new Map<number, number>();
  const noteOrder = (f: RaceFinding, t1: string, t2: string, early: AccessRecord | null = null, flip = false) => {
    // A flag's flip is one finding however many callbacks of the chain saw it.
    const key = flip ? `flip\u0000${f.seqs[0]}` : `${f.kind}\u0000${t1 < t2 ? t1 + '\u0000' + t2 : t2 + '\u0000' + t1}`;
    if (orderSeen.has(key)) return;
    orderSeen.add(key);
    orderFindings.push([f, t1, t2, early, flip]);
  };
  // Writes that flipped a flag (true <-> false): one flip is a terminal mark (ended, closed,
  // destroyed); a flag flipped back and forth is a mode (paused) that its readers follow.
  let flagFlips = 0;
  // Keyed container accesses, per key: what each found, and the accesses that added or removed it.
  const keys = new Map<string, KeyHistory>();

  /**
   * Finds the latest other-task write strictly after `from` and before the end of `writes` that
   * conflicts with `w`. With `lost` (w overwrites from a stale read), a write whose value `w`
   * stores again is skipped: storing the same value again loses nothing (an idempotent flag set
   * twice). Otherwise (w is a fresh read-modify-write after a check), read-modify-writes that ran
   * in one job are skipped: they commute with w (`n--` after `n++` of another task), so only a
   * blind write can have changed what the check decided.
   */
  const interleaved = (from: AccessState, w: AccessState, lost: boolean, rmwCommutes = true): AccessState | null => {
    let scanned = 0;
    for (let i = writes.length - 1; i >= 0 && scanned < staleWindow; i--) {
      const x = writes[i]!;
      if (x.rec.ts < from.rec.ts || (x.rec.ts === from.rec.ts && x.rec.seq < from.rec.seq)) break;
      if (x.rec.task === w.rec.task) continue;
      scanned++;
      if (lost ? sameValue(x.rec, w.rec) : rmwCommutes && x.rmw) continue;
      // x did interleave (it came after the read in time); the time-based interval rule cannot
      // excuse that, only a causal order can (the writer waited for x, or a lock).
      if (!ordering.causallyOrdered(x, w)) return x;
    }
    return null;
  };

  for (const rec of sorted) {
    const s = ordering.state(rec);
    const keyed = keyedAccess(rec);
    if (keyed !== undefined) staleKeyCheck(keys, keyed, s, ordering, add, out);
    let st = tasks.get(rec.task);
    if (!st) tasks.set(rec.task, (st = { lastRead: null, checkRead: null, writeJob: null, readJob: null, readsInJob: 0 }));

    if (isRead(rec)) {
      s.afterOwnWrite = st.writeJob === s.job;
      // A read after the task's own write in the same job observes that write (`n++; assert(n <= max)`):
      // it is not a check whose value decides a later act.
      if (st.lastRead && st.lastRead.seg < s.seg && !st.lastRead.afterOwnWrite) st.checkRead = st.lastRead;
      st.readsInJob = st.readJob === s.job ? st.readsInJob + 1 : 1;
      st.readJob = s.job;
      st.lastRead = s;
      if (!isEmpty(rec.value) && !isEmptyContainer(rec.value)) {
        sawValueAt.set(rec.task, rec.ts);
        if (rec.site !== undefined) siteSawValueAt.set(rec.site, rec.ts);
      }
      if (!earlyReads.has(rec.task) && earlyReads.size < EARLY_READ_WINDOW) earlyReads.set(rec.task, s);
      // Use after reset: the read saw what an unordered write of another task had just stored in
      // place of the state's value — empty (`conn = null`) or a flag flipped (`destroyed = true`)
      // — and the program used it: the job failed right after the read (it threw, or handed an
      // error to a callback). A guard such as `if (!this.conn) return` reads the reset value too,
      // and that is what resets are for.
      const w = lastWrite;
      if (w && w.rec.task !== rec.task && rec.value === w.rec.value && isReset(w.rec) &&
          ordering.throwsAfter(s) && !ordering.orderedForUse(w, s)) {
        noteOrder({
          kind: 'use_after_reset', variable: rec.variable, severity: 'WARNING',
          seqs: [w.rec.seq, rec.seq], roles: ['reset_write', 'late_read'], conflict: [w.rec.seq, rec.seq],
        }, rec.task, w.rec.task);
      }
      // A flag flipped under a running chain: one statement, run again and again by a task or
      // the callbacks that continue it (a per-row or per-item handler), read the flag's old value
      // before another task's unordered write and the new one after it, in two jobs or more:
      // the change landed in the middle of work that kept going (an 'end' flag set while row
      // callbacks still run). A chain that reads the new value once there and stops was
      // waiting for it (a poll), and is not reported.
      if (w && replacedReads.length > 0 && w.rec.task !== rec.task && rec.value === w.rec.value) {
        for (const c of replacedReads) {
          if (c.read.rec.site !== rec.site || c.laterJobs.has(s.job) || !ordering.causallyBefore(c.read, s) || ordering.orderedForUse(w, s)) continue;
          c.laterJobs.add(s.job);
          if (c.laterJobs.size < 2) continue;
          noteOrder({
            kind: 'use_after_reset', variable: rec.variable, severity: 'WARNING',
            seqs: [w.rec.seq, rec.seq], roles: ['reset_write', 'late_read'], conflict: [w.rec.seq, rec.seq],
          }, rec.task, w.rec.task, null, true);
        }
      }
      continue;
    }
    if (!isWrite(rec)) continue;

    const v = rec.variable;
    const staleRead = st.lastRead && st.lastRead.seg < s.seg ? st.lastRead : null;
    s.rmw = rec.access === 'AtomicRMW' || (st.lastRead !== null && st.lastRead.seg === s.seg);

    if (staleRead && rec.access !== 'AtomicRMW') {
      const x = interleaved(staleRead, s, true);
      if (x && !out.has('lost_update', v, rec.task, x.rec.task)) {
        add({
          kind: 'lost_update', variable: v, severity: 'CRITICAL',
          seqs: [staleRead.rec.seq, x.rec.seq, rec.seq], roles: ['stale_read', 'interleaved_write', 'overwrite'],
          conflict: [x.rec.seq, rec.seq],
        }, rec.task, x.rec.task);
      }
    } else if (s.rmw && st.checkRead && st.lastRead && !(st.readJob === s.job && st.readsInJob > 1)) {
      // Fresh read-modify-write, but an earlier segment's read decided to act: check-then-act.
      // Not when the write's job read the variable more than once: the guard was checked again
      // right before the act (`if (n < max) n++`), so the earlier read decided nothing.
      // A removal that found the container empty after a check that saw it hold something
      // (`if (pool.length > 0) { await io(); pool.shift() }` getting nothing) shows that the other
      // task's removal did not commute with this one: the check's promise no longer held.
      const check = st.checkRead;
      const brokenPromise = removedNothing(rec) && !isEmpty(check.rec.value) && !isEmptyContainer(check.rec.value);
      const x = interleaved(check, st.lastRead, false, !brokenPromise);
      if (x && x.rec.ts < st.lastRead.rec.ts && !out.has('check_then_act', v, rec.task, x.rec.task)) {
        add({
          kind: 'check_then_act', variable: v, severity: 'WARNING',
          seqs: [check.rec.seq, x.rec.seq, rec.seq], roles: ['check_read', 'interleaved_write', 'write'],
          conflict: [check.rec.seq, x.rec.seq],
        }, rec.task, x.rec.task);
      }
    }

    // A Map#set whose job read the map only through the set itself replaced the key's entry
    // without looking at it (the check, if any, was made before an await or by another task).
    if (s.rmw && !(st.readJob === s.job && st.readsInJob > 1)) s.blindKey = mapSetKey(rec.value);

    // Unordered writes: walk back to the nearest earlier write that is ordered before this one;
    // writes before that one were already compared with it.
    const latest = writes.length > 0 ? writes[writes.length - 1]! : null;
    // This write's job read the variable after the latest write and saw what it left: the
    // latest write reached this one (a read-from edge), and with it everything ordered before it.
    const sawLatest = latest !== null && latest.rec.task !== rec.task && s.rmw && st.lastRead !== null &&
      st.readJob === s.job && st.lastRead.rec.ts >= latest.rec.ts && readShows(st.lastRead.rec, latest.rec);
    let scanned = 0;
    for (let i = writes.length - 1; i >= 0 && scanned < writeWindow; i--) {
      const x = writes[i]!;
      if (x.rec.task === rec.task) break;
      scanned++;
      if (sawLatest && x !== latest && ordering.ordered(x, latest!)) break;
      if (!ordering.concurrent(x, s)) {
        if (ordering.ordered(x, s)) break;
        continue;
      }
      // Two read-modify-writes that each ran in one synchronous segment commute, except two
      // blind replacements of one map entry by different values: the last one wins.
      if (x.rmw && s.rmw && !(x.blindKey !== undefined && x.blindKey === s.blindKey && !sameValue(x.rec, rec))) continue;
      // This write came in the job of a read that saw x's value (the latest write then): it was
      // made knowing x, and so after everything before x, which was compared with x already.
      // That makes a flag's test-and-set (`if (!flag) flag = true` after another task's
      // `flag = false`) no race, but not a transition between named states: `if (state ===
      // 'closed') state = 'opening'` after another callback's `state = 'closed'` takes a path
      // that the other order (this job first, seeing 'opening') would not have taken.
      if (s.rmw && x === latest && st.lastRead && st.lastRead.rec.ts >= x.rec.ts && st.lastRead.rec.value === x.rec.value &&
          !isStateName(rec.value)) break;
      if (out.has('pair', v, rec.task, x.rec.task)) continue;
      if (!x.rmw && !s.rmw && sameValue(x.rec, rec)) continue;
      add({
        kind: 'unordered_writes', variable: v, severity: 'CRITICAL',
        seqs: [x.rec.seq, rec.seq], roles: ['write', 'write'], conflict: [x.rec.seq, rec.seq],
      }, rec.task, x.rec.task);
    }

    // Use before init: a read of another task saw the empty value this write replaced, and
    // nothing ordered the read before the write. Only for an initialisation that did not look at
    // the variable first (start-up code, a load callback): a write after its own check
    // (`if (this.timer === undefined) this.timer = setTimeout(...)`) is lazy set-up whose empty
    // state the code expects, and other readers of that state check it the same way. The first
    // element put into an empty container initialises it too (`items.length` read as 0 before
    // the insert of the first item); the container call's own read of the length is not a check.
    const container = isContainerCall(rec);
    const firstInsertion = container && isFirstInsertion(rec);
    const lookedFirst = st.readJob === s.job && st.readsInJob > (container ? 1 : 0);
    if ((firstInsertion || (!container && !isEmpty(rec.value))) && !lookedFirst) {
      for (const r of earlyReads.values()) {
        const sawEmpty = isEmpty(r.rec.value) || (firstInsertion && isEmptyContainer(r.rec.value));
        if (r.rec.task === rec.task || !sawEmpty || ordering.orderedForUse(r, s)) continue;
        initTs.set(rec.seq, rec.ts);
        noteOrder({
          kind: 'use_before_init', variable: v, severity: 'WARNING',
          seqs: [r.rec.seq, rec.seq], roles: ['early_read', 'init_write'], conflict: [r.rec.seq, rec.seq],
        }, r.rec.task, rec.task, r.rec);
      }
    }

    replacedReads = [];
    if (isFlag(rec.old) && isFlag(rec.value) && rec.old !== rec.value) {
      flagFlips++;
      // A site whose read of the old value is causally before this write started the work that
      // flips the flag (a poll that launched a fetch and checks `item.fetched` each tick): its
      // later reads of the new value were waiting for it.
      const started = new Set<string | number | undefined>();
      for (const r of earlyReads.values()) {
        if (r.rec.value === rec.old && r.rec.task !== rec.task && ordering.causallyBefore(r, s)) started.add(r.rec.site);
      }
      for (const r of earlyReads.values()) {
        if (r.rec.task !== rec.task && r.rec.value === rec.old && !started.has(r.rec.site) && !ordering.orderedForUse(r, s)) {
          replacedReads.push({ read: r, laterJobs: new Set() });
        }
      }
    }
    writes.push(s);
    lastWrite = s;
    if (earlyReads.size) earlyReads = new Map();
    st.lastRead = null;
    st.checkRead = null;
    st.writeJob = s.job;
  }

  // An order violation between tasks that also lost an update or raced on writes is that race.
  for (const [f, t1, t2, early, flip] of orderFindings) {
    if (out.has('pair', f.variable, t1, t2)) continue;
    if (flip && flagFlips > 1) continue;
    if (f.kind === 'use_before_init' && !(early !== null && ordering.throwsAfter({ rec: early }))) {
      // The reader, or a later read at the same site, saw the value: it was waiting for it (a
      // poll that copes with the empty state), unless the early read's job failed right there.
      const init = initTs.get(f.seqs[1]!)!;
      if ((sawValueAt.get(t1) ?? -Infinity) > init) continue;
      if (early?.site !== undefined && (siteSawValueAt.get(early.site) ?? -Infinity) > init) continue;
    }
    add(f, t1, t2);
  }
}

/** Runs the scan over every variable's accesses; `stats.comparisons` receives the number of pairwise decisions. */
export function detectRaces(
  byVariable: Iterable<AccessRecord[]>,
  ctx: AnalysisContext,
  opts: AnalyzerOptions = {},
  stats?: { comparisons: number; suppressed?: number },
): RaceFinding[] {
  const ordering = new Ordering(ctx);
  const out = new Findings();
  for (const group of byVariable) scanVariable(group, ordering, out, opts);
  if (stats) {
    stats.comparisons = ordering.comparisons;
    stats.suppressed = out.suppressed;
  }
  return out.list;
}

export { Findings };
