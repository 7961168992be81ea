// Where a watermark table's command leaves its new high-water mark: a file named by EXTRACT_WATERMARK_FILE, in a
// directory of its own that only this runner's user can read, removed once the task is reported. A file rather
// than stdout, so that a command's output stays free for logs.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskSummary } from './task-environment';

/** The endpoint keeps up to the protocol's 10,240 characters; the pipeline uses at most 256 (a value, not a log). */
export const MAX_WATERMARK_FILE_BYTES = 1024;

export interface WatermarkFile {
  path: string;
  /** The first line the command wrote, trimmed, or why there is none to report. */
  read(): Promise<{ value: string } | { problem: string }>;
  remove(): Promise<void>;
}

/** A file for the command to write to, when the task is a watermark table's (it carries watermark_column). */
export async function createWatermarkFile(task: TaskSummary): Promise<WatermarkFile | undefined> {
  if (!task.fields.some(([key]) => key.replace(/^-+/, '') === 'watermark_column')) return undefined;
  const directory = await mkdtemp(join(tmpdir(), 'extract-watermark-'));
  const path = join(directory, 'watermark');
  return {
    path,
    async read() {
      let handle;
      try {
        handle = await open(path, 'r');
      } catch {
        return { problem: 'the command wrote no watermark file' };
      }
      try {
        const buffer = Buffer.alloc(MAX_WATERMARK_FILE_BYTES + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        if (bytesRead > MAX_WATERMARK_FILE_BYTES)
          return { problem: `the watermark file is larger than ${MAX_WATERMARK_FILE_BYTES} bytes` };
        const value = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0]!.trim();
        return value ? { value } : { problem: 'the watermark file is empty' };
      } finally {
        await handle.close();
      }
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
