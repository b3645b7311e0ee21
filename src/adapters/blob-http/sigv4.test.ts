import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, signV4 } from './sigv4.ts';

// AWS's published example ("Example: GET Object", S3 API reference, Signature Version 4 /
// Authenticating requests using the Authorization header): its documented example credentials.
const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('signV4', () => {
  it('reproduces the documented GET-object example signature', () => {
    const headers = signV4(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { Range: 'bytes=0-9' },
        payloadSha256: EMPTY_SHA256,
      },
      AWS_EXAMPLE,
      'us-east-1',
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
    expect(headers['x-amz-content-sha256']).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('changes the signature when the key, range or secret changes', () => {
    const sign = (path: string, range: string, secret: string): string | undefined =>
      signV4(
        {
          method: 'GET',
          url: new URL(`https://examplebucket.s3.amazonaws.com${path}`),
          headers: { range },
          payloadSha256: EMPTY_SHA256,
        },
        { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret },
        'us-east-1',
        new Date('2013-05-24T00:00:00Z'),
      )['authorization'];
    const base = sign('/test.txt', 'bytes=0-9', 'a');
    expect(sign('/test2.txt', 'bytes=0-9', 'a')).not.toBe(base);
    expect(sign('/test.txt', 'bytes=0-10', 'a')).not.toBe(base);
    expect(sign('/test.txt', 'bytes=0-9', 'b')).not.toBe(base);
  });
});
