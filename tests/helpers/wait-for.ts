/**
 * Waits until `condition` returns a value (anything but undefined or false); fails the test with `what` if it never
 * does. A condition that throws counts as not yet (a server still starting); its last error is in the failure.
 * Not a timing assertion: the timeout only bounds a test that would otherwise hang.
 */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 8_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The bound on anything that runs a local stack or a command in a child process (`npm start`, serve becoming
 * ready, a run finishing). Generous on purpose: three jest workers and other work share the machine's cores, and a
 * bound that a loaded machine can reach makes a test fail for the wrong reason. Only a hang ever reaches it.
 */
export const LOCAL_STACK_BOUND_MS = 240_000;
/** A test's own timeout when it waits on such things: above every bound inside it, so those name the cause. */
export const LOCAL_STACK_TEST_TIMEOUT_MS = 2 * LOCAL_STACK_BOUND_MS;
