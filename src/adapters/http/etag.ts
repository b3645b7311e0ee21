/**
 * Weak ETags on successful GET answers (a hash of the body) and `304 Not Modified` when the
 * client's `If-None-Match` holds it, so polling clients re-download nothing unchanged.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export function weakEtagOf(body: string | Buffer): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** True when an `If-None-Match` header value names `etag` (weak comparison) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

export function installEtags(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200) return payload;
    // A route that sets its own validator (tiles) answers its own conditional requests.
    if (reply.hasHeader('etag')) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const etag = weakEtagOf(payload);
    void reply.header('etag', etag);
    if (!etagMatches(request.headers['if-none-match'], etag)) return payload;
    void reply.code(304).removeHeader('content-type').removeHeader('content-length');
    return '';
  });
}
