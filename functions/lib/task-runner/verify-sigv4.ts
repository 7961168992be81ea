// Data Pipeline clients sign with SigV4 under the service name `datapipeline`, which neither function URL nor
// API Gateway IAM auth accepts, so the endpoint recomputes the signature itself, as S3-compatible servers do.
// The recomputation is @smithy/signature-v4 (the SDKs' own signer) over exactly the headers the client signed.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessDeniedException } from './protocol-errors';

export const SIGNING_SERVICE = 'datapipeline';
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/**
 * Headers a request must have signed: without host and x-amz-date a signature could be replayed to another
 * endpoint or later; without x-amz-target and content-type, to another operation. The SDKs sign all four: botocore
 * signs every header but expect, transfer-encoding, user-agent and x-amzn-trace-id (SIGNED_HEADERS_BLACKLIST), the
 * smithy signer every header but its hop-by-hop and proxy list (ALWAYS_UNSIGNABLE_HEADERS).
 */
export const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', 'x-amz-target', 'content-type'] as const;
/** The one answer to every authentication failure, so callers learn nothing about which check failed. */
export const NOT_AUTHENTICATED = 'The request signature is not valid.';

/** The request as received: lower-case header names, raw body bytes. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Buffer;
}

export interface VerifiedCaller {
  accessKeyId: string;
}

/** Returns the secret of an active key, or undefined for unknown or revoked keys. */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

export interface VerifyOptions {
  now: Date;
  /** The endpoint's region: the credential scope must name it. */
  region: string;
}

/**
 * Every authentication failure answers the same AccessDeniedException; `reason` is for the endpoint's own log,
 * never for the caller.
 */
export class AuthenticationFailed extends AccessDeniedException {
  constructor(readonly reason: string) {
    super(NOT_AUTHENTICATED);
  }
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// Unknown keys are checked against this secret, so they cost the same work as known ones.
const UNKNOWN_KEY_SECRET = 'unknown-key-secret-used-only-to-spend-the-same-time';

export interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  const match = header ? AUTHORIZATION_PATTERN.exec(header.trim()) : null;
  if (!match) throw new AuthenticationFailed('Missing or malformed SigV4 Authorization header.');
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId!,
    scopeDate: scopeDate!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

export function parseAmzDate(value: string | undefined): Date {
  const match = value ? AMZ_DATE_PATTERN.exec(value) : null;
  if (!match) throw new AuthenticationFailed('Missing or malformed X-Amz-Date header.');
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function checkScopeAndHeaders(request: ReceivedRequest, auth: ParsedAuthorization, options: VerifyOptions) {
  const amzDate = request.headers['x-amz-date'];
  const signingDate = parseAmzDate(amzDate);
  if (auth.service !== SIGNING_SERVICE) {
    throw new AuthenticationFailed(`Credential scope must name the service '${SIGNING_SERVICE}'.`);
  }
  if (auth.region !== options.region) {
    throw new AuthenticationFailed(`Credential scope must name the endpoint's region '${options.region}'.`);
  }
  if (auth.scopeDate !== amzDate!.slice(0, 8)) {
    throw new AuthenticationFailed('Credential scope date does not match X-Amz-Date.');
  }
  if (Math.abs(options.now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new AuthenticationFailed('X-Amz-Date is more than 15 minutes from the server time.');
  }
  for (const required of REQUIRED_SIGNED_HEADERS) {
    if (!auth.signedHeaders.includes(required)) {
      throw new AuthenticationFailed(`The header '${required}' must be signed.`);
    }
  }
  // The signer trusts a signed x-amz-content-sha256 as the payload hash, so a replayed signature could carry a
  // different body unless the header is checked against the bytes that actually arrived.
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (
    declaredHash !== undefined &&
    declaredHash !== createHash('sha256').update(request.body).digest('hex')
  ) {
    throw new AuthenticationFailed('x-amz-content-sha256 does not match the request body.');
  }
  const signedHeaders: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) throw new AuthenticationFailed(`Signed header '${name}' is missing.`);
    signedHeaders[name] = value;
  }
  return { signingDate, signedHeaders };
}

export async function verifySigV4(
  request: ReceivedRequest,
  lookupSecret: SecretLookup,
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const auth = parseAuthorization(request.headers.authorization);
  const { signingDate, signedHeaders } = checkScopeAndHeaders(request, auth, options);
  const secretAccessKey = await lookupSecret(auth.accessKeyId);
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secretAccessKey ?? UNKNOWN_KEY_SECRET },
    region: auth.region,
    service: SIGNING_SERVICE,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'https:',
      hostname: signedHeaders.host ?? '',
      path: request.path,
      query: request.query,
      headers: signedHeaders,
      body: request.body,
    }),
    {
      signingDate,
      signingRegion: auth.region,
      signingService: SIGNING_SERVICE,
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(auth.signature, 'hex');
  const matches = a.length === b.length && timingSafeEqual(a, b);
  if (secretAccessKey === undefined) throw new AuthenticationFailed('Unknown or revoked access key.');
  if (!matches) throw new AuthenticationFailed('The signature does not match.');
  return { accessKeyId: auth.accessKeyId };
}
