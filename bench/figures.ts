// A bench figure: a value with its unit and the command that measured it, so that every number quoted in the
// docs can be reproduced on its own. `npm run bench -- --json` prints every figure keyed by its name.

export interface Figure {
  /** null: a slot for a figure not measured yet (see `note`). */
  value: number | string | null;
  unit: string;
  command: string;
  note?: string;
}

export type Figures = Record<string, Figure>;

/** What one bench part measured: figures for --json, and the human-readable report. */
export interface BenchSection {
  title: string;
  command: string;
  /** Report lines for the terminal (tables, assumptions). */
  lines: string[];
  figures: Figures;
}

export interface BenchOptions {
  /** A smaller subset, for a run in under a minute. */
  quick: boolean;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Prints a section as `npm run bench` does (for a bench file run on its own). */
export function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}\n$ ${section.command}`);
  for (const line of section.lines) console.log(line);
}
