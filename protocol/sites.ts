/**
 * Site tables (fixtures/SPEC.md §2). Each instrumented module carries one table, a JSON array
 * `["file", "module", site0, site1, …]` returned as text by the module token; every hook call passes
 * a small integer id into it. Site records:
 * - access or binding: `[line, "hint or binding name"]`; with a static property key, `[line, "hint", key]`
 *   (the key then leaves the hook call: the hook's short form);
 * - await: `[line]`;
 * - function: `[line, "qualified name", kind, "param", …]` (kind: FunctionKind).
 * The front ends write tables with `SiteTableWriter`; the runtime reads them with the decoders below.
 */

/** Function kinds in function sites: bit 0 async, bit 1 generator. */
export const enum FunctionKind { Sync = 0, Async = 1, Generator = 2, AsyncGenerator = 3 }

export function functionKind(isAsync: boolean, isGenerator: boolean): FunctionKind {
  return (isAsync ? FunctionKind.Async : 0) | (isGenerator ? FunctionKind.Generator : 0);
}

/** Entries before the first site: the file and the module id. */
export const TABLE_HEADER = 2;

/** The module id of a file (its path relative to the project root without the extension). */
export function moduleIdOf(file: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return dot > slash + 1 ? file.slice(0, dot) : file;
}

/** Collects one module's site records; identical records share one id. */
export class SiteTableWriter {
  private readonly records: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly keys = new Map<number, string | number>();

  /** An access or binding site (`text` given; `key` for a static key), or an await site (neither). */
  site(line: number, text?: string, key?: string | number): number {
    const id = this.id(text === undefined ? '[' + line + ']'
      : '[' + line + ',' + JSON.stringify(text) + (key === undefined ? '' : ',' + JSON.stringify(key)) + ']', false);
    if (key !== undefined) this.keys.set(id, key);
    return id;
  }

  /** The static key of access site `id` (for the plain form of a short-form access, SPEC §3.1). */
  keyOf(id: number): string | number | undefined {
    return this.keys.get(id);
  }

  /** A function site. */
  functionSite(line: number, qualifiedName: string, kind: FunctionKind, params: readonly string[]): number {
    return this.id(JSON.stringify([line, qualifiedName, kind, ...params]), true);
  }

  /**
   * Function sites are deduplicated apart from the others: `[3,"f",0]` is both a sync function `f`
   * without parameters and an access `f[0]`, and the runtime decodes each id as one kind.
   */
  private id(record: string, fn: boolean): number {
    const dedupe = fn ? 'f' + record : record;
    let id = this.ids.get(dedupe);
    if (id === undefined) {
      id = this.records.length;
      this.records.push(record);
      this.ids.set(dedupe, id);
    }
    return id;
  }

  /** The table as the module token returns it. */
  text(file: string, moduleId: string): string {
    return '[' + [JSON.stringify(file), JSON.stringify(moduleId), ...this.records].join(',') + ']';
  }
}

// ---- decoding (the runtime; never throws: a broken or foreign table reads as empty sites) --------

/** The table of a token's text, or an empty table. */
export function parseSiteTable(raw: string | null): readonly unknown[] {
  try {
    const parsed: unknown = raw !== null ? JSON.parse(raw) : null;
    if (Array.isArray(parsed)) return parsed;
  } catch { /* a broken table: no sites */ }
  return [];
}

export function tableFile(table: readonly unknown[]): string {
  return typeof table[0] === 'string' ? table[0] : '';
}

export function tableModule(table: readonly unknown[]): string {
  return typeof table[1] === 'string' ? table[1] : '';
}

/** The record of site `id`. */
export function siteRecord(table: readonly unknown[], id: number): unknown {
  return table[id + TABLE_HEADER];
}

/** Line and text of an access, binding or await record. */
export function decodeSite(record: unknown): { line: number; text: string } {
  const r = Array.isArray(record) ? record : [];
  return { line: typeof r[0] === 'number' ? r[0] : 0, text: typeof r[1] === 'string' ? r[1] : '' };
}

/** The static key of an access record; a record without one reads as the key "undefined", as `o[undefined]` would. */
export function decodeKey(record: unknown): string | number {
  const k = Array.isArray(record) ? record[2] : undefined;
  return typeof k === 'string' || typeof k === 'number' ? k : 'undefined';
}

export interface FunctionSiteRecord {
  line: number;
  name: string | undefined;
  kind: FunctionKind;
  params: string[];
}

/** A function record (`name` undefined where the record has none). */
export function decodeFunctionSite(record: unknown): FunctionSiteRecord {
  const r = Array.isArray(record) ? record : [];
  return {
    line: typeof r[0] === 'number' ? r[0] : 0,
    name: typeof r[1] === 'string' ? r[1] : undefined,
    kind: typeof r[2] === 'number' ? r[2] as FunctionKind : FunctionKind.Sync,
    params: r.slice(3).map(String),
  };
}
