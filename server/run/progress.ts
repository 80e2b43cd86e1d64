/**
 * `raceway run`'s progress on long runs: one line on stderr, rewritten in place, with the number
 * of processes, events and races so far. Only on a terminal: in CI logs and pipes an updating
 * line is noise, so nothing is written there.
 */
export interface ProgressSource {
  processes(): number;
  events(): Promise<number>;
  /** Races so far; undefined when counting them is not cheap (a remote server). */
  races(): Promise<number | undefined>;
}

export interface Progress {
  stop(): Promise<void>;
}


/** The line, e.g. "raceway: 3 processes, 1520 events, 1 race so far". */
export function progressLine(processes: number, events: number, races: number | undefined): string {
  const parts = [count(processes, 'process', 'processes'), count(events, 'event', 'events')];
  if (races !== undefined) parts.push(count(races, 'race', 'races'));
  return `raceway: ${parts.join(', ')} so far`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Starts the line on `stream` when it is a terminal; a no-op otherwise. */
export function startProgress(source: ProgressSource, stream: NodeJS.WriteStream = process.stderr, everyMs = 1000): Progress {
  if (!stream.isTTY) return { stop: async () => undefined };
  let shown = false;
  let busy: Promise<void> = Promise.resolve();
  const tick = () => {
    busy = (async () => {
      try {
        const line = progressLine(source.processes(), await source.events(), await source.races());
        // The cursor goes back to the line's start: what the command prints next overwrites it,
        // and the next tick draws it again below.
        stream.write(`\r\x1b[2K${line}\r`);
        shown = true;
      } catch {
        /* progress is best effort */
      }
    })();
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
