// Fixed version of bug.ts (get-port issue #23, fixed in-process by pull request #36): a port handed out is remembered as locked, checked and added in the same step after
// the probe, so a concurrent caller is given another port.
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

const lockedPorts = new Set<number>();

async function getPort(candidates: number[]): Promise<number> {
  for (const port of candidates) {
    if (!(await probe(port)) || lockedPorts.has(port)) continue;
    lockedPorts.add(port);
    return port;
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
