/** Loaded into the daemon under test with `node --import` (any build, old or new: it is a Node
 *  flag, not daemon code). On SIGUSR2 it prints the process's CPU time so far, from
 *  process.cpuUsage() (getrusage: microseconds, all threads), on a line of its own on stderr. The
 *  kernel's /proc/<pid>/stat counts 10 ms ticks, too coarse for runs of a second or two. */
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nvmm-bench-cpu-us ${user + system}\n`);
});
