// Fixed version of bug.ts (del issue #43): the matched paths are removed one after
// the other, so a path removed with its directory is simply found gone.
// Repository: https://github.com/sindresorhus/del
// Issue: https://github.com/sindresorhus/del/issues/43
// Fix: https://github.com/sindresorhus/del/commit/5ad2532ae1b9d214184ed214119e77f3768c3129
type Entry = 'dir' | 'file';

/** The file system (a stand-in: every operation completes in a later turn of the event loop). */
const disk = new Map<string, Entry>([
  ['project', 'dir'],
  ['project/build', 'dir'],
  ['project/build/app.js', 'file'],
  ['project/build/assets', 'dir'],
  ['project/build/assets/logo.png', 'file'],
  ['project/src', 'dir'],
  ['project/src/index.ts', 'file'],
]);

function later<T>(op: () => T): Promise<T> {
  return new Promise((resolve, reject) => setImmediate(() => {
    try {
      resolve(op());
    } catch (err) {
      reject(err);
    }
  }));
}

function enoent(syscall: string, path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`), { code: 'ENOENT' });
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

const fs = {
  lstat: (path: string) => later(() => {
    const entry = disk.get(path);
    if (!entry) throw enoent('lstat', path);
    return entry;
  }),
  readdir: (path: string) => later(() => {
    if (!disk.has(path)) throw enoent('scandir', path);
    return [...disk.keys()].filter((p) => parentOf(p) === path);
  }),
  unlink: (path: string) => later(() => {
    if (!disk.delete(path)) throw enoent('unlink', path);
  }),
  rmdir: (path: string) => later(() => {
    if (!disk.delete(path)) throw enoent('rmdir', path);
  }),
};

/** rm -rf: a path that is already gone is fine; a failure halfway through is an error. */
async function rimraf(path: string): Promise<void> {
  let entry: Entry;
  try {
    entry = await fs.lstat(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  if (entry === 'dir') {
    for (const child of await fs.readdir(path)) await rimraf(child);
    await fs.rmdir(path);
  } else {
    await fs.unlink(path);
  }
}

function glob(pattern: string): string[] {
  const root = pattern.replace(/\/\*\*$/, '');
  return [...disk.keys()].filter((p) => p === root || p.startsWith(root + '/')).sort();
}

async function del(pattern: string): Promise<string[]> {
  const files = glob(pattern);
  let done: Promise<void> = Promise.resolve();
  for (const file of files) done = done.then(() => rimraf(file));
  await done;
  return files;
}

del('project/build/**').then(
  (removed) => {
    console.log(`removed ${removed.length} paths; left: ${[...disk.keys()].join(', ')}`);
    console.log('OK: build/ deleted');
  },
  (err: Error) => {
    console.log(`left: ${[...disk.keys()].join(', ')}`);
    console.log(`BUG: del failed: ${err.message}`);
    process.exitCode = 1;
  },
);
