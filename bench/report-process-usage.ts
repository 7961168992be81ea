// Preloaded into a measured child process (`node --import tsx --import ./bench/report-process-usage.ts …`): at
// exit it writes the process's peak resident set size and its CPU time (user + system) as JSON to the file named by
// BENCH_USAGE_FILE, so the bench reads the figures of that process alone. CPU time is said beside wall time because
// the machines this runs on are shared: a busy machine stretches the wall time, much less the CPU time. The peak
// on Linux is VmHWM from /proc/self/status: getrusage's maxRSS also counts the pages of the parent the child was
// forked from (it keeps the larger of the two across exec), which would credit the bench's own emulators to the
// child.
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcessUsage {
  peakRssBytes: number;
  cpuMs: number;
}

function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // No procfs: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const file = process.env.BENCH_USAGE_FILE;
if (file)
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const usage: ProcessUsage = { peakRssBytes: peakRssBytes(), cpuMs: (user + system) / 1000 };
    writeFileSync(file, JSON.stringify(usage));
  });
