// The Powertools objects every handler imports, created once here, so log keys and metrics stay the same across
// functions: service, and per invocation runId and table (appendKeys). Metrics are embedded-metric-format lines in
// the function's log, in namespace POWERTOOLS_METRICS_NAMESPACE with dimensions service and stage; the
// dashboard and alarms in resources/ read them under those names.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'extract-pipeline';

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? serviceName,
  serviceName,
  defaultDimensions: { stage: process.env.STAGE ?? 'unknown' },
  // An invocation with nothing to count warns through our logger, at its level, not on the console.
  logger,
});
