// Settings and stores are built on first use rather than at import, so that a missing environment variable
// fails the invocation with a clear StageSettingsError (recorded by the state machine) instead of the
// container's init phase, and so the local runtime can set its environment before the first call.
export function lazy<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}
