// An editor linter shows the messages of an old version of the text: two lint runs are in flight,
// the run for the old text finishes last and its `.then` callback overwrites the newer result.
// Reduced from linter-stylint pull request #63: the results of a lint are applied
// even when the editor's text changed after the lint started.
// Repository: https://github.com/AtomLinter/linter-stylint
// Issue: https://github.com/AtomLinter/linter-stylint/pull/63
// Fix: https://github.com/AtomLinter/linter-stylint/commit/c9a412f2e6e0e224cbc55c2c07d2fad7c436defd

const editor = {
  text: '.button\n  color red\n  margin 0px\n',
  messages: [] as string[],
};

/** The linter process: slower on bigger input; one message per line it complains about. */
function runStylint(source: string): Promise<string[]> {
  const lines = source.split('\n');
  const messages = lines.flatMap((line, i) => (/ 0px$/.test(line) ? [`line ${i + 1}: unit on zero`] : []));
  return new Promise((resolve) => setTimeout(() => resolve(messages), lines.length > 3 ? 200 : 10));
}

function lint(): Promise<string[] | null> {
  const fileText = editor.text;
  return runStylint(fileText).then((messages) => messages);
}

function show(messages: string[] | null): void {
  if (messages !== null) editor.messages = messages;
}

// The file is opened and linted; 20 ms later the user fixes the margin line and it is linted again.
setImmediate(() => {
  const first = lint().then(show);
  setTimeout(() => {
    editor.text = '.button\n  color red\n';
    const second = lint().then(show);
    Promise.all([first, second]).then(report);
  }, 20);
});

function report(): void {
  const expected = runStylintSync(editor.text);
  console.log(`text now: ${JSON.stringify(editor.text)}`);
  console.log(`messages shown: ${JSON.stringify(editor.messages)}`);
  if (JSON.stringify(editor.messages) !== JSON.stringify(expected)) {
    console.log('BUG: the messages shown belong to an older version of the text');
    process.exitCode = 1;
  } else {
    console.log('OK: the messages shown match the text');
  }
}

function runStylintSync(source: string): string[] {
  return source.split('\n').flatMap((line, i) => (/ 0px$/.test(line) ? [`line ${i + 1}: unit on zero`] : []));
}
