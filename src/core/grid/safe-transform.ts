/**
 * Calling a CRS transform where points may lie outside its domain: a PositionTransform either
 * throws a SitewatchError there (as the CRS registry does) or returns non-finite numbers.
 */
import { SitewatchError } from '../errors.ts';
import type { Position, PositionTransform } from '../geo/types.ts';

/**
 * `transform(position)`, or null when the position is outside the transform's domain (it
 * threw a SitewatchError or gave a non-finite coordinate). Other errors (bugs) propagate.
 */
export function transformOrNull(transform: PositionTransform, position: Position): Position | null {
  let result: Position;
  try {
    result = transform(position);
  } catch (error) {
    if (error instanceof SitewatchError) return null;
    throw error;
  }
  return Number.isFinite(result[0]) && Number.isFinite(result[1]) ? result : null;
}
