/**
 * Errors as `application/problem+json` (RFC 9457): one table from error class to HTTP status,
 * and the message (which names the bad value) as `detail`.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  ForbiddenError,
  LoginThrottledError,
  UnauthenticatedError,
} from '../../core/auth/auth-errors.ts';
import { SitewatchError, type ErrorCode } from '../../core/errors.ts';

/** HTTP status per error code; the README's exit-code table has the CLI's counterpart. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  INVALID_GEOMETRY: 400,
  UNSUPPORTED: 422,
  CORRUPT_FILE: 422,
  TOO_LARGE: 413,
  UNKNOWN_CRS: 422,
  MISSING_METADATA: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IO: 503,
  CANCELLED: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface InvalidParam {
  readonly name: string;
  readonly reason: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly invalidParams?: readonly InvalidParam[];
}

/** A request that does not match its schema; names every bad field (`query.limit`, …). */
export class RequestValidationError extends Error {
  readonly invalidParams: readonly InvalidParam[];
  readonly status: number;
  constructor(invalidParams: readonly InvalidParam[], status = 400) {
    super(invalidParams.map((p) => `${p.name}: ${p.reason}`).join('; '));
    this.name = 'RequestValidationError';
    this.invalidParams = invalidParams;
    this.status = status;
  }

  static fromZod(part: string, error: z.ZodError, status = 400): RequestValidationError {
    return new RequestValidationError(
      error.issues.map((issue) => ({
        name: [part, ...issue.path.map(String)].join('.'),
        reason: issue.message,
      })),
      status,
    );
  }
}

/**
 * One part of a request (`path`, `query`, `body`) parsed with its schema; an absent path or
 * query is `{}`, an absent body stays undefined.
 * @throws RequestValidationError naming each bad field (`query.limit`, …) with `status`.
 */
export function parseRequestPart<T extends z.ZodType>(
  part: 'path' | 'query' | 'body',
  schema: T,
  value: unknown,
  status = 400,
): z.output<T> {
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!result.success) throw RequestValidationError.fromZod(part, result.error, status);
  return result.data;
}

export function problemOf(
  status: number,
  detail: string,
  invalidParams?: readonly InvalidParam[],
): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(invalidParams === undefined ? {} : { invalidParams }),
  };
}

function statusOfFastifyError(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = Number(error.statusCode);
  return status >= 400 && status < 600 ? status : undefined;
}

/** The problem for any thrown value; unexpected errors become a 500 without internals. */
export function problemForError(error: unknown): Problem {
  if (error instanceof RequestValidationError) {
    return problemOf(error.status, error.message, error.invalidParams);
  }
  if (error instanceof SitewatchError) return problemOf(HTTP_STATUS[error.code], error.message);
  if (error instanceof UnauthenticatedError) return problemOf(401, error.message);
  if (error instanceof ForbiddenError) return problemOf(403, error.message);
  if (error instanceof LoginThrottledError) return problemOf(429, error.message);
  const status = statusOfFastifyError(error);
  if (status !== undefined && status < 500 && error instanceof Error) {
    return problemOf(status, error.message);
  }
  return problemOf(500, 'internal error; see the server log');
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}
