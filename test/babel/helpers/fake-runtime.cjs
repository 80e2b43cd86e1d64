'use strict';
// A minimal, faithful implementation of the hook ABI of fixtures/SPEC.md, used by the Babel
// front end's semantic tests so they do not depend on the real runtime: every hook performs
// exactly the operation the spec says it performs and appends a compact record to `log`.
// Property reads/writes go through Reflect with the right receiver, so getters/setters/Proxies
// behave as in the original program.
const log = [];
let enabled = true;
const rec = (...e) => { if (enabled) log.push(e); };
const safe = (v) => {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === undefined) return v;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return '[fn]';
  if (typeof v === 'symbol') return String(v);
  return '[obj]';
};
const oldOf = (obj, key) => {
  // The value before a write, without calling getters or Proxy traps.
  try {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return null;
    if (require('node:util').types.isProxy(obj)) return null;
    for (let o = obj; o; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d) return 'value' in d ? d.value : null;
    }
    return undefined;
  } catch { return null; }
};
const keyStr = (k) => (typeof k === 'symbol' ? k.toString() : String(k));
// ToPropertyKey exactly once per hook, as the language does once per access.
const toKey = (k) => (typeof k === 'symbol' || typeof k === 'string' ? k : typeof k === 'number' ? String(k) : String(k));
let taskSeq = 0;
const ownerKind = (o) => (o === undefined ? 'none' : 'blk' in o ? 'block' : 'file' in o ? 'module' : o.site ? 'frame:' + o.site.name : '?');
module.exports = {
  log,
  pause() { enabled = false; },
  resume_() { enabled = true; },
  mod(file, id) { rec('mod', file, id); return { file, id }; },
  fsite(m, name, line, params, kind) { return { m, name, line, params, kind }; },
  enter(site, parent, ...args) {
    if (site && (site.kind & 1)) rec('spawn', site.name);
    rec('call', site && site.name, args.map(safe));
    return { site, parent, task: site && (site.kind & 1) ? ++taskSeq : 0 };
  },
  exit(f) { rec('exit', f && f.site && f.site.name); },
  suspend(f, e, loc) { rec('await', loc); return e; },
  resume(f, v) { return v; },
  forAwait(f, it, loc) { rec('forAwait', loc); return it; },
  yieldOut(f, v) { return v; },
  yieldIn(f, v) { return v; },
  at(f) { rec('at'); },
  rp(f, obj, key, loc, base) { key = toKey(key); const v = obj[key]; rec('R', base, keyStr(key), safe(v), loc); return v; },
  rb(f, obj, key, base) { key = toKey(key); return obj[key]; },
  read(f, obj, key, value, loc, base) { rec('R', base, key, safe(value), loc); return value; },
  rv(f, owner, name, value, loc) { rec('Rv', ownerKind(owner), name, safe(value), loc); return value; },
  wp(f, obj, key, v, loc, base) { key = toKey(key); const old = oldOf(obj, key); obj[key] = v; rec('W', base, keyStr(key), safe(old), safe(v), loc); return v; },
  wpSloppy(f, obj, key, v, loc, base) { key = toKey(key);
    const old = oldOf(obj, key);
    // Sloppy-mode semantics: a failed [[Set]] is silently ignored; null/undefined still throw.
    if (obj === null || obj === undefined) obj[key] = v; // throws the TypeError the program would
    Reflect.set(Object(obj), key, v, obj);
    rec('W', base, keyStr(key), safe(old), safe(v), loc);
    return v;
  },
  wv(f, owner, name, old, v, loc) { rec('Wv', ownerKind(owner), name, safe(old), safe(v), loc); return v; },
  tp(f, obj, key, loc, base) { key = toKey(key);
    // Evaluating the base happens now; ToObject happens at write time like PutValue.
    return { set v(value) { const old = oldOf(obj, key); obj[key] = value; rec('W', base, keyStr(key), safe(old), safe(value), loc); } };
  },
  tpSloppy(f, obj, key, loc, base) {
    return { set v(value) { module.exports.wpSloppy(f, obj, key, value, loc, base); } };
  },
  dp(f, obj, key, loc, base) { key = toKey(key); const old = oldOf(obj, key); const r = delete obj[key]; rec('D', base, keyStr(key), safe(old), loc); return r; },
  dpSloppy(f, obj, key, loc, base) { key = toKey(key);
    const old = oldOf(obj, key);
    if (obj === null || obj === undefined) return delete obj[key];
    const r = Reflect.deleteProperty(Object(obj), key);
    rec('D', base, keyStr(key), safe(old), loc);
    return r;
  },
  fi(self, key, init, loc, cls) { rec('FI', cls, key, safe(init), loc); return init; },
  write(f, obj, key, old, v, loc, base) { rec('W', base, key, safe(old), safe(v), loc); return v; },
  blk(f) { return { blk: f }; },
};
