// The S3 client for a function that rarely needs one (the status handler reads a watermark report, Complete and
// Cancel Extract Run a run's table list, each only sometimes): built by the first call, once per Lambda container.
// The client is a chunk of its own in the bundle (serverless.yml, splitting), so it loads then, not at every cold
// start: about 9 ms of CPU.
import { lazy } from '../lib/lazy';

export const s3ClientOnFirstUse = lazy(() => import('./s3').then((module) => module.s3Client));
