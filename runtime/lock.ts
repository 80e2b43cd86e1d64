/**
 * A real async mutex (FIFO, awaits acquisition) that records LockAcquire / LockRelease and the
 * happens-before they imply: the acquiring task learns the clock of the last release, and the lock
 * appears in `lock_set` of every event captured while it is held.
 */
import { getClient } from './client';
import { Clock } from './clock';
import { ambientTask, currentTask, emit, enterTask, leaveTo, storedSegment, type Task } from './context';
import { randomId } from './ids';
import { K } from './record';

export class Mutex {
  private held = false;
  private readonly waiting: (() => void)[] = [];
  private releasedClock: Clock | null = null;

  constructor(readonly id: string = randomId(), readonly lockType = 'Mutex') {}

  /** True while some task holds the lock. */
  get locked(): boolean {
    return this.held;
  }

  /**
   * Waits for the lock (first come, first served) and returns the function that releases it.
   * The acquiring task is the one that called `acquire`.
   */
  acquire(location = ''): Promise<() => void> {
    const task = currentTask();
    return new Promise<() => void>((resolve) => {
      const grant = () => {
        this.held = true;
        this.recordAcquire(task, location);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.release(task, location);
        });
      };
      if (!this.held) grant();
      else this.waiting.push(grant);
    });
  }

  private recordAcquire(task: Task, location: string): void {
    // A task left out by sampling has no clock to join and nothing to record.
    if (!task.sampled) return;
    try {
      if (this.releasedClock) task.joinClock(this.releasedClock);
      task.setLocks([...task.locks, this.id]);
      const c = getClient();
      if (c.enabled) emit(c, task, K.LockAcquire, this.id, this.lockType, location);
    } catch { /* never into the app */ }
  }

  private release(task: Task, location: string): void {
    // Only recorded tasks hand on a clock: a holder left out by sampling keeps the last recorded
    // release, so the next recorded holder still learns it (the order is transitive).
    if (task.sampled) try {
      const c = getClient();
      if (c.enabled) emit(c, task, K.LockRelease, this.id, this.lockType, location);
      const i = task.locks.lastIndexOf(this.id);
      if (i >= 0) task.setLocks([...task.locks.slice(0, i), ...task.locks.slice(i + 1)]);
      this.releasedClock = task.clock();
    } catch { /* never into the app */ }
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  async runExclusive<T>(fn: () => T | Promise<T>, location = ''): Promise<T> {
    const task = currentTask();
    const release = await this.acquire(location);
    try {
      // Run the critical section as a synchronous continuation of the acquiring task, so its
      // accesses (and any task it spawns) carry the lock and the acquire's happens-before.
      let result: T | Promise<T>;
      if (task.sampled) {
        const prev = ambientTask();
        const prevStore = storedSegment();
        enterTask(task);
        try { result = fn(); } finally { leaveTo(prev, prevStore); }
      } else {
        result = fn();
      }
      const value = await result;
      task.resumeSegment();
      return value;
    } catch (err) {
      task.resumeSegment();
      throw err;
    } finally {
      release();
    }
  }
}

const registryKey = Symbol.for('raceway.locks.v1');
const g = globalThis as unknown as Record<symbol, Map<string, Mutex> | undefined>;
const registry: Map<string, Mutex> = g[registryKey] ?? (g[registryKey] = new Map());

/** The process-wide mutex named `lockId` (created on first use). */
export function getMutex(lockId: string): Mutex {
  let m = registry.get(lockId);
  if (!m) {
    m = new Mutex(lockId);
    registry.set(lockId, m);
  }
  return m;
}

/** Runs `fn` while holding the process-wide lock `lockId`; concurrent callers wait their turn. */
export function withLock<T>(lockId: string, fn: () => T | Promise<T>, location = ''): Promise<T> {
  return getMutex(lockId).runExclusive(fn, location);
}
