// Two services of one process ask for a free port at the same time, both are told port 3000 is
// free, and the second one to listen fails with EADDRINUSE. Reduced from get-port issue #23: the
// port is checked free, the answer travels back across an await, and only then
// does the caller bind it; nothing stops another caller from being given the same port meanwhile.
// Repository: https://github.com/sindresorhus/get-port
// Issue: https://github.com/sindresorhus/get-port/issues/23
// Fix: https://github.com/sindresorhus/get-port/commit/73e21d8c2f9ad2d4eb6bff0503292f44014b8bfd

/** The operating system's table of bound ports (a stand-in: binding and probing take a while). */
const portTable = new Map<number, string>();

function probe(port: number): Promise<boolean> {
  // get-port listens on the port and closes the server again: free if that worked
  return new Promise((resolve) => setTimeout(() => resolve(!portTable.has(port)), 5));
}

function listen(port: number, owner: string): Promise<void> {
  return new Promise((resolve, reject) => setTimeout(() => {
    if (portTable.has(port)) {
      reject(Object.assign(new Error(`listen EADDRINUSE: address already in use :::${port}`), { code: 'EADDRINUSE' }));
      return;
    }
    portTable.set(port, owner);
    resolve();
  }, 10));
}

async function getPort(candidates: number[]): Promise<number> {
  for (const port of candidates) {
    if (await probe(port)) return port;
  }
  throw new Error('no free port');
}

async function startService(name: string): Promise<string> {
  const port = await getPort([3000, 3001, 3002]);
  await listen(port, name);
  return `${name} listening on ${port}`;
}

Promise.allSettled([startService('api'), startService('metrics')]).then((results) => {
  let failed = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') console.log(r.value);
    else {
      failed++;
      console.log(`failed: ${(r.reason as Error).message}`);
    }
  }
  if (failed) {
    console.log('BUG: two services were given the same port');
    process.exitCode = 1;
  } else {
    console.log('OK: each service got a port of its own');
  }
});
