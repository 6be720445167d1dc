/**
 * Preloaded into a measured process (`node --import ./bench/cpu-at-exit.mjs …`): at exit, the process's CPU
 * time since it started (Node's start-up and module loading included) as one JSON line on stderr.
 */
process.on('exit', () => {
  const c = process.cpuUsage();
  process.stderr.write(`\n${JSON.stringify({ processCpuMs: (c.user + c.system) / 1000 })}\n`);
});
