// Correct code, false-positive pattern "a poll that launched the work it waits for": a loop on an
// interval starts one job at a time and checks each job's `done` flag, which the job's own
// callback sets once its result is stored; the loop finishes when every job is done. The ticks
// read the flags before and after they flip, which is what polling is. Nothing here may be reported.
interface Job { name: string; started: boolean; done: boolean; result: string | null }

const jobs: Job[] = ['a', 'b', 'c'].map((name) => ({ name, started: false, done: false, result: null }));

function run(job: Job): void {
  job.started = true;
  setTimeout(() => {
    job.result = job.name.toUpperCase();
    job.done = true;
  }, 12);
}

const loop = setInterval(() => {
  if (jobs.every((j) => j.done)) {
    clearInterval(loop);
    console.log(`results: ${jobs.map((j) => j.result).join(',')}`);
    return;
  }
  const next = jobs.find((j) => !j.started);
  if (next && jobs.every((j) => !j.started || j.done)) run(next);
}, 5);
