import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessDeniedException } from '../../../functions/lib/task-runner/protocol-errors';
import { NOT_AUTHENTICATED, verifySigV4 } from '../../../functions/lib/task-runner/verify-sigv4';
import type { ReceivedRequest } from '../../../functions/lib/task-runner/verify-sigv4';

const KEY = { accessKeyId: 'AKXRTESTTESTTEST0001', secretAccessKey: 'secret-secret-secret' };
const SIGNED_AT = new Date('2026-11-25T12:00:00Z');
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined);

const REGION = 'eu-west-1';
const at = (date: Date) => ({ now: date, region: REGION });

async function aSignedRequest(
  body = '{"workerGroup":"g"}',
  { service = 'datapipeline', region = REGION, unsigned = [] as string[] } = {},
): Promise<ReceivedRequest> {
  const signer = new SignatureV4({ credentials: KEY, region, service, sha256: Sha256 });
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
    { signingDate: SIGNED_AT, unsignableHeaders: new Set(unsigned) },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', path: '/', query: {}, headers, body: Buffer.from(body) };
}

describe('SigV4 verification', () => {
  it('accepts a request signed by the SDK signer for datapipeline in the endpoint region with a known key', async () => {
    await expect(verifySigV4(await aSignedRequest(), lookup, at(SIGNED_AT))).resolves.toEqual({
      accessKeyId: KEY.accessKeyId,
    });
  });

  it('rejects a body changed after signing', async () => {
    const request = await aSignedRequest();
    request.body = Buffer.from('{"workerGroup":"other"}');
    await expect(verifySigV4(request, lookup, at(SIGNED_AT))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('rejects a signed header changed after signing', async () => {
    const request = await aSignedRequest();
    request.headers['x-amz-target'] = 'DataPipeline.SetTaskStatus';
    await expect(verifySigV4(request, lookup, at(SIGNED_AT))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it.each([
    ['a signature for another service', { service: 'lambda' }, /service 'datapipeline'/],
    ['a signature for another region', { region: 'us-west-2' }, /region 'eu-west-1'/],
    ['x-amz-target left unsigned', { unsigned: ['x-amz-target'] }, /'x-amz-target' must be signed/],
    ['content-type left unsigned', { unsigned: ['content-type'] }, /'content-type' must be signed/],
  ])('rejects %s', async (_case, signing, reason) => {
    const request = await aSignedRequest(undefined, signing);
    const attempt = verifySigV4(request, lookup, at(SIGNED_AT));
    await expect(attempt).rejects.toMatchObject({
      message: NOT_AUTHENTICATED,
      reason: expect.stringMatching(reason),
    });
  });

  it('rejects a declared payload hash that does not match the body', async () => {
    const request = await aSignedRequest();
    request.headers['x-amz-content-sha256'] = '0'.repeat(64);
    await expect(verifySigV4(request, lookup, at(SIGNED_AT))).rejects.toMatchObject({
      reason: expect.stringMatching(/x-amz-content-sha256/),
    });
  });

  it('rejects requests signed more than 15 minutes before or after the server time', async () => {
    const request = await aSignedRequest();
    const later = new Date(SIGNED_AT.getTime() + 16 * 60_000);
    const earlier = new Date(SIGNED_AT.getTime() - 16 * 60_000);
    await expect(verifySigV4(request, lookup, at(later))).rejects.toMatchObject({ reason: /15 minutes/ });
    await expect(verifySigV4(request, lookup, at(earlier))).rejects.toMatchObject({ reason: /15 minutes/ });
    await expect(
      verifySigV4(request, lookup, at(new Date(SIGNED_AT.getTime() + 14 * 60_000))),
    ).resolves.toBeDefined();
  });

  it('gives every authentication failure the same answer, so an active key cannot be told from an unknown one', async () => {
    const unknownKey = verifySigV4(await aSignedRequest(), async () => undefined, at(SIGNED_AT));
    const wrongSecret = verifySigV4(await aSignedRequest(), async () => 'another-secret', at(SIGNED_AT));
    const otherRegion = verifySigV4(
      await aSignedRequest(undefined, { region: 'us-west-2' }),
      lookup,
      at(SIGNED_AT),
    );
    const skewed = verifySigV4(
      await aSignedRequest(),
      lookup,
      at(new Date(SIGNED_AT.getTime() + 16 * 60_000)),
    );
    const answers = await Promise.all(
      [unknownKey, wrongSecret, otherRegion, skewed].map((attempt) =>
        attempt.then(
          () => 'accepted',
          (error: Error) => `${error.name}: ${error.message}`,
        ),
      ),
    );
    expect(new Set(answers)).toEqual(new Set([`AccessDeniedException: ${NOT_AUTHENTICATED}`]));
  });

  it('rejects a missing or malformed Authorization header', async () => {
    const request = await aSignedRequest();
    delete request.headers.authorization;
    await expect(verifySigV4(request, lookup, at(SIGNED_AT))).rejects.toMatchObject({
      message: NOT_AUTHENTICATED,
      reason: expect.stringMatching(/Authorization/),
    });
  });
});
