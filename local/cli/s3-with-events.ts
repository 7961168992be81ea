// S3 for serve mode: s3rver on a fixed folder, with its object-created notifications passed on. s3rver (an
// EventEmitter) emits an S3 event record for every Put, Post and Copy; serve mode turns each one into the
// EventBridge "Object Created" detail that the deployed upload trigger receives.
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { ObjectCreatedDetail } from '../../functions/lib/start-run-for-upload';
import type { Emulator } from '../emulators';

interface S3EventRecord {
  eventName: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; sequencer?: string };
  };
}

/**
 * s3rver keeps no versions, so each upload gets a stand-in version id from its S3 sequencer (unique per write,
 * like a version id in the versioned deployed bucket): a new upload of the same key starts a new run, while a
 * repeated delivery of the same event does not.
 */
export function objectCreatedDetail(record: S3EventRecord): ObjectCreatedDetail {
  const { bucket, object } = record.s3;
  return {
    bucket: { name: bucket.name },
    object: {
      key: object.key,
      ...(object.sequencer ? { 'version-id': `local-${object.sequencer}` } : {}),
      ...(object.eTag ? { etag: object.eTag } : {}),
      ...(object.size !== undefined ? { size: object.size } : {}),
    },
  };
}

export async function startS3WithEvents(options: {
  directory: string;
  port?: number;
  onObjectCreated: (detail: ObjectCreatedDetail) => void;
}): Promise<Emulator> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
  });
  (server as unknown as NodeJS.EventEmitter).on('event', (event: { Records?: S3EventRecord[] }) => {
    for (const record of event.Records ?? []) {
      if (record.eventName.startsWith('ObjectCreated:')) options.onObjectCreated(objectCreatedDetail(record));
    }
  });
  const { port }: AddressInfo = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}
