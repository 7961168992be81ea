// Every zod validation in the project (extract config, run event, stage settings, runner requests, local mock file)
// reports its problems the same way: the field as the user wrote it, then what is wrong with it.
/** An issue's path as the SDKs and config authors write it: `fields[0].key`, under `prefix` when given. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, prefix);
}

/** What formatIssues reads of a ZodError (its issues may be re-worded first). */
export interface Issues {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/** One problem: the field as the user wrote it (empty for the document itself) and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Every issue on its own, for a caller that shows them one per line (`npm run validate`). */
export function listIssues(error: Issues, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path, prefix), message: issue.message }));
}

/** A problem as `field: message`; an issue on the top-level object itself (an unknown key) has no field. */
export function formatProblem({ field, message }: FieldProblem): string {
  return field ? `${field}: ${message}` : message;
}

/** Every issue as `field: message`, joined by `; `. */
export function formatIssues(error: Issues, prefix = ''): string {
  return listIssues(error, prefix).map(formatProblem).join('; ');
}
