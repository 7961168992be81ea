import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessDeniedException } from '../../../functions/lib/task-runner/protocol-errors';
import { verifySigV4 } from '../../../functions/lib/task-runner/verify-sigv4';
import type { ReceivedRequest } from '../../../functions/lib/task-runner/verify-sigv4';

const KEY = { accessKeyId: 'AKXRTESTTESTTEST0001', secretAccessKey: 'secret-secret-secret' };
const SIGNED_AT = new Date('2026-11-25T12:00:00Z');
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined);

async function aSignedRequest(
  body = '{"workerGroup":"g"}',
  service = 'datapipeline',
): Promise<ReceivedRequest> {
  const signer = new SignatureV4({ credentials: KEY, region: 'eu-west-1', service, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: 'abc.lambda-url.eu-west-1.on.aws',
      path: '/',
      headers: {
        host: 'abc.lambda-url.eu-west-1.on.aws',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'DataPipeline.PollForTask',
      },
      body,
    }),
    { signingDate: SIGNED_AT },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', path: '/', query: {}, headers, body: Buffer.from(body) };
}

describe('SigV4 verification', () => {
  it('accepts a request signed by the SDK signer for datapipeline with a known key', async () => {
    await expect(verifySigV4(await aSignedRequest(), lookup, SIGNED_AT)).resolves.toEqual({
      accessKeyId: KEY.accessKeyId,
    });
  });

  it('rejects a body changed after signing', async () => {
    const request = await aSignedRequest();
    request.body = Buffer.from('{"workerGroup":"other"}');
    await expect(verifySigV4(request, lookup, SIGNED_AT)).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('rejects a signed header changed after signing', async () => {
    const request = await aSignedRequest();
    request.headers['x-amz-target'] = 'DataPipeline.SetTaskStatus';
    await expect(verifySigV4(request, lookup, SIGNED_AT)).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('rejects a signature for another service', async () => {
    const request = await aSignedRequest(undefined, 'lambda');
    await expect(verifySigV4(request, lookup, SIGNED_AT)).rejects.toThrow(/datapipeline/);
  });

  it('rejects a declared payload hash that does not match the body', async () => {
    const request = await aSignedRequest();
    request.headers['x-amz-content-sha256'] = '0'.repeat(64);
    await expect(verifySigV4(request, lookup, SIGNED_AT)).rejects.toThrow(/x-amz-content-sha256/);
  });

  it('rejects requests signed more than 15 minutes before or after the server time', async () => {
    const request = await aSignedRequest();
    const later = new Date(SIGNED_AT.getTime() + 16 * 60_000);
    const earlier = new Date(SIGNED_AT.getTime() - 16 * 60_000);
    await expect(verifySigV4(request, lookup, later)).rejects.toThrow(/15 minutes/);
    await expect(verifySigV4(request, lookup, earlier)).rejects.toThrow(/15 minutes/);
    await expect(
      verifySigV4(request, lookup, new Date(SIGNED_AT.getTime() + 14 * 60_000)),
    ).resolves.toBeDefined();
  });

  it('answers an unknown key like a bad signature', async () => {
    const request = await aSignedRequest();
    await expect(verifySigV4(request, async () => undefined, SIGNED_AT)).rejects.toThrow(
      'The request signature is not valid.',
    );
  });

  it('rejects a missing or malformed Authorization header', async () => {
    const request = await aSignedRequest();
    delete request.headers.authorization;
    await expect(verifySigV4(request, lookup, SIGNED_AT)).rejects.toThrow(/Authorization/);
  });
});
