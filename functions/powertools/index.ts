// The Powertools objects every handler imports, created once here (the logger now; metrics and a tracer belong here
// too), so log keys stay the same across functions: service, and per invocation runId and table (appendKeys).
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'extract-pipeline' });
