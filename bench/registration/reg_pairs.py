#!/usr/bin/python3
"""Registration pairs from real images and the peer estimators, for bench/registration.bench.ts.

usage: /usr/bin/python3 reg_pairs.py make SPEC.json OUTDIR
       /usr/bin/python3 reg_pairs.py estimate skimage|cvpc|orb|cvecc OUTDIR/manifest.json

make: for each source in SPEC (a real image from ../shared/data, read as grey), cuts a region
  of side S + 2*MARGIN at a seeded position and makes `translations` pairs shifted by a seeded
  sub-pixel (dx, dy) and `affines` pairs rotated by up to `maxRotationDeg` and scaled by up to
  `maxScale` about the centre (plus a sub-pixel shift); the reference is the centre S x S of the
  region, the moving image the same window of the transformed region, so both edges hold real
  content. Translations are exact band-limited shifts (Fourier, on the region mirrored to a
  periodic image), affines are order-5 spline resampling (scipy.ndimage.affine_transform):
  neither is the interpolator of any estimator measured. Then gain, offset and Gaussian noise:
  reference = crop + N(0, (noiseRef*range)^2), moving = gain*warped + offset*range +
  N(0, (noiseMoving*range)^2). Writes ref_<i>.f32 and mov_<i>.f32 (float32, little-endian,
  row-major) and manifest.json with the truth of each pair: `referenceToMoving` [a,b,c,d,e,f]
  mapping reference pixel (x, y) to (a x + b y + c, d x + e y + f) with
  reference(p) = moving(referenceToMoving(p)), and (dx, dy) = centre - referenceToMoving(centre),
  the shift that carries moving onto reference at the image centre (sitewatch's convention).

estimate: runs one peer on every pair of a manifest and prints one JSON line per pair:
  {"id", "dx", "dy", "referenceToMoving" (or null for translation-only methods), "seconds",
   "error" (null, or why it failed)}; seconds are the estimate alone (the arrays are in memory).
  skimage  skimage.registration.phase_cross_correlation(upsample_factor=100)
  cvpc     cv2.phaseCorrelate with a Hanning window (float32, as ../shared/bench/reg_peers.py)
  orb      ORB(nfeatures=20000) on a 1-99 % stretch to 8 bits, knn ratio 0.8,
           cv2.findHomography(RANSAC, 3 px), as ../shared/bench/reg_peers.py
  cvecc    cv2.findTransformECC(MOTION_AFFINE, gaussFiltSize 5), started from cvpc's translation
"""
import sys, json, os, time
import numpy as np

MARGIN = 32


def read_grey(path, band):
    if path.lower().endswith(".png"):
        import cv2
        a = cv2.imread(path, cv2.IMREAD_COLOR)
        if a is None:
            raise SystemExit(f"cannot read {path}")
        b, g, r = [a[:, :, i].astype(np.float64) for i in range(3)]
        return 0.299 * r + 0.587 * g + 0.114 * b
    from osgeo import gdal
    gdal.UseExceptions()
    ds = gdal.Open(path)
    if band is not None:
        return ds.GetRasterBand(band).ReadAsArray().astype(np.float64)
    if ds.RasterCount >= 3:
        r, g, b = [ds.GetRasterBand(i + 1).ReadAsArray().astype(np.float64) for i in range(3)]
        return 0.299 * r + 0.587 * g + 0.114 * b
    return ds.GetRasterBand(1).ReadAsArray().astype(np.float64)


def fourier_shift(region, sx, sy):
    """out(x, y) = region(x - sx, y - sy), band-limited, on the mirrored periodic extension."""
    h, w = region.shape
    ext = np.block([[region, region[:, ::-1]], [region[::-1, :], region[::-1, ::-1]]])
    ky = np.fft.fftfreq(2 * h)[:, None]
    kx = np.fft.fftfreq(2 * w)[None, :]
    spectrum = np.fft.fft2(ext) * np.exp(-2j * np.pi * (kx * sx + ky * sy))
    return np.real(np.fft.ifft2(spectrum))[:h, :w]


