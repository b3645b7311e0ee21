"""Quick sanity evaluation of a checkpoint on the held-out sets (training/splits.json), with
this script's own decoding (the TypeScript pipeline and bench/eval-detect are the reference).

    /usr/bin/python3 training/evaluate.py [--checkpoint PATH] [--min-score 0.3] [--json OUT]

Each held-out image (a DOTA test region or a whole held-out file), already resampled to the
model GSD by prepare.py, is cut into 256 px tiles with 32 px overlap; a detection is kept by the
tile whose core (the tile less 16 px on inner edges) holds its centre, so tiles need no NMS.
Peaks are 3 x 3 local maxima over 0.05. Matching is greedy by score with rotated IoU >= 0.5 (and
>= 0.25 as a looser figure for tiny cars); a ground truth that came from an axis-aligned label is
compared with the detection's axis-aligned extent. Per-class rotated NMS (IoU 0.3, the
descriptor's nmsIou) runs over each image's detections. Detections of a class the image does not label
exhaustively (e.g. cars in the armour yards) are not scored at all. AP is VOC all-point; P and R
are at --min-score.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CLASSES, INPUT_SIZE, STRIDE, cache_root  # noqa: E402
from model import CenterNetSmall  # noqa: E402

TILE = INPUT_SIZE
OVERLAP = 32
PEAK_FLOOR = 0.05


def decode(heat, box, ang, k_max=300):
    """One tile's outputs (numpy [C,h,w], [4,h,w], [2,h,w]) -> list of (cls, score, cx, cy, w, h, t)."""
    hm = torch.from_numpy(heat)[None]
    peaks = (F.max_pool2d(hm, 3, 1, 1) == hm) & (hm > PEAK_FLOOR)
    cs, js, is_ = np.nonzero(peaks[0].numpy())
    scores = heat[cs, js, is_]
    order = np.argsort(-scores)[:k_max]
    out = []
    for n in order:
        c, j, i = cs[n], js[n], is_[n]
        dx, dy, w, h = box[:, j, i]
        t = math.atan2(ang[1, j, i], ang[0, j, i]) / 2
        out.append((int(c), float(scores[n]), (i + dx) * STRIDE, (j + dy) * STRIDE, float(w), float(h), t))
    return out


