/**
 * The hook table: every function instrumented code calls on `raceway/runtime` (fixtures/SPEC.md §3,
 * §4). The front ends emit calls through these names (as `__rw.rp(…)`, or the module's alias
 * `__rw_rp(…)`); the runtime exports a function under each. The short names are part of the ABI:
 * they keep the emitted code small. Source code refers to a hook through `Hook.<readable name>`.
 *
 * Argument conventions: `f` is the frame argument (the invocation's frame, or the module token where
 * no frame exists); `S` a site id into the module's site table (sites.ts); `owner` the module token,
 * a frame or a `blk` handle that owns a shared binding. Access hooks have a keyed form
 * `(f, obj, key, …, S)` and a short form `(f, obj, …, S)` whose static key is in the site.
 */
export const Hook = {
  /** `mod(token)`: module prologue; runs the module token (sets the hook aliases). */
  moduleStart: 'mod',
  /** `enter(parentFrame, S, ...params)` → frame: `en` and, if recorded, `call` in one (hand-written code). */
  enter: 'enter',
  /** `en(parentFrame, S)` → frame: function entry (AsyncSpawn for async; FunctionCall comes from `call`). */
  enterFrame: 'en',
  /** `call(f, ...params)` → true: the FunctionCall event of a recorded invocation (after `f.r &&`). */
  functionCall: 'call',
  /** `exit(f)`: in the body's `finally`. */
  exit: 'exit',
  /** `thrown(f, e)` → e: in the body's `catch`, before the rethrow. */
  thrown: 'thrown',
  /** `resume(f, await suspend(f, value, S))`: an await. */
  suspend: 'suspend',
  resume: 'resume',
  /** `at(f)`: top of a catch/finally block or of a for-await body, where a task resumes without `resume`. */
  resumeAt: 'at',
  /** `yieldIn(f, yield yieldOut(f, value))`: a yield. */
  yieldOut: 'yieldOut',
  yieldIn: 'yieldIn',
  /** `for await (x of forAwait(f, iterable, S))`. */
  forAwait: 'forAwait',
  /** `rp(f, obj, [key,] S)` → value: a property read whose value is used. */
  readProperty: 'rp',
  /** `rb(f, obj, [key,] S)` → value: a property read used only as the base of another access or call. */
  readBase: 'rb',
  /** `wp(f, obj, [key,] value, S)` → value: `obj[key] = value` (strict code; `wpSloppy` in sloppy code). */
  writeProperty: 'wp',
  /** `dp(f, obj, [key,] S)` → boolean: `delete obj[key]` (`dpSloppy`). */
  deleteProperty: 'dp',
  /** `tp(f, obj, [key,] S).v`: a member as a destructuring or for-in/of target (`tpSloppy`). */
  targetProperty: 'tp',
  /** `read(f, obj, name, value, S)` → value: a read the program performs itself (`#p`, `super.x`). */
  read: 'read',
  /** `write(f, obj, name, old, value, S)` → value: a write the program performs itself (`o.#p = v`). */
  write: 'write',
  /** `isObj(v)`: whether a private brand check may run on `v` (records nothing). */
  isObject: 'isObj',
  /** `fi(token, this, name, value, S)` → value: a class field initialiser. */
  fieldInit: 'fi',
  /** `rv(f, owner, value, S)` → value: a read of a shared binding. */
  readVar: 'rv',
  /** `x = wv(f, owner, old, value, S)`: a write of a shared binding. */
  writeVar: 'wv',
  /** `const b = blk(f)`: a loop body's per-iteration owner of its captured bindings. */
  block: 'blk',
  /** `cc(f, receiver, cn(f, receiver, S), receiver.m(args), S, [key])`: an Array/Map/Set method call (§4.5). */
  containerCall: 'cc',
  /** `cn(f, receiver, S)`: the container's state before the call (argument of `cc`). */
  containerBefore: 'cn',
} as const;

/**
 * The arguments of each hook in order, as the front ends pass them (access hooks: their keyed form;
 * the short form leaves out `key`, whose value is then in the site). `f` frame argument, `S` site id,
 * `...params` the values of the function's parameters, `key?` present for keyed container methods.
 */
