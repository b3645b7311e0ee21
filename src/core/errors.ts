/**
 * Typed errors with a stable `code`. Messages name the bad value and what was expected;
 * entry points map codes to exit statuses / HTTP statuses in one table each.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_GEOMETRY'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNSUPPORTED'
  | 'CORRUPT_FILE'
  | 'TOO_LARGE'
  | 'UNKNOWN_CRS'
  | 'MISSING_METADATA'
  | 'IO'
  | 'CANCELLED';

export class SitewatchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that does not have the expected shape or range. */
export class ValidationError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** A polygon that is not a valid simple-feature polygon (self-intersection, open ring, …). */
export class GeometryError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_GEOMETRY', message, options);
  }
}

export class NotFoundError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

export class ConflictError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFLICT', message, options);
  }
}

export class UnsupportedError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSUPPORTED', message, options);
  }
}

/** A file whose bytes cannot be what its name or header claims (truncated, corrupt, random). */
export class CorruptFileError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CORRUPT_FILE', message, options);
  }
}

/** Refused before allocating: dimensions above the configured pixel limit (decompression bombs). */
export class TooLargeError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOO_LARGE', message, options);
  }
}

export class UnknownCrsError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNKNOWN_CRS', message, options);
  }
}

/** Required metadata (such as the acquisition time) is known from nowhere. */
export class MissingMetadataError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MISSING_METADATA', message, options);
  }
}

export class CancelledError extends SitewatchError {
  constructor(message = 'cancelled', options?: { cause?: unknown }) {
    super('CANCELLED', message, options);
  }
}

/** Formats an unknown thrown value as one line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
