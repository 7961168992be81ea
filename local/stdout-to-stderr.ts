// The handlers log with Powertools, which writes to process.stdout as Lambda expects. A local command's stdout is
// its own output (the summary, --json, serve's endpoints), so while the handlers run in this process anything
// else written to process.stdout goes to stderr, where --verbose promises the logs.

/** Sends process.stdout's writes to stderr until the returned function is called. */
export function sendStdoutToStderr(): () => void {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}
