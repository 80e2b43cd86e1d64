/**
 * Races as a SARIF 2.1.0 log (`raceway run --sarif FILE`), the format code hosts read to show
 * findings at source lines (GitHub code scanning: `github/codeql-action/upload-sarif`). Each race is
 * one result: its primary location is the later of the two conflicting accesses (Thread B in the
 * `raceway races` report), the other accesses are related locations. Locations are relative to the project root
 * (`%SRCROOT%`), as the runtime records them.
 */
import { pathToFileURL } from 'node:url';
import type { RaceAccess, RaceKind, RaceReport } from '../analyzer';

/** One rule per race kind. */
const RULES: Record<RaceKind, { name: string; text: string }> = {
  lost_update: { name: 'LostUpdate', text: 'A task wrote a value computed from a read that another task\'s write made stale across an await.' },
  unordered_writes: { name: 'UnorderedWrites', text: 'Two tasks wrote the same shared location with nothing ordering the writes.' },
  check_then_act: { name: 'CheckThenAct', text: 'A task acted on a check that another task\'s write invalidated across an await.' },
  use_before_init: { name: 'UseBeforeInit', text: 'A task read a shared location before another task initialised it, with nothing making the read wait.' },
  use_after_reset: { name: 'UseAfterReset', text: 'A task read a shared location after another task reset it, with nothing ordering them.' },
};

const KINDS = Object.keys(RULES) as RaceKind[];

/** "src/bank.ts:12" or "src/bank.ts:12:5"; null for locations without a line. */
export function parseLocation(location: string): { file: string; line: number; column?: number } | null {
  const m = /^(.+?):(\d+)(?::(\d+))?$/.exec(location);
  if (!m || Number(m[2]) < 1) return null;
  return { file: m[1]!, line: Number(m[2]), ...(m[3] && Number(m[3]) >= 1 ? { column: Number(m[3]) } : {}) };
}

function physical(access: RaceAccess): object | null {
  const loc = parseLocation(access.location);
  if (!loc) return null;
  // Paths are POSIX and relative to the root; a relative URI reference needs its segments escaped.
  const uri = loc.file.split('/').map(encodeURIComponent).join('/');
  return {
    physicalLocation: {
      artifactLocation: loc.file.startsWith('/') ? { uri: pathToFileURL(loc.file).href } : { uri, uriBaseId: '%SRCROOT%' },
      region: { startLine: loc.line, ...(loc.column ? { startColumn: loc.column } : {}) },
    },
  };
}

function accessText(a: RaceAccess, variable: string): string {
  const what = a.access_type === 'Read' || a.access_type === 'AtomicRead' ? `read ${variable}` : `wrote ${variable}`;
  return `${a.role.replace(/_/g, ' ')}: task ${a.thread_id.slice(0, 8)} (trace ${a.trace_id.slice(0, 8)}, ${a.service_name}) ${what}`;
}

/** The SARIF log for these races; `root` is the directory the locations are relative to. */
export function toSarif(races: RaceReport[], root: string, toolVersion: string): object {
  const results = races.map((r) => {
    const primary = physical(r.second) ?? physical(r.first);
    let id = 0;
    const related = r.accesses
      .filter((a) => a.event_id !== r.second.event_id || !primary)
      .flatMap((a) => {
        const loc = physical(a);
        return loc ? [{ id: id++, ...loc, message: { text: accessText(a, r.variable) } }] : [];
      });
    return {
      ruleId: r.kind,
      ruleIndex: KINDS.indexOf(r.kind),
      level: r.severity === 'CRITICAL' ? 'error' : 'warning',
      message: { text: r.description },
      locations: primary ? [primary] : [],
      ...(related.length ? { relatedLocations: related } : {}),
      // The same race in the next run has other event ids but the same kind, variable and code:
      // what lets code hosts follow one race across runs.
      partialFingerprints: { racewayRace: [r.kind, r.variable, r.first.location, r.second.location].join('|') },
      properties: { variable: r.variable, traceIds: r.trace_ids },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Raceway',
          version: toolVersion,
          informationUri: 'https://github.com/raceway/raceway-ts',
          rules: KINDS.map((k) => ({
            id: k,
            name: RULES[k].name,
            shortDescription: { text: RULES[k].text },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(root.endsWith('/') ? root : root + '/').href } },
      results,
    }],
  };
}
