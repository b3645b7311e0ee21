/**
 * A route of the REST API as data: method, path, who may call it, its zod schemas and its
 * handler. The server registers these with fastify and the OpenAPI document is generated from
 * the same list, so a route cannot exist without its documentation and its access rule.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { User } from '../../app/accounts/account-ports.ts';
import type { Role } from '../../core/auth/roles.ts';
import type { ApiServices } from './api-services.ts';

/**
 * `public`: anyone (health, the OpenAPI document, login); a role: at least that role. Routes
 * registered outside this list default to `viewer` for reads and `analyst` for writes.
 */
export type RouteAccess = 'public' | Role;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The caller; undefined only on public routes. */
  readonly user: User | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly services: ApiServices;
}

export interface ApiRoute {
  readonly method: HttpMethod;
  /** fastify syntax, e.g. `/api/sites/:id`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: RouteAccess;
  readonly params?: z.ZodObject | undefined;
  readonly query?: z.ZodObject | undefined;
  readonly body?: z.ZodType | undefined;
  /** Status for a body that fails its schema (400 unless given; login answers 401). */
  readonly invalidBodyStatus?: number;
  /** Status of a successful answer (200 unless given). */
  readonly status?: number;
  readonly response: z.ZodType;
  /** The response's media type (default application/json). */
  readonly contentType?: string;
  /**
   * The handler answers through `reply` itself (binary bodies, 304s): its result is returned
   * as is and `status` is only documented.
   */
  readonly sendsReply?: boolean;
  readonly handler: (input: RouteInput<unknown, unknown, unknown>) => Promise<unknown>;
}

/** Declares a route with its handler typed from its schemas. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  route: Omit<ApiRoute, 'handler' | 'params' | 'query' | 'body'> & {
    readonly params?: P;
    readonly query?: Q;
    readonly body?: B;
    readonly handler: (
      input: RouteInput<
        P extends z.ZodObject ? z.output<P> : undefined,
        Q extends z.ZodObject ? z.output<Q> : undefined,
        B extends z.ZodType ? z.output<B> : undefined
      >,
    ) => Promise<unknown>;
  },
): ApiRoute {
  return route as unknown as ApiRoute;
}
