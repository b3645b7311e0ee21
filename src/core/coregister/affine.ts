/**
 * 2-D affine maps between pixel coordinates (x = column, y = row, pixel centres at integers).
 * A matrix [a, b, c, d, e, f] is the 2 × 3 row-major matrix mapping (x, y) to
 * (a·x + b·y + c, d·x + e·y + f).
 */
import { ValidationError } from '../errors.ts';

export type AffineMatrix = readonly [number, number, number, number, number, number];

export const IDENTITY_AFFINE: AffineMatrix = [1, 0, 0, 0, 1, 0];

/** The image of (x, y) under `m`, as [x', y']. */
export function applyAffine(m: AffineMatrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * The inverse map.
 * @throws ValidationError when `m` is singular or not finite (names the determinant).
 */
export function invertAffine(m: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = m;
  const determinant = a * e - b * d;
  if (!Number.isFinite(determinant) || Math.abs(determinant) < 1e-12) {
    throw new ValidationError(
      `affine matrix [${m.join(', ')}] is not invertible (determinant ${determinant})`,
    );
  }
  const ia = e / determinant;
  const ib = -b / determinant;
  const id = -d / determinant;
  const ie = a / determinant;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** The map `outer` ∘ `inner`: first inner, then outer. */
export function composeAffine(outer: AffineMatrix, inner: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [
    a * p + b * s,
    a * q + b * t,
    a * r + b * u + c,
    d * p + e * s,
    d * q + e * t,
    d * r + e * u + f,
  ];
}

/** A pure translation by (dx, dy) pixels. */
export function translationAffine(dx: number, dy: number): AffineMatrix {
  return [1, 0, dx, 0, 1, dy];
}

/**
 * Rotation by `angleRadians` and uniform scaling by `scale` about the point (cx, cy), in
 * pixels: p ↦ c + scale·R·(p − c) with R = [[cos θ, −sin θ], [sin θ, cos θ]] acting on (x, y).
 * Because y points down, a positive θ turns content clockwise as displayed.
 */
export function rotationScaleAbout(
  angleRadians: number,
  scale: number,
  cx: number,
  cy: number,
): AffineMatrix {
  const cos = scale * Math.cos(angleRadians);
  const sin = scale * Math.sin(angleRadians);
  return [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy];
}

/** Largest displacement, in pixels, between `a` and `b` at the four corner pixel centres. */
export function cornerDisagreementPx(
  a: AffineMatrix,
  b: AffineMatrix,
  width: number,
  height: number,
): number {
  let worst = 0;
  for (const [x, y] of [
    [0, 0],
    [width - 1, 0],
    [0, height - 1],
    [width - 1, height - 1],
  ] as const) {
    const [ax, ay] = applyAffine(a, x, y);
    const [bx, by] = applyAffine(b, x, y);
    worst = Math.max(worst, Math.hypot(ax - bx, ay - by));
  }
  return worst;
}
