/**
 * The Node.js processes `raceway run`'s command started with the register hook. Each announces
 * itself once by creating an empty file named by its pid in RACEWAY_RUN_DIR (see
 * babel-plugin/register.ts): the progress line counts them, and when the command has exited, the
 * ones still running (children it detached, which flush their events when they end) are waited
 * for, within a bound.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable naming the directory the register hook announces processes in. */
export const RUN_DIR_ENV = 'RACEWAY_RUN_DIR';

export class ProcessRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'raceway-run-'));

  /** Pids of the processes started so far (ended ones included). */
  pids(): number[] {
    try {
      return readdirSync(this.dir).map(Number).filter((n) => Number.isInteger(n) && n > 0);
    } catch {
      return [];
    }
  }

  /** Those still running. */
  running(): number[] {
    return this.pids().filter((pid) => pid !== process.pid && alive(pid));
  }

  /**
   * Resolves when every announced process has ended, or after `boundMs` (a detached server that
   * never ends must not hold the report back for ever). Resolves with those still running.
   */
  async waitForExit(boundMs: number, pollMs = 50): Promise<number[]> {
    const until = Date.now() + boundMs;
    let left = this.running();
    while (left.length > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, pollMs));
      left = left.filter(alive);
    }
    return left;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
