// Preloaded into a measured child process (`node --import tsx --import ./bench/report-peak-rss.ts …`): at exit it
// writes the process's peak resident set size to the file named by BENCH_PEAK_RSS_FILE, so the bench reads the
// peak of that process alone (the bench's own memory and the emulators it may run are not in it).
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes (getrusage's ru_maxrss).
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
