'use strict';
class Base {
  static created = 0;
  #secret = 'base';
  name = 'b';
  arrow = () => this.name;
  constructor(n) { Base.created++; if (n) this.name = n; }
  get secret() { return this.#secret; }
  set secret(v) { this.#secret = v; }
  #priv() { return this.#secret + '!'; }
  callPriv() { return this.#priv(); }
  static make(n) { return new this(n); }
  method() { return 'base-method'; }
  static { this.tag = 'static-' + Base.created; }
}
class Derived extends Base {
  extra = super.method();
  #count = 0;
  static #instances = 0;
  constructor(n) {
    const before = new.target.name;
    super(n);
    this.before = before;
    Derived.#instances++;
  }
  method() { this.#count += 1; this.#count++; return 'derived:' + super.method() + ':' + this.#count; }
  static instances() { return Derived.#instances; }
  has(o) { return #count in o; }
  get [Symbol.toStringTag]() { return 'D'; }
}
const d = Derived.make('x');
d.secret = 'changed';
console.log(d.name, d.arrow(), d.arrow.name, d.extra, d.method(), d.callPriv(), d.secret, Derived.instances(), Base.created, Base.tag, d.before, d.has(d), d.has({}), String(d));
const C = class { static s = () => 1; f = function () {}; };
console.log(C.name, C.s.name, new C().f.name);
let fn; fn = () => 1;
const o = { m() { return 1; }, a: () => 2, ['c' + 1]: function () {} };
console.log(fn.name, o.m.name, o.a.name, o.c1.name);
