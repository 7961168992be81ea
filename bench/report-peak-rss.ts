// Preloaded into a measured child process (`node --import tsx --import ./bench/report-peak-rss.ts …`): at exit it
// writes the process's peak resident set size to the file named by BENCH_PEAK_RSS_FILE, so the bench reads the
// peak of that process alone. On Linux that is VmHWM from /proc/self/status: getrusage's maxRSS also counts the
// pages of the parent the child was forked from (it keeps the larger of the two across exec), which would credit
// the bench's own emulators to the child.
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // No procfs: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(peakRssBytes())));
