/** A small glob matcher (`**`, `*`, `?`, `{a,b}`, `[...]`) so the transformer needs no runtime dependency. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inGroup = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` matches everything
        if (glob[i + 2] === '/') { re += '(?:.*/)?'; i += 3; continue; }
        re += '.*'; i += 2; continue;
      }
      re += '[^/]*'; i++; continue;
    }
    if (c === '?') { re += '[^/]'; i++; continue; }
    if (c === '{') { re += '(?:'; inGroup++; i++; continue; }
    if (c === '}' && inGroup) { re += ')'; inGroup--; i++; continue; }
    if (c === ',' && inGroup) { re += '|'; i++; continue; }
    if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i) { re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'; i = end + 1; continue; }
    }
    re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
    i++;
  }
  return new RegExp('^' + re + '$');
}

export function createMatcher(globs: readonly string[]): (path: string) => boolean {
  const res = globs.map(globToRegExp);
  return (path) => res.some((r) => r.test(path));
}
