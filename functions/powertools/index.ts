// One logger for every handler, so log keys (service, run, table) stay consistent across functions.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'extract-pipeline' });
