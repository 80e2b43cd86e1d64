/**
 * Modules, functions and invocations as the hooks see them: a module's site table behind its token
 * (decoded with protocol/sites.ts), the facts of one function, one invocation's frame, and the
 * per-iteration owner of a loop body's captured bindings.
 */
import { quietTask, recordingOn, type Segment, type Task } from './context';
import type { Span } from './record';
import { SiteAccessors, type Getter, type Setter } from './site-access';
import { ANONYMOUS } from '../protocol/names';
import { decodeFunctionSite, decodeKey, decodeSite, FunctionKind as FnKind, parseSiteTable, siteRecord, tableFile, tableModule, TABLE_HEADER } from '../protocol/sites';

/**
 * A module's compile-time facts (SPEC §2). The front ends emit, per module, a function declaration
 * (the module *token*) that returns the module's site table as JSON text, `'["file","module",site,…]'`,
 * after setting the module's local aliases of the hooks (`__rw_rp = __rw.rp`, …). Every hook call
 * carries a small integer site id into that table; where no frame exists, the token is the frame
 * argument. A function declaration is initialised before any code of the module runs, so the table
 * is reachable even from a function called early through an import cycle. The runtime calls the
 * token once (from `mod`, or from the first `enter` if an import cycle runs a function of the module
 * before its prologue), parses the table on first use, and decodes each site once.
 * Sites: accesses and bindings `[line, "hint or binding name"]`, awaits `[line]`, functions
 * `[line, "qualified name", kind, "param", …]`.
 */
export type ModuleToken = (() => string) & { rwh?: ModuleHandle; readonly r?: boolean };

export class ModuleHandle {
  readonly names = new Map<string, string>();
  private fileV = '';
  private moduleV = '';
  private raw: string | null;
  private table: readonly unknown[] | null = null;
  private sites: (Site | FnSite | undefined)[] = [];
  constructor(readonly token: ModuleToken | undefined) {
    let raw: unknown = null;
    try { raw = token !== undefined ? token() : null; } catch { /* a foreign token: no sites */ }
    this.raw = typeof raw === 'string' ? raw : null;
  }
  private rows(): readonly unknown[] {
    if (this.table !== null) return this.table;
    const table = parseSiteTable(this.raw);
    this.raw = null;
    // Every site's slot up front: decoded on first use in any order, a large module's high site ids
    // would otherwise turn these arrays sparse (dictionary elements) on the hooks' path.
    const n = Math.max(0, table.length - TABLE_HEADER);
    this.sites = new Array<Site | FnSite | undefined>(n).fill(undefined);
    this.keys = new Array<string | number | undefined>(n).fill(undefined);
    this.fileV = tableFile(table);
    this.moduleV = tableModule(table);
    return (this.table = table);
  }
  private unrecordedFrame: Frame | null = null;
  /**
   * The frame every invocation of this module's functions shares in a context left out by sampling:
   * its task records nothing, so hooks given it return at once, and closures made there stay
   * unrecorded when the event loop calls them later (they belong to that request); a recorded caller
   * still runs them in its own task.
   */
  quietFrame(): Frame {
    return this.unrecordedFrame ??= new Frame(new FnSite(this, ANON, 0, [], FnKind.Sync), quietTask(), false, null, undefined);
  }
  /**
   * What an unrecorded invocation of function `id` gets as its frame: the shared quiet frame, except
   * for generators (a generator may be resumed later by recorded code), which get the module token.
   */
  unrecorded(id: number): Frame | ModuleToken {
    const q = this.quiet[id];
    return q !== undefined ? q : this.unrecordedOf(id);
  }
  /** `unrecorded` by site id, decided once per function site. */
  private quiet: (Frame | ModuleToken | undefined)[] = [];
  private unrecordedOf(id: number): Frame | ModuleToken {
    this.rows();
    if (this.quiet.length === 0) this.quiet = new Array<Frame | ModuleToken | undefined>(this.sites.length).fill(undefined);
    const kind = this.fnSite(id).kind;
    const q = kind === FnKind.Sync || kind === FnKind.Async || this.token === undefined ? this.quietFrame() : this.token;
    if (id < this.quiet.length) this.quiet[id] = q;
    return q;
  }
  get file(): string { this.rows(); return this.fileV; }
  get module(): string { this.rows(); return this.moduleV; }
  /** Static keys of access sites `[line, "hint", key]`, by site id (decoded once: see `key`). */
  private keys: (string | number | undefined)[] = [];
  /**
   * The static property key of access site `id` (SPEC §2). On the path of every static-key hook,
   * recorded or not: one array read once the site is decoded.
   */
  key(id: number): string | number {
    const k = this.keys[id];
    return k !== undefined ? k : this.decodeKey(id);
  }
  private decodeKey(id: number): string | number {
    const key = decodeKey(siteRecord(this.rows(), id));
    this.keys[id] = key;
    return key;
  }
  private accessors: SiteAccessors | null = null;
  private accessorsOf(): SiteAccessors {
    return this.accessors ??= new SiteAccessors(this.rows().length - TABLE_HEADER, (id) => this.key(id));
  }
  /** `o => o.key` compiled for static-key access site `id` once it is hot, else null (see site-access.ts). */
  getter(id: number): Getter | null {
    return this.accessorsOf().getter(id);
  }
  /** The store `o.key = v` of static-key access site `id` once it is hot, else null. */
  setter(id: number, sloppy: boolean): Setter | null {
    return this.accessorsOf().setter(id, sloppy);
  }
  /** Site `id` of an access, binding or await. */
  site(id: number): Site {
    const s = this.sites[id];
    if (s !== undefined) return s as Site;
    const { line, text } = decodeSite(siteRecord(this.rows(), id));
    const site = new Site(this.fileV + ':' + line, text);
    this.sites[id] = site;
    return site;
  }
  /** Site `id` of a function. */
  fnSite(id: number): FnSite {
    const s = this.sites[id];
    if (s instanceof FnSite) return s;
    const r = decodeFunctionSite(siteRecord(this.rows(), id));
    const site = new FnSite(this, r.name ?? ANON, r.line, r.params, r.kind);
    this.sites[id] = site;
    return site;
  }
}

