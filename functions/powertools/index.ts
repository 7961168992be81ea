// The Powertools objects every handler imports, created once here, so log keys and metrics stay the same across
// functions: service, and per invocation runId and table (appendKeys). Metrics are embedded-metric-format lines in
// the function's log, in namespace POWERTOOLS_METRICS_NAMESPACE with dimensions service and stage; the
// dashboard and alarms in resources/ read them under those names.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'extract-pipeline';

export const logger = new Logger({ serviceName });

// Marked pure, with plain values for arguments, so that a bundle whose handler never counts anything (the enqueue
// function, the upload trigger, the task-runner endpoint) leaves Metrics out: esbuild keeps a constructor call it
// cannot prove free of side effects, and one whose arguments read properties (process.env) even when marked.
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? serviceName;
const stage = process.env.STAGE ?? 'unknown';

export const metrics = /* @__PURE__ */ new Metrics({
  namespace,
  serviceName,
  defaultDimensions: { stage },
  // An invocation with nothing to count warns through our logger, at its level, not on the console.
  logger,
});
