"""Shared constants and helpers of the sitewatch training scripts (pure Python + numpy).

Conventions (the same as src/core/detect/detection.ts):
- pixel coordinates are (col, row), rows growing downwards, continuous: pixel (c, r) covers
  [c, c + 1) x [r, r + 1) and its centre is at (c + 0.5, r + 0.5);
- an oriented box is (cx, cy, w, h, theta): `w` is the length of the side along `theta`,
  `theta` is measured from +col towards +row, normalised to [-pi/2, pi/2). We always make `w`
  the longer side so that (cos 2theta, sin 2theta) is a continuous target.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

CLASSES = ["small-vehicle", "large-vehicle", "ship", "plane", "armoured-vehicle"]
CLASS_INDEX = {name: i for i, name in enumerate(CLASSES)}

# Ground sample distance every image is resampled to (metres per pixel). See README: a car
# (4.5 m x 1.8 m) stays ~11 x 4.5 px, a tank (7 m x 3.5 m) ~17 x 9 px, and one tile of
# 256 px covers 102 m, enough context for a ship or a plane (40-70 m).
MODEL_GSD_M = 0.4
INPUT_SIZE = 256
STRIDE = 4

TRAINING_DIR = Path(__file__).resolve().parent
REPO_ROOT = TRAINING_DIR.parent
DEFAULT_CACHE = TRAINING_DIR / ".cache"
SPLITS_PATH = TRAINING_DIR / "splits.json"
MODEL_DIR = REPO_ROOT / "models" / "sitewatch-vehicles"


def shared_data_root() -> Path:
    """`SITEWATCH_SHARED_DATA`, else `../shared/data` beside the repository."""
    env = os.environ.get("SITEWATCH_SHARED_DATA")
    root = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    if not root.is_dir():
        raise SystemExit(
            f"shared data folder {root} does not exist (set SITEWATCH_SHARED_DATA to the folder "
            "holding dota-samples/, vehicles-*/ ...)"
        )
    return root


def cache_root(arg: str | None) -> Path:
    root = Path(arg or os.environ.get("SITEWATCH_TRAIN_CACHE") or DEFAULT_CACHE)
    root.mkdir(parents=True, exist_ok=True)
    return root


def normalise_angle(theta: float) -> float:
    """Wrap to [-pi/2, pi/2)."""
    t = (theta + math.pi / 2) % math.pi - math.pi / 2
    return t


def canonical_box(cx: float, cy: float, w: float, h: float, theta: float) -> list[float]:
    """Make `w` the longer side and theta in [-pi/2, pi/2)."""
    if h > w:
        w, h = h, w
        theta = theta + math.pi / 2
    return [cx, cy, w, h, normalise_angle(theta)]


def quad_to_box(pts: np.ndarray) -> list[float]:
    """DOTA quadrilateral (4 x 2, any winding) -> oriented box (a rectangle fit:
    centre = mean of the corners, sides = mean of opposite side lengths, angle of the first side)."""
    p = np.asarray(pts, dtype=np.float64).reshape(4, 2)
    cx, cy = p.mean(axis=0)
    e01 = p[1] - p[0]
    e12 = p[2] - p[1]
    w = (np.linalg.norm(e01) + np.linalg.norm(p[2] - p[3])) / 2
    h = (np.linalg.norm(e12) + np.linalg.norm(p[3] - p[0])) / 2
    theta = math.atan2(e01[1], e01[0])
    return canonical_box(float(cx), float(cy), float(w), float(h), theta)


def aabb_to_box(cx: float, cy: float, w: float, h: float) -> list[float]:
    return canonical_box(cx, cy, w, h, 0.0)


def box_to_poly(b) -> np.ndarray:
    """Oriented box -> 4 x 2 corners."""
    cx, cy, w, h, t = b[:5]
    c, s = math.cos(t), math.sin(t)
    u = np.array([c, s]) * w / 2
    v = np.array([-s, c]) * h / 2
    ctr = np.array([cx, cy])
    return np.stack([ctr - u - v, ctr + u - v, ctr + u + v, ctr - u + v])


def seeded_everything(seed: int) -> None:
    import random

    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def dump_json(value, width: int = 100) -> str:
    """JSON as the repository's prettier (printWidth 100) prints it: objects one key per line,
    arrays of scalars on one line when they fit, so `npm run format:check` passes on the
    generated files without a formatting pass."""
    import json

    def fmt(v, indent: int, prefix_len: int) -> str:
        pad = " " * indent
        if isinstance(v, dict):
            if not v:
                return "{}"
            items = []
            for k, x in v.items():
                key = json.dumps(k) + ": "
                items.append(pad + "  " + key + fmt(x, indent + 2, indent + 2 + len(key)))
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, list):
            if not v:
                return "[]"
            if all(not isinstance(x, (dict, list)) for x in v):
                one = "[" + ", ".join(json.dumps(x) for x in v) + "]"
                if prefix_len + len(one) + 1 <= width:
                    return one
            return "[\n" + ",\n".join(pad + "  " + fmt(x, indent + 2, indent + 2) for x in v) + "\n" + pad + "]"
        return json.dumps(v)

    return fmt(value, 0, 0) + "\n"