def make(spec_path, out):
    from scipy import ndimage
    spec = json.load(open(spec_path))
    rng = np.random.default_rng(spec["seed"])
    os.makedirs(out, exist_ok=True)
    pairs = []
    for source in spec["sources"]:
        image = read_grey(source["path"], source.get("band"))
        side = source["side"]
        region_side = side + 2 * MARGIN
        h, w = image.shape
        if h < region_side or w < region_side:
            raise SystemExit(f"{source['path']} is {w}x{h}; needs {region_side}^2")
        lo, hi = np.percentile(image, [1, 99])
        value_range = float(hi - lo) if hi > lo else 1.0
        kinds = ["translation"] * source["translations"] + ["affine"] * source["affines"]
        for kind in kinds:
            r0 = int(rng.integers(0, h - region_side + 1))
            c0 = int(rng.integers(0, w - region_side + 1))
            region = image[r0:r0 + region_side, c0:c0 + region_side]
            dx, dy = rng.uniform(-spec["maxShiftPx"], spec["maxShiftPx"], 2)
            angle = np.deg2rad(rng.uniform(-spec["maxRotationDeg"], spec["maxRotationDeg"])) if kind == "affine" else 0.0
            scale = 1 + rng.uniform(-spec["maxScale"], spec["maxScale"]) if kind == "affine" else 1.0
            gain = rng.uniform(*spec["gain"])
            offset = rng.uniform(*spec["offsetFraction"]) * value_range
            # reference(p) = moving(A p), A p = c + s R (p - c) - d  (x, y; crop coordinates)
            c = (side - 1) / 2
            s_r = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
            t = np.array([c, c]) - s_r @ np.array([c, c]) - np.array([dx, dy])
            if kind == "translation":
                # moving(q) = reference(q + d): a translation of the content by -d
                warped = fourier_shift(region, -dx, -dy)
            else:
                # moving(q) = reference(A^-1 q); in region coordinates the same map about c + MARGIN
                inv = np.linalg.inv(s_r)
                centre = np.array([c + MARGIN, c + MARGIN])
                t_region = centre - s_r @ centre - np.array([dx, dy])
                t_inv = -inv @ t_region
                matrix_rc = np.array([[inv[1, 1], inv[1, 0]], [inv[0, 1], inv[0, 0]]])
                warped = ndimage.affine_transform(region, matrix_rc, offset=(t_inv[1], t_inv[0]),
                                                  order=5, mode="mirror", prefilter=True)
            crop = np.s_[MARGIN:MARGIN + side, MARGIN:MARGIN + side]
            reference = region[crop] + rng.normal(0, spec["noiseRef"] * value_range, (side, side))
            moving = gain * warped[crop] + offset + rng.normal(0, spec["noiseMoving"] * value_range, (side, side))
            i = len(pairs)
            reference.astype("<f4").tofile(f"{out}/ref_{i}.f32")
            moving.astype("<f4").tofile(f"{out}/mov_{i}.f32")
            pairs.append(dict(id=i, source=source["name"], kind=kind, width=side, height=side,
                              dx=float(dx), dy=float(dy), rotationDeg=float(np.rad2deg(angle)),
                              scale=float(scale), gain=float(gain), offset=float(offset),
                              referenceToMoving=[float(s_r[0, 0]), float(s_r[0, 1]), float(t[0]),
                                                 float(s_r[1, 0]), float(s_r[1, 1]), float(t[1])],
                              reference=f"ref_{i}.f32", moving=f"mov_{i}.f32"))
    json.dump(dict(spec=spec, margin=MARGIN, pairs=pairs), open(f"{out}/manifest.json", "w"), indent=1)
    print(json.dumps(dict(pairs=len(pairs), out=out)))


def to_u8(a):
    lo, hi = np.percentile(a, [1, 99])
    return np.clip((a - lo) * (255 / max(hi - lo, 1e-9)), 0, 255).astype(np.uint8)


def cvpc(cv2, ref, mov):
    win = cv2.createHanningWindow(ref.shape[::-1], cv2.CV_32F)
    (sx, sy), _ = cv2.phaseCorrelate(ref, mov, win)
    return -sx, -sy  # phaseCorrelate gives the content displacement ref -> mov


def estimate_one(method, ref, mov):
    import cv2
    cv2.setNumThreads(1)
    h, w = ref.shape
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    if method == "skimage":
        from skimage.registration import phase_cross_correlation
        shift, _, _ = phase_cross_correlation(ref, mov, upsample_factor=100)
        return float(shift[1]), float(shift[0]), None  # shift that registers moving onto reference
    if method == "cvpc":
        dx, dy = cvpc(cv2, ref, mov)
        return float(dx), float(dy), None
    if method == "orb":
        a, b = to_u8(ref), to_u8(mov)
        orb = cv2.ORB_create(nfeatures=20000)
        k1, d1 = orb.detectAndCompute(a, None)
        k2, d2 = orb.detectAndCompute(b, None)
        if d1 is None or d2 is None:
            raise RuntimeError("no ORB features")
        m = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(d1, d2, k=2)
        good = [x[0] for x in m if len(x) == 2 and x[0].distance < 0.8 * x[1].distance]
        if len(good) < 4:
            raise RuntimeError(f"{len(good)} good matches")
        p1 = np.float32([k1[g.queryIdx].pt for g in good])
        p2 = np.float32([k2[g.trainIdx].pt for g in good])
        H, _ = cv2.findHomography(p1, p2, cv2.RANSAC, 3.0)
        if H is None:
            raise RuntimeError("no homography")
        q = H @ np.array([c[0], c[1], 1.0])
        q = q[:2] / q[2]
        # reference(p) = moving(H p); report the affine part for the corner error
        Hn = H / H[2, 2]
        return float(c[0] - q[0]), float(c[1] - q[1]), [float(v) for v in Hn[:2].reshape(-1)]
    if method == "cvecc":
        dx, dy = cvpc(cv2, ref, mov)
        warp = np.array([[1, 0, -dx], [0, 1, -dy]], np.float32)
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
        _, warp = cv2.findTransformECC(ref, mov, warp, cv2.MOTION_AFFINE, criteria, None, 5)
        q = warp.astype(np.float64) @ np.array([c[0], c[1], 1.0])
        return float(c[0] - q[0]), float(c[1] - q[1]), [float(v) for v in warp.reshape(-1)]
    raise SystemExit(f"unknown method {method}")


def estimate(method, manifest_path):
    manifest = json.load(open(manifest_path))
    folder = os.path.dirname(manifest_path)
    for pair in manifest["pairs"]:
        shape = (pair["height"], pair["width"])
        ref = np.fromfile(f"{folder}/{pair['reference']}", "<f4").reshape(shape)
        mov = np.fromfile(f"{folder}/{pair['moving']}", "<f4").reshape(shape)
        t0 = time.perf_counter()
        try:
            dx, dy, matrix = estimate_one(method, ref, mov)
            error = None if np.isfinite(dx) and np.isfinite(dy) else "non-finite estimate"
        except Exception as e:  # a peer that fails on a pair is recorded, not fatal
            dx, dy, matrix, error = None, None, None, f"{type(e).__name__}: {e}"
        seconds = time.perf_counter() - t0
        if dx is not None and not np.isfinite(dx):
            dx = dy = None
        print(json.dumps(dict(id=pair["id"], dx=dx, dy=dy, referenceToMoving=matrix,
                              seconds=round(seconds, 4), error=error)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "estimate":
        estimate(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
