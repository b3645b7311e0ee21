"""Seeded chip sampler: real chips, drone mosaics and copy-paste chips, with geometric and
photometric augmentation. `ChipSampler(cache, seed).sample(index)` is a pure function of
(seed, index), so the data order and content are reproducible.

A sample is (image uint8 [S, S, 3] RGB, objects float32 [N, 7] = (class, cx, cy, w, h, theta,
oriented), complete float32 [C]): `complete[c] == 0` means the chip may hold unlabelled objects
of class c (its heatmap negatives are not penalised); oriented == 0 marks a box that came from an
axis-aligned label (its angle is unknown and not trained).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np

from common import CLASS_INDEX, CLASSES, INPUT_SIZE, box_to_poly

C = len(CLASSES)
ANY = np.ones(C, dtype=np.float32)
# Class mix of pasted objects (planes are rare: only 2 training instances exist).
PASTE_CLASS_WEIGHT = {"small-vehicle": 1.0, "large-vehicle": 0.8, "ship": 0.5, "plane": 0.1, "armoured-vehicle": 0.8}
KIND_P = {"real": 0.5, "mosaic": 0.15, "paste": 0.35}
REAL_SOURCE_P = {"dota-samples": 0.4, "vehicles-aerialarmour-sat": 0.35, "vehicles-aerialcars-roboflow": 0.25}


def load_rgb(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot read {path}; run training/prepare.py first")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def transform_objects(objs: np.ndarray, M: np.ndarray, size: int) -> np.ndarray:
    """Apply the 2 x 3 similarity (possibly flipped) M to objects [N, 7]; keep centres inside."""
    if not len(objs):
        return np.zeros((0, 7), dtype=np.float32)
    A = M[:, :2].astype(np.float64)
    o = objs.astype(np.float64)
    ctr = o[:, 1:3] @ A.T + M[:, 2]
    keep = (ctr[:, 0] >= 0) & (ctr[:, 0] < size) & (ctr[:, 1] >= 0) & (ctr[:, 1] < size)
    o, ctr = o[keep], ctr[keep]
    c, s = np.cos(o[:, 5]), np.sin(o[:, 5])
    u = np.stack([c, s], axis=1) @ A.T * o[:, 3:4]
    v = np.stack([-s, c], axis=1) @ A.T * o[:, 4:5]
    w = np.hypot(u[:, 0], u[:, 1])
    h = np.hypot(v[:, 0], v[:, 1])
    t = np.arctan2(u[:, 1], u[:, 0])
    swap = h > w
    w2, h2 = np.where(swap, h, w), np.where(swap, w, h)
    t = np.where(swap, t + math.pi / 2, t)
    t = (t + math.pi / 2) % math.pi - math.pi / 2
    out = np.stack([o[:, 0], ctr[:, 0], ctr[:, 1], w2, h2, t, o[:, 6]], axis=1)
    return out.astype(np.float32)


def similarity(center_src, center_dst, angle_deg: float, scale: float, flip: bool) -> np.ndarray:
    """2 x 3 matrix: dst = R(angle) * S * F * (src - center_src) + center_dst."""
    a = math.radians(angle_deg)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    L = np.array([[c, -s], [s, c]])
    if flip:
        L = L @ np.array([[-1.0, 0.0], [0.0, 1.0]])
    t = np.asarray(center_dst, dtype=np.float64) - L @ np.asarray(center_src, dtype=np.float64)
    return np.hstack([L, t[:, None]])


def random_angle(rng: np.random.Generator, free: bool) -> float:
    if free:
        return float(rng.uniform(-180, 180))
    small = float(rng.uniform(-12, 12)) if rng.random() < 0.5 else 0.0
    return 90.0 * int(rng.integers(0, 4)) + small


def photometric(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    gains = rng.uniform(0.75, 1.25) * rng.uniform(0.92, 1.08, size=3)
    gamma = rng.uniform(0.75, 1.35)
    levels = np.arange(256, dtype=np.float64) / 255.0
    lut = np.stack([np.clip(levels * g, 0, 1) ** gamma for g in gains], axis=1)  # [256, 3]
    lut = np.round(lut * 255).astype(np.uint8)
    out = np.stack([lut[img[..., ch], ch] for ch in range(3)], axis=-1)
    if rng.random() < 0.3:
        hsv = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + int(rng.integers(-8, 9))) % 180).astype(np.uint8)
        out = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.0)))
    if rng.random() < 0.5:
        noise = rng.standard_normal(size=out.shape, dtype=np.float32) * rng.uniform(1, 6)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    return out


class ChipSampler:
    def __init__(self, cache: Path, seed: int, size: int = INPUT_SIZE):
        self.cache = cache
        self.seed = seed
        self.size = size
        self._fill: dict[int, tuple] = {}
        ds = json.loads((cache / "dataset.json").read_text())
        self.images = []
        for t in ds["train"]:
            objs = np.array(
                [[o["cls"], *o["box"], 1.0 if o["oriented"] else 0.0] for o in t["objects"]], dtype=np.float32
            ).reshape(-1, 7)
            complete = np.zeros(C, dtype=np.float32)
            complete[t["complete"]] = 1
            self.images.append(
                {"id": t["id"], "source": t["source"], "img": load_rgb(cache / t["file"]), "objs": objs, "complete": complete}
            )
        self.backgrounds = [load_rgb(cache / b["file"]) for b in ds["backgrounds"]]
        by_source: dict[str, list[int]] = {}
        for i, im in enumerate(self.images):
            by_source.setdefault(im["source"], []).append(i)
        self.real_sources = [s for s in REAL_SOURCE_P if s in by_source]
        self.real_source_p = np.array([REAL_SOURCE_P[s] for s in self.real_sources])
        self.real_source_p /= self.real_source_p.sum()
        self.real_by_source = {}
        for s in self.real_sources:
            idx = by_source[s]
            w = np.array([len(self.images[i]["objs"]) + 1.0 for i in idx])
            self.real_by_source[s] = (idx, w / w.sum())
        self.mosaic_pool = by_source.get("vehicles-cats-drone", [])
        self.bank = self._build_bank()

    def _build_bank(self) -> dict[int, list[dict]]:
        bank: dict[int, list[dict]] = {}
        for im in self.images:
            img = im["img"]
            H, W = img.shape[:2]
            for o in im["objs"]:
                k, cx, cy, w, h, t, ori = o
                poly = box_to_poly([cx, cy, w, h, t])
                margin = 3 + 0.15 * max(w, h)
                x0 = int(max(0, math.floor(poly[:, 0].min() - margin)))
                y0 = int(max(0, math.floor(poly[:, 1].min() - margin)))
                x1 = int(min(W, math.ceil(poly[:, 0].max() + margin)))
                y1 = int(min(H, math.ceil(poly[:, 1].max() + margin)))
                if x1 - x0 < 3 or y1 - y0 < 3:
                    continue
                patch = img[y0:y1, x0:x1].copy()
                mask = np.zeros(patch.shape[:2], dtype=np.float32)
                grown = box_to_poly([cx - x0, cy - y0, w + 2, h + 2, t])
                cv2.fillPoly(mask, [np.round(grown * 16).astype(np.int32)], 1.0, lineType=cv2.LINE_AA, shift=4)
                mask = cv2.GaussianBlur(mask, (0, 0), 1.0)
                bank.setdefault(int(k), []).append(
                    {"patch": patch, "mask": mask, "obj": np.array([k, cx - x0, cy - y0, w, h, t, ori], dtype=np.float32)}
                )
        return bank

    # ---- chip kinds
    def _warp_chip(self, img: np.ndarray, center, rng: np.random.Generator, free_angle: bool):
        S = self.size
        angle = random_angle(rng, free_angle)
        scale = float(rng.uniform(0.8, 1.2))
        flip = bool(rng.random() < 0.5)
        M = similarity(center, (S / 2, S / 2), angle, scale, flip)
        key = id(img)
        if key not in self._fill:
            self._fill[key] = tuple(int(v) for v in img[::7, ::7].reshape(-1, 3).mean(axis=0))
        fill = self._fill[key]
        chip = cv2.warpAffine(img, M, (S, S), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
        return chip, M

    def _real(self, rng):
        s = self.real_sources[int(rng.choice(len(self.real_sources), p=self.real_source_p))]
        idx, p = self.real_by_source[s]
        im = self.images[idx[int(rng.choice(len(idx), p=p))]]
        H, W = im["img"].shape[:2]
        if len(im["objs"]) and rng.random() < 0.75:
            o = im["objs"][int(rng.integers(len(im["objs"])))]
            center = (o[1] + rng.uniform(-90, 90), o[2] + rng.uniform(-90, 90))
        else:
            center = (rng.uniform(0, W), rng.uniform(0, H))
        # DOTA objects are oriented (any rotation is exact); YOLO boxes only by 90 deg + small.
        free = s == "dota-samples"
        chip, M = self._warp_chip(im["img"], center, rng, free)
        return chip, transform_objects(im["objs"], M, self.size), im["complete"].copy()

    def _mosaic(self, rng):
        S = self.size
        n = 4
        cell = S // n
        chip = np.zeros((S, S, 3), dtype=np.uint8)
        objs = []
        complete = ANY.copy()
        for r in range(n):
            for c in range(n):
                im = self.images[self.mosaic_pool[int(rng.integers(len(self.mosaic_pool)))]]
                img = im["img"]
                H, W = img.shape[:2]
                k = int(rng.integers(0, 4))
                flip = bool(rng.random() < 0.5)
                M = similarity((W / 2, H / 2), (c * cell + cell / 2, r * cell + cell / 2), 90.0 * k, 1.0, flip)
                Ml = M.copy()
                Ml[:, 2] -= (c * cell, r * cell)
                chip[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell] = cv2.warpAffine(
                    img, Ml, (cell, cell), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT
                )
                t = transform_objects(im["objs"], M, S)
                keep = (t[:, 1] >= c * cell) & (t[:, 1] < (c + 1) * cell) & (t[:, 2] >= r * cell) & (t[:, 2] < (r + 1) * cell)
                objs.append(t[keep])
                complete = np.minimum(complete, im["complete"])
        return chip, np.concatenate(objs, axis=0), complete

    def _paste(self, rng):
        bg = self.backgrounds[int(rng.integers(len(self.backgrounds)))]
        H, W = bg.shape[:2]
        chip, _ = self._warp_chip(bg, (rng.uniform(0, W), rng.uniform(0, H)), rng, True)
        chip = chip.astype(np.float32)
        classes = [k for k in range(C) if self.bank.get(k)]
        p = np.array([PASTE_CLASS_WEIGHT[CLASSES[k]] for k in classes])
        p /= p.sum()
        S = self.size
        placed: list[np.ndarray] = []
        want = int(rng.integers(3, 26))
        for _ in range(want * 3):
            if len(placed) >= want:
                break
            k = classes[int(rng.choice(len(classes), p=p))]
            item = self.bank[k][int(rng.integers(len(self.bank[k])))]
            o = item["obj"]
            angle = random_angle(rng, bool(o[6]))
            scale = float(rng.uniform(0.8, 1.2))
            flip = bool(rng.random() < 0.5)
            loc = (rng.uniform(6, S - 6), rng.uniform(6, S - 6))
            M = similarity((o[1], o[2]), loc, angle, scale, flip)
            t = transform_objects(o[None, :], M, S)
            if not len(t):
                continue
            size_new = max(t[0, 3], t[0, 4])
            if any(
                math.hypot(q[1] - t[0, 1], q[2] - t[0, 2]) < 0.45 * (size_new + max(q[3], q[4])) for q in placed
            ):
                continue
            ph, pw = item["patch"].shape[:2]
            corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float64) @ M[:, :2].T + M[:, 2]
            x0, y0 = (max(0, int(math.floor(v))) for v in corners.min(axis=0))
            x1, y1 = (min(S, int(math.ceil(v))) for v in corners.max(axis=0))
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            Ml = M.copy()
            Ml[:, 2] -= (x0, y0)
            patch = cv2.warpAffine(item["patch"], Ml, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
            mask = cv2.warpAffine(item["mask"], Ml, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)[..., None]
            win = chip[y0:y1, x0:x1]
            chip[y0:y1, x0:x1] = win * (1 - mask) + patch.astype(np.float32) * mask
            placed.append(t[0])
        complete = ANY.copy()
        # Backgrounds are real scenes with unlabelled cars and trucks: only ship/plane negatives count.
        for name in ("small-vehicle", "large-vehicle", "armoured-vehicle"):
            complete[CLASS_INDEX[name]] = 0
        objs = np.array(placed, dtype=np.float32).reshape(-1, 7)
        return np.clip(chip, 0, 255).astype(np.uint8), objs, complete

    def sample(self, index: int):
        rng = np.random.default_rng([self.seed, index])
        kinds = list(KIND_P)
        kind = kinds[int(rng.choice(len(kinds), p=np.array(list(KIND_P.values()))))]
        if kind == "mosaic" and not self.mosaic_pool:
            kind = "real"
        img, objs, complete = getattr(self, "_" + kind)(rng)
        return photometric(img, rng), objs, complete