export const HOOK_ARGUMENTS: { readonly [K in HookKey]: readonly string[] } = {
  moduleStart: ['token'],
  enter: ['parentFrame', 'S', '...params'],
  enterFrame: ['parentFrame', 'S'],
  functionCall: ['f', '...params'],
  exit: ['f'],
  thrown: ['f', 'error'],
  suspend: ['f', 'value', 'S'],
  resume: ['f', 'value'],
  resumeAt: ['f'],
  yieldOut: ['f', 'value'],
  yieldIn: ['f', 'sent'],
  forAwait: ['f', 'iterable', 'S'],
  readProperty: ['f', 'obj', 'key', 'S'],
  readBase: ['f', 'obj', 'key', 'S'],
  writeProperty: ['f', 'obj', 'key', 'value', 'S'],
  deleteProperty: ['f', 'obj', 'key', 'S'],
  targetProperty: ['f', 'obj', 'key', 'S'],
  read: ['f', 'obj', 'name', 'value', 'S'],
  write: ['f', 'obj', 'name', 'old', 'value', 'S'],
  isObject: ['value'],
  fieldInit: ['token', 'obj', 'name', 'value', 'S'],
  readVar: ['f', 'owner', 'value', 'S'],
  writeVar: ['f', 'owner', 'old', 'value', 'S'],
  block: ['f'],
  containerCall: ['f', 'receiver', 'before', 'result', 'S', 'key?'],
  containerBefore: ['f', 'receiver', 'S'],
};

/** A readable hook name (`readProperty`). */
export type HookKey = keyof typeof Hook;
/** A hook as the runtime exports it (`rp`). */
export type HookName = (typeof Hook)[HookKey];

/** Hooks with a sloppy-mode variant (`wpSloppy`): the assignment or delete must not throw where sloppy code does not. */
export type SloppyHook = typeof Hook.writeProperty | typeof Hook.deleteProperty | typeof Hook.targetProperty;
export type SloppyHookName = `${SloppyHook}Sloppy`;

/** The variant of `hook` for code that is strict or not (`wp` / `wpSloppy`); keyed and short forms share it. */
export function strictnessVariant(hook: SloppyHook, strict: boolean): SloppyHook | SloppyHookName {
  return strict ? hook : `${hook}Sloppy`;
}

/** Every name the runtime exports as a hook, sloppy variants included. */
export const HOOK_NAMES: readonly (HookName | SloppyHookName)[] = [
  ...Object.values(Hook),
  ...([Hook.writeProperty, Hook.deleteProperty, Hook.targetProperty] as const).map((h) => strictnessVariant(h, false)),
];

/** Prefix of the module's local hook aliases (`__rw_rp`) and other generated names. */
export const GENERATED_PREFIX = '__rw_';

/** Any hook the runtime exports, sloppy variants included. */
export type AnyHookName = HookName | SloppyHookName;

/** The property of `en`'s result telling whether the invocation's hooks can record (fixtures/SPEC.md §3.1). */
export const RECORDING_FLAG = 'r';

/**
 * What a guarded hook call does where the invocation records nothing (fixtures/SPEC.md §3.1): compiled
 * code emits `r ? hook(f, …) : plain` with `r` the invocation's `f.r && call(f, …)`, and `plain` the operation the
 * hook performs, written inline on the same (once-evaluated) operands:
 * - `get` `obj[key]`, `set` `obj[key] = value`, `delete` `delete obj[key]` (access hooks: the short
 *   form's key is the site's static key);
 * - `value` the argument at index `arg` (the hook returns it);
 * - `none` `void 0` (the hook's result is not used).
 * Hooks absent here are always called.
 */
export type PlainForm = { kind: 'get' | 'set' | 'delete' } | { kind: 'value'; arg: number } | { kind: 'none' };

export const PLAIN_FORMS: { readonly [H in AnyHookName]?: PlainForm } = {
  rp: { kind: 'get' },
  rb: { kind: 'get' },
  wp: { kind: 'set' },
  wpSloppy: { kind: 'set' },
  dp: { kind: 'delete' },
  dpSloppy: { kind: 'delete' },
  rv: { kind: 'value', arg: 2 },
  wv: { kind: 'value', arg: 3 },
  read: { kind: 'value', arg: 3 },
  write: { kind: 'value', arg: 4 },
  cc: { kind: 'value', arg: 3 },
  cn: { kind: 'none' },
  exit: { kind: 'none' },
  thrown: { kind: 'value', arg: 1 },
  suspend: { kind: 'value', arg: 1 },
  resume: { kind: 'value', arg: 1 },
  at: { kind: 'none' },
  yieldOut: { kind: 'value', arg: 1 },
  yieldIn: { kind: 'value', arg: 1 },
  forAwait: { kind: 'value', arg: 1 },
};

/**
 * The operands of an access hook's plain form: `obj`, the key (null for the short form, whose key is
 * in the site) and the value of a `set`. `args` is the hook's argument list, frame first, site last.
 */
export function accessOperands<E>(form: PlainForm, args: readonly E[]): { obj: E; key: E | null; value: E | null } {
  const keyed = args.length === (form.kind === 'set' ? 5 : 4);
  const obj = args[1]!;
  const key = keyed ? args[2]! : null;
  const value = form.kind === 'set' ? args[args.length - 2]! : null;
  return { obj, key, value };
}
