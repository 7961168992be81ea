// command-guard KILL_GRACE_MS PROGRAM [ARG…]: starts one task's command and makes it die with its runner.
// The runner spawns this guard detached, so the guard leads a process group that the command and everything it
// starts share, and keeps the write end of the guard's stdin. Linux closes that pipe however the runner ends,
// SIGKILL included (Node offers no PR_SET_PDEATHSIG), so end-of-file on stdin means "the runner is gone": the guard
// sends SIGTERM to its whole group, then SIGKILL after the grace period. Plain JavaScript, no TypeScript loader:
// it starts once per task and must start fast. The guard itself ignores SIGTERM/SIGINT/SIGHUP (the runner's stop
// signals the whole group, command included) and exits as its command exited: same code, or the same signal.
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const { setTimeout } = require('node:timers');

const [graceArgument, program, ...args] = process.argv.slice(2);
const killGraceMs = Number(graceArgument);
if (!program || !Number.isFinite(killGraceMs)) {
  process.stderr.write('Usage: command-guard KILL_GRACE_MS PROGRAM [ARG…]\n');
  process.exit(2);
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const ignore = () => undefined;
for (const signal of STOP_SIGNALS) process.on(signal, ignore);

const signalGroup = (signal) => {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // The group is already gone.
  }
};

let runnerGone = false;
const onRunnerGone = () => {
  if (runnerGone) return;
  runnerGone = true;
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), killGraceMs).unref();
};
process.stdin.on('end', onRunnerGone);
process.stdin.on('error', onRunnerGone);
process.stdin.resume();

const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.once('error', (error) => {
  process.stderr.write(`${program}: ${error.message}\n`);
  process.exit(error.code === 'ENOENT' ? 127 : 126);
});
child.once('exit', (code, signal) => {
  if (signal) {
    for (const stop of STOP_SIGNALS) process.removeListener(stop, ignore);
    process.kill(process.pid, signal);
    // A signal whose default action does not end a process (none a command dies of): report it as the shell does.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000).unref();
    return;
  }
  process.exit(code ?? 1);
});