/** Where an access, binding read/write or await is: `loc` is `"file:line"`; `text` the hint or binding name. */
export class Site {
  constructor(readonly loc: string, readonly text: string) {}
}

const ANON = ANONYMOUS;
export const NO_SITE = new Site('', '');

/** The handle of a module token (made on first use: `mod` may not have run yet in an import cycle). */
export function handleOf(token: ModuleToken): ModuleHandle {
  return token.rwh ?? newHandle(token);
}

function newHandle(token: ModuleToken): ModuleHandle {
  const h = new ModuleHandle(token);
  token.rwh = h;
  // A function given the token as its frame (a generator entered unrecorded: recorded code may
  // resume it) calls every hook while Raceway can record, and they decide for themselves; while it
  // cannot, none (SPEC §3.1).
  Object.defineProperty(token, 'r', { get: recordingOn, configurable: true });
  return h;
}

/** The module of a hook's frame argument: a frame's module, or the module token's. */
export function moduleOf(f: FrameArg): ModuleHandle | undefined {
  return f instanceof Frame ? f.mod : typeof f === 'function' ? handleOf(f) : undefined;
}

/** Function kinds in function sites (the protocol's `FunctionKind`). */
export { FnKind };

/** Compile-time facts about one function, decoded once from its module's site table. */
export class FnSite {
  readonly file: string;
  readonly module: string;
  constructor(readonly mod: ModuleHandle | undefined, readonly name: string, readonly line: number, readonly params: readonly string[], readonly kind: FnKind) {
    this.file = mod?.file ?? '';
    this.module = mod?.module ?? '';
  }
}

/** One invocation of an instrumented function. */
export class Frame {
  /** The task this invocation runs in now. */
  task: Task;
  /** Whether the invocation created its task (async functions, callbacks entered from the event loop). */
  readonly owns: boolean;
  /** FunctionCall event of this invocation (the span of events inside it). */
  rec: Span | null = null;
  savedSpan: Span | null;
  savedFn: string;
  /** Ambient task and async store to put back when this invocation suspends or returns. */
  prevCur: Task | null;
  prevStore: Segment | undefined;
  /** Names of bindings owned by this invocation (captured locals). */
  names: Map<string, string> | null = null;
  /** The module the function was compiled in (its site table). */
  readonly mod: ModuleHandle | undefined;
  /** Whether the invocation's hooks can record: its task was sampled when it was entered (`rec`). */
  readonly r: boolean;
  constructor(readonly site: FnSite, task: Task, owns: boolean, prevCur: Task | null, prevStore: Segment | undefined) {
    this.r = task.sampled;
    this.task = task;
    this.owns = owns;
    this.prevCur = prevCur;
    this.prevStore = prevStore;
    this.savedSpan = task.span;
    this.savedFn = task.fn;
    this.mod = site.mod;
  }
}

/**
 * The frame argument of a hook: a `Frame`, or the module token where no frame exists (module level,
 * parameter lists, class fields, a function entered while capture was off or its request unsampled),
 * or `undefined` (hand-written calls).
 */
export type FrameArg = Frame | ModuleToken | undefined;

/** The site `id` seen from frame argument `f`. Only called when an event is about to be recorded. */
export function siteOf(f: FrameArg, id: number): Site {
  if (f instanceof Frame) return f.mod !== undefined ? f.mod.site(id) : NO_SITE;
  if (typeof f === 'function') return handleOf(f).site(id);
  return NO_SITE;
}

/** A block instance whose captured bindings are distinct per iteration (`blk`). */
export class BlockHandle {
  names: Map<string, string> | null = null;
  readonly frame: Frame | undefined;
  constructor(f: FrameArg) { this.frame = f instanceof Frame ? f : undefined; }
}