def run_image(model, img: np.ndarray, batch: int = 8):
    H, W = img.shape[:2]
    step = TILE - OVERLAP
    ys = list(range(0, max(1, H - TILE) + 1, step))
    xs = list(range(0, max(1, W - TILE) + 1, step))
    if ys[-1] + TILE < H:
        ys.append(H - TILE)
    if xs[-1] + TILE < W:
        xs.append(W - TILE)
    fill = img.reshape(-1, 3).mean(axis=0)
    tiles, origins = [], []
    for y in ys:
        for x in xs:
            t = np.empty((TILE, TILE, 3), dtype=np.float32)
            t[:] = fill
            crop = img[max(0, y) : y + TILE, max(0, x) : x + TILE]
            t[: crop.shape[0], : crop.shape[1]] = crop
            tiles.append(t / 255.0)
            origins.append((x, y))
    dets = []
    for b in range(0, len(tiles), batch):
        x = torch.from_numpy(np.stack(tiles[b : b + batch]).transpose(0, 3, 1, 2).copy())
        with torch.no_grad():
            hm, bx, an = (o.numpy() for o in model(x))
        for k in range(x.shape[0]):
            ox, oy = origins[b + k]
            # Core of this tile: half the overlap on edges shared with a neighbour.
            x_lo = ox + (OVERLAP // 2 if ox > 0 else -1e9)
            y_lo = oy + (OVERLAP // 2 if oy > 0 else -1e9)
            x_hi = ox + TILE - (OVERLAP // 2 if ox + TILE < W else -1e9)
            y_hi = oy + TILE - (OVERLAP // 2 if oy + TILE < H else -1e9)
            for c, s, cx, cy, w, h, t in decode(hm[k], bx[k], an[k]):
                gx, gy = cx + ox, cy + oy
                if x_lo <= gx < x_hi and y_lo <= gy < y_hi and gx < W and gy < H:
                    dets.append((c, s, gx, gy, w, h, t))
    return dets


def nms(dets, iou_max: float):
    """Greedy per-class NMS with rotated IoU (what the TS pipeline does with the descriptor's
    nmsIou); dets are (cls, score, cx, cy, w, h, t)."""
    kept = []
    for d in sorted(dets, key=lambda x: -x[1]):
        reach = max(d[4], d[5])
        if all(
            k[0] != d[0]
            or math.hypot(k[2] - d[2], k[3] - d[3]) > (reach + max(k[4], k[5])) / 2
            or riou(tuple(k[2:7]), tuple(d[2:7])) <= iou_max
            for k in kept
        ):
            kept.append(d)
    return kept


def rect(b):
    cx, cy, w, h, t = b
    return ((cx, cy), (w, h), math.degrees(t))


def aabb(b):
    cx, cy, w, h, t = b
    c, s = abs(math.cos(t)), abs(math.sin(t))
    return (cx, cy, w * c + h * s, w * s + h * c, 0.0)


def riou(a, b) -> float:
    ra, rb = rect(a), rect(b)
    kind, pts = cv2.rotatedRectangleIntersection(ra, rb)
    if kind == cv2.INTERSECT_NONE or pts is None:
        return 0.0
    inter = cv2.contourArea(cv2.convexHull(pts))
    union = a[2] * a[3] + b[2] * b[3] - inter
    return float(inter / union) if union > 0 else 0.0


def ap_voc(tp: np.ndarray, n_gt: int) -> float:
    if n_gt == 0:
        return float("nan")
    if len(tp) == 0:
        return 0.0
    ctp = np.cumsum(tp)
    cfp = np.cumsum(1 - tp)
    rec = ctp / n_gt
    prec = ctp / np.maximum(ctp + cfp, 1e-9)
    mrec = np.concatenate([[0], rec, [1]])
    mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache")
    ap.add_argument("--checkpoint")
    ap.add_argument("--min-score", type=float, default=0.3)
    ap.add_argument("--nms-iou", type=float, default=0.3, help="the descriptor's nmsIou")
    ap.add_argument("--json", help="write the results here as JSON")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, help="evaluate only the first N held-out images (smoke test)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cache = cache_root(args.cache)
    ckpt = Path(args.checkpoint) if args.checkpoint else cache / "checkpoints" / "best.pt"
    state = torch.load(ckpt, map_location="cpu")
    model = CenterNetSmall()
    model.load_state_dict(state["model"])
    model.eval()
    ds = json.loads((cache / "dataset.json").read_text())

    # records[(source, cls)] = {"scores": [], "tp50": [], "tp25": [], "gt": n}
    rec: dict = {}
    per_image = []
    for e in ds["eval"][: args.limit]:
        img = cv2.cvtColor(cv2.imread(str(cache / e["file"])), cv2.COLOR_BGR2RGB)
        dets = nms(run_image(model, img), args.nms_iou)
        col0 = e["testCol0Model"]
        if col0 is not None:
            dets = [d for d in dets if d[2] >= col0]
        complete = set(e["complete"])
        gts = e["objects"]
        counts = {}
        for c in range(len(CLASSES)):
            g = [o for o in gts if o["cls"] == c]
            d = sorted([x for x in dets if x[0] == c], key=lambda x: -x[1])
            if c not in complete:
                # Not labelled exhaustively in this image (e.g. cars in the armour yards): an
                # unmatched detection may be a real, unlabelled object, so the pair is skipped.
                continue
            key = (e["source"], CLASSES[c])
            r = rec.setdefault(key, {"scores": [], "tp50": [], "tp25": [], "gt": 0})
            r["gt"] += len(g)
            for thr, name in ((0.5, "tp50"), (0.25, "tp25")):
                used = [False] * len(g)
                for x in d:
                    best, bi = 0.0, -1
                    for gi, o in enumerate(g):
                        if used[gi]:
                            continue
                        pb = tuple(x[2:7])
                        if not o["oriented"]:
                            pb = aabb(pb)
                        iou = riou(pb, tuple(o["box"]))
                        if iou > best:
                            best, bi = iou, gi
                    hit = best >= thr
                    if hit:
                        used[bi] = True
                    r[name].append(1.0 if hit else 0.0)
                    if name == "tp50":
                        r["scores"].append(x[1])
            if g or any(x[1] >= args.min_score for x in d):
                n_pred = sum(1 for x in d if x[1] >= args.min_score)
                counts[CLASSES[c]] = {"true": len(g), "predicted": n_pred}
        per_image.append({"id": e["id"], "source": e["source"], "counts": counts})
        print(f"  {e['id'][:60]:60s} {json.dumps(counts)}", flush=True)

    results = []
    for (source, cls), r in sorted(rec.items()):
        if r["gt"] == 0 and not r["tp50"]:
            continue
        order = np.argsort(-np.array(r["scores"])) if r["scores"] else np.array([], dtype=int)
        tp50 = np.array(r["tp50"])[order] if len(order) else np.array([])
        scores = np.array(r["scores"])[order] if len(order) else np.array([])
        keep = scores >= args.min_score
        tp_at = tp50[keep].sum() if len(tp50) else 0
        tp25 = np.array(r["tp25"])
        n_det = int(keep.sum())
        results.append(
            {
                "source": source,
                "class": cls,
                "groundTruth": r["gt"],
                "ap50": round(ap_voc(tp50, r["gt"]), 4),
                "recall50": round(tp_at / r["gt"], 4) if r["gt"] else None,
                "precision50": round(tp_at / n_det, 4) if n_det else None,
                "recall25AnyScore": round(tp25.sum() / r["gt"], 4) if r["gt"] else None,
                "detections": n_det,
            }
        )
    print(f"\ncheckpoint {ckpt} (epoch {state['epoch']}); min score {args.min_score}")
    print(f"{'source':30s} {'class':18s} {'gt':>5s} {'AP50':>6s} {'P50':>6s} {'R50':>6s} {'R25*':>6s} {'det':>5s}")
    fmt = lambda v: "  n/a " if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:6.3f}"  # noqa: E731
    for r in results:
        print(
            f"{r['source']:30s} {r['class']:18s} {r['groundTruth']:5d} {fmt(r['ap50'])} {fmt(r['precision50'])} "
            f"{fmt(r['recall50'])} {fmt(r['recall25AnyScore'])} {r['detections']:5d}"
        )
    count_err = []
    for p in per_image:
        for cls, c in p["counts"].items():
            if c["true"]:
                count_err.append(abs(c["predicted"] - c["true"]) / c["true"])
    if count_err:
        print(f"median count error |pred - true| / true over (image, class) pairs: {np.median(count_err):.3f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"checkpoint": str(ckpt), "epoch": state["epoch"], "minScore": args.min_score,
                        "results": results, "perImage": per_image}, indent=1)
        )


if __name__ == "__main__":
    main()
