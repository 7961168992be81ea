// The environment a task's command starts with: an allow-list, never the runner's own. The runner holds a key that
// polls and completes every task of its worker groups; a command that inherited it could hand it to anyone (one
// `env > file` did). Commands get a few neutral variables, the ones the operator names, and the task's EXTRACT_*.

/** Passed to every command when the runner has them: enough to find programs, a home, a locale and a clock. */
export const BASE_ENVIRONMENT = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

/** The runner's credentials: an operator cannot allow these through, by name or by mistake. */
export const RUNNER_CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
] as const;

export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

export function isRunnerCredential(name: string): boolean {
  return (RUNNER_CREDENTIAL_VARIABLES as readonly string[]).includes(name.toUpperCase());
}

/**
 * The command's environment: the allowed names copied from the runner's environment, then the task's variables.
 * Task variables are all EXTRACT_*, so a task cannot set PATH, LD_PRELOAD or BASH_ENV; an operator-allowed
 * EXTRACT_* name is overridden by the task's value of the same name.
 */
export function commandEnvironment(
  allowed: readonly string[],
  taskVariables: Record<string, string>,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENVIRONMENT, ...allowed]) {
    const value = source[name];
    if (value !== undefined && !isRunnerCredential(name)) env[name] = value;
  }
  return { ...env, ...taskVariables };
}
