// Fetches the extract config object, pinned to a version when the trigger names one, so that a run always
// uses the exact file that started it even if it is overwritten meanwhile.
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { ConfigNotFoundError, ConfigValidationError } from '../errors';
import { validateExtractConfig, type ExtractConfig } from './extract-config';
import { parseJsonConfig } from './parse-json-config';

export interface ConfigLocation {
  bucket: string;
  key: string;
  version?: string;
}

export interface LoadedConfig extends ExtractConfig {
  /** The version read, when the bucket is versioned. */
  version?: string;
}

// A config file is hand-written YAML; anything this big is a mistake or an attack on the parser.
const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

export async function readExtractConfig(s3: S3Client, location: ConfigLocation): Promise<LoadedConfig> {
  let text: string;
  let version: string | undefined;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.version }),
    );
    if ((response.ContentLength ?? 0) > MAX_CONFIG_BYTES) {
      throw new ConfigValidationError(
        `${location.key}: is ${response.ContentLength} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`,
      );
    }
    text = (await response.Body?.transformToString('utf-8')) ?? '';
    version = response.VersionId;
  } catch (error) {
    const name = (error as Error).name;
    if (
      error instanceof NoSuchKey ||
      name === 'NoSuchKey' ||
      name === 'NotFound' ||
      name === 'NoSuchVersion'
    ) {
      const where = `s3://${location.bucket}/${location.key}${location.version ? ` (version ${location.version})` : ''}`;
      throw new ConfigNotFoundError(`config_key: no extract config at ${where}`);
    }
    throw error;
  }
  // parseConfigDocument, with the YAML parser imported only for a config that is not plain JSON.
  const json = parseJsonConfig(text);
  const document =
    json !== undefined ? json : (await import('./parse-config-document')).parseYamlConfig(text, location.key);
  return { ...validateExtractConfig(document, location.key), version };
}
