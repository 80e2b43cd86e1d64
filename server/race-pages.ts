/**
 * Every race a Raceway server lists, following the pages of `GET /api/races` (`next_offset`), for
 * clients that want the whole list (`raceway races`, `raceway run --endpoint`).
 */
import type { RaceReport } from './analyzer';

/** One answer of `GET /api/races`, as far as the clients read it. */
export interface RacesPage {
  races?: RaceReport[];
  suppressed_races?: number;
  total_races?: number;
  next_offset?: number | null;
}

/** The largest page the server gives (`limit`). */
const PAGE = 10_000;

/** Follows the pages from offset 0; `getPage(path)` fetches one (`api/races?limit=…&offset=…`). */
export async function allRaces(getPage: (path: string) => Promise<RacesPage | undefined>): Promise<{ races: RaceReport[]; suppressed: number; total: number }> {
  const races: RaceReport[] = [];
  let suppressed = 0;
  let total = 0;
  let offset = 0;
  for (;;) {
    const page = await getPage(`api/races?limit=${PAGE}&offset=${offset}`);
    if (page === undefined) break;
    if (Array.isArray(page.races)) races.push(...page.races);
    suppressed = page.suppressed_races ?? suppressed;
    total = page.total_races ?? races.length;
    const next = page.next_offset;
    // A server that does not page (or a page that would not move on) ends the walk.
    if (typeof next !== 'number' || next <= offset) break;
    offset = next;
  }
  return { races, suppressed, total: Math.max(total, races.length) };
}
