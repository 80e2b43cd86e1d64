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
const ownerKind = (o) => (o === undefined ? 'none' : typeof o === 'function' ? 'module' : 'blk' in o ? 'block' : o.site ? 'frame:' + o.site.name : '?');
// Sites (SPEC §2): the frame argument is a frame or the module token (a function that sets the
// module's hook aliases and returns the site table as JSON); each hook carries a site id into it.
const tables = new WeakMap();
const tableOf = (token) => {
  let t = tables.get(token);
  if (!t) { t = JSON.parse(token()); tables.set(token, t); }
  return t;
};
const moduleOf = (f) => (typeof f === 'function' ? f : f && f.m);
const site = (f, id) => {
  const m = moduleOf(f);
  if (!m) return { loc: '', text: '' };
  const t = tableOf(m);
  const r = t[id + 2] || [];
  return { loc: t[0] + ':' + r[0], text: r[1] };
};
// Static keys (SPEC §2): an access site `[line, "hint", key]`, used by the short forms of the hooks.
const staticKey = (f, id) => tableOf(moduleOf(f))[id + 2][2];
module.exports = {
  log,
  pause() { enabled = false; },
  resume_() { enabled = true; },
  mod(m) { const t = tableOf(m); rec('mod', t[0], t[1]); },
  enter(parent, id, ...args) {
    const f = module.exports.en(parent, id);
    module.exports.call(f, ...args);
    return f;
  },
  en(parent, id) {
    // The frame argument of the defining code (a frame or the module token) leads to the module;
    // the token's first call sets the module's hook aliases. Every invocation records (`r`).
    const m = moduleOf(parent);
    const r = tableOf(m)[id + 2];
    const s = { name: r[1], line: r[0], kind: r[2], params: r.slice(3) };
    if (s.kind & 1) rec('spawn', s.name);
    return { m, site: s, parent, task: s.kind & 1 ? ++taskSeq : 0, r: true };
  },
  call(f, ...args) { rec('call', f.site.name, args.map(safe)); return true; },
  exit(f) { rec('exit', f && f.site && f.site.name); },
  thrown(f, e) { rec('thrown', f && f.site && f.site.name); return e; },
  suspend(f, e, id) { rec('await', site(f, id).loc); return e; },
  resume(f, v) { return v; },
  forAwait(f, it, id) { rec('forAwait', site(f, id).loc); return it; },
  yieldOut(f, v) { return v; },
  yieldIn(f, v) { return v; },
  at(f) { rec('at'); },
  rp(f, obj, key, id) { key = toKey(key); const v = obj[key]; const s = site(f, id); rec('R', s.text, keyStr(key), safe(v), s.loc); return v; },
  rb(f, obj, key, id) { key = toKey(key); return obj[key]; },
  read(f, obj, key, value, id) { const s = site(f, id); rec('R', s.text, key, safe(value), s.loc); return value; },
  rv(f, owner, value, id) { const s = site(f, id); rec('Rv', ownerKind(owner), s.text, safe(value), s.loc); return value; },
  wp(f, obj, key, v, id) { key = toKey(key); const old = oldOf(obj, key); obj[key] = v; const s = site(f, id); rec('W', s.text, keyStr(key), safe(old), safe(v), s.loc); return v; },
  wpSloppy(f, obj, key, v, id) { key = toKey(key);
    const old = oldOf(obj, key);
    // Sloppy-mode semantics: a failed [[Set]] is silently ignored; null/undefined still throw.
    if (obj === null || obj === undefined) obj[key] = v; // throws the TypeError the program would
    Reflect.set(Object(obj), key, v, obj);
    const s = site(f, id);
    rec('W', s.text, keyStr(key), safe(old), safe(v), s.loc);
    return v;
  },
  wv(f, owner, old, v, id) { const s = site(f, id); rec('Wv', ownerKind(owner), s.text, safe(old), safe(v), s.loc); return v; },
  tp(f, obj, key, id) { key = toKey(key);
    // Evaluating the base happens now; ToObject happens at write time like PutValue.
    return { set v(value) { const old = oldOf(obj, key); obj[key] = value; const s = site(f, id); rec('W', s.text, keyStr(key), safe(old), safe(value), s.loc); } };
  },
  tpSloppy(f, obj, key, id) {
    return { set v(value) { module.exports.wpSloppy(f, obj, key, value, id); } };
  },
  dp(f, obj, key, id) { key = toKey(key); const old = oldOf(obj, key); const r = delete obj[key]; const s = site(f, id); rec('D', s.text, keyStr(key), safe(old), s.loc); return r; },
  dpSloppy(f, obj, key, id) { key = toKey(key);
    const old = oldOf(obj, key);
    if (obj === null || obj === undefined) return delete obj[key];
    const r = Reflect.deleteProperty(Object(obj), key);
    const s = site(f, id);
    rec('D', s.text, keyStr(key), safe(old), s.loc);
    return r;
  },
  fi(m, self, key, init, id) { const s = site(m, id); rec('FI', s.text, key, safe(init), s.loc); return init; },
  // Guards the brand check `#p in o` of a private write (SPEC §4.4): no record.
  isObj(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function'; },
  write(f, obj, key, old, v, id) { const s = site(f, id); rec('W', s.text, key, safe(old), safe(v), s.loc); return v; },
  blk(f) { return { blk: f }; },
  // Container call sites (SPEC §4.5): `cn` looks at the receiver without running program code (-1:
  // not a container), `cc` records the call the program made and returns its result.
  cn(f, obj, id) {
    const types = require('node:util').types;
    if (obj === null || typeof obj !== 'object' || types.isProxy(obj)) return -1;
    return Array.isArray(obj) || types.isMap(obj) || types.isSet(obj) ? 0 : -1;
  },
  cc(f, obj, before, result, id, key) {
    if (before >= 0) { const s = site(f, id); rec('C', s.text, staticKey(f, id), safe(key), safe(result), s.loc); }
    return result;
  },
};
// Short forms (SPEC §2): `rp(f, o, S)`, `wp(f, o, v, S)`, … for a static key, told apart by the
// missing last argument; they act as the keyed form with the site's key.
for (const h of ['rp', 'rb', 'dp', 'dpSloppy', 'tp', 'tpSloppy']) {
  const keyed = module.exports[h];
  module.exports[h] = (f, obj, key, id) => (id === undefined ? keyed(f, obj, staticKey(f, key), key) : keyed(f, obj, key, id));
}
for (const h of ['wp', 'wpSloppy']) {
  const keyed = module.exports[h];
  module.exports[h] = (f, obj, key, v, id) => (id === undefined ? keyed(f, obj, staticKey(f, v), key, v) : keyed(f, obj, key, v, id));
}
