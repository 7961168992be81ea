// Created once per Lambda container and reused across invocations; domain code receives it as an argument.
import { S3Client } from '@aws-sdk/client-s3';

// A local S3 endpoint (AWS_ENDPOINT_URL_S3, as set by the local runtime) serves buckets by path, not by host name.
export const s3Client = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
