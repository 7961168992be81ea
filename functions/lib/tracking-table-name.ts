// The status and completion handlers need only the table name, not the whole stage settings.
import { StageSettingsError } from './errors';

export function readTrackingTableName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.TRACKING_TABLE;
  if (!name) throw new StageSettingsError('TRACKING_TABLE: not set in the Lambda environment');
  return name;
}
