"""Build the training and held-out sets of the default detector from ../shared/data.

    /usr/bin/python3 training/prepare.py [--cache DIR] [--seed 0]

Writes `training/splits.json` (the split, for bench/eval-detect: paths, GSDs, test regions; no
pixels) and, under the cache folder (default training/.cache, never committed), every image
resampled to MODEL_GSD_M: training regions, whole held-out images and copy-paste backgrounds,
with `dataset.json` describing them. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    CLASS_INDEX,
    CLASSES,
    MODEL_GSD_M,
    SPLITS_PATH,
    aabb_to_box,
    cache_root,
    canonical_box,
    dump_json,
    quad_to_box,
    shared_data_root,
)

TEST_FRACTION_X = 0.7  # DOTA: objects whose centre col >= 0.7 * width are the test set
ARMOUR_LENGTH_M = 7.0  # assumed long side of an armoured vehicle's axis-aligned box
CAR_LENGTH_M = 4.7  # assumed long side of a car's axis-aligned box (roboflow GSD estimate)
CATS_GSD_M = 0.045  # vehicles-cats-drone README: ~100 px per 4.5 m car
P2805_TILE_GSD_M = 0.25  # assumed GSD of the original 1024 px DOTA split tile (no gsd header)

ALL = list(range(len(CLASSES)))
# Classes whose every instance is labelled (heatmap negatives count). P0706 has parked cars
# without boxes and P2805 a car park without boxes, so their vehicle classes are not complete.
DOTA_COMPLETE = {
    "P1888": ALL,
    "P0706": [CLASS_INDEX["ship"], CLASS_INDEX["plane"], CLASS_INDEX["armoured-vehicle"]],
    "P2805__1024__0___0": [CLASS_INDEX["ship"], CLASS_INDEX["plane"], CLASS_INDEX["armoured-vehicle"]],
}
VEHICLES = [CLASS_INDEX["small-vehicle"], CLASS_INDEX["large-vehicle"], CLASS_INDEX["armoured-vehicle"]]


def read_rgb(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise SystemExit(f"cannot decode image {path}")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    else:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    if img.dtype != np.uint8:
        raise SystemExit(f"{path}: expected 8-bit samples, got {img.dtype}")
    return img


def resample(img: np.ndarray, factor: float) -> tuple[np.ndarray, float, float]:
    """Resize by `factor` (model px per source px); returns the image and the exact x/y factors."""
    h, w = img.shape[:2]
    ow, oh = max(1, round(w * factor)), max(1, round(h * factor))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    out = cv2.resize(img, (ow, oh), interpolation=interp)
    return out, ow / w, oh / h


def scale_box(b: list[float], fx: float, fy: float) -> list[float]:
    """Scale an oriented box by (fx, fy) (exact for fx == fy; near enough for the tiny
    anisotropy that rounding the output size leaves)."""
    cx, cy, w, h, t = b
    c, s = math.cos(t), math.sin(t)
    wx, wy = c * w * fx, s * w * fy
    hx, hy = -s * h * fx, c * h * fy
    nw, nh = math.hypot(wx, wy), math.hypot(hx, hy)
    nt = math.atan2(wy, wx)
    return canonical_box(cx * fx, cy * fy, nw, nh, nt)


def parse_dota(path: Path, label_scale: float) -> tuple[float | None, list[dict]]:
    gsd = None
    objs = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("gsd:"):
            gsd = float(line[4:])
            continue
        if line.startswith("imagesource:"):
            continue
        parts = line.split()
        cls = parts[8]
        if cls not in CLASS_INDEX:
            continue  # e.g. harbor: not a class of this model
        pts = np.array([float(v) for v in parts[:8]]).reshape(4, 2) * label_scale
        objs.append({"cls": CLASS_INDEX[cls], "box": quad_to_box(pts), "oriented": True, "difficult": int(parts[9])})
    return gsd, objs


def parse_yolo(path: Path, w: int, h: int, class_map: dict[int, str]) -> list[dict]:
    objs = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 5:
            continue
        k = int(float(parts[0]))
        if k not in class_map:
            continue
        cx, cy, bw, bh = (float(v) for v in parts[1:])
        objs.append(
            {
                "cls": CLASS_INDEX[class_map[k]],
                "box": aabb_to_box(cx * w, cy * h, bw * w, bh * h),
                "oriented": False,
                "difficult": 0,
            }
        )
    return objs


def median_long_side(objs: list[dict]) -> float:
    return float(np.median([o["box"][2] for o in objs]))


class Builder:
    def __init__(self, data: Path, cache: Path):
        self.data = data
        self.cache = cache
        for sub in ("images", "eval", "backgrounds"):
            (cache / sub).mkdir(parents=True, exist_ok=True)
        self.train: list[dict] = []
        self.eval: list[dict] = []
        self.backgrounds: list[dict] = []
        self.splits: list[dict] = []

    def rel(self, p: Path) -> str:
        return p.relative_to(self.data).as_posix()

    def add(
        self,
        source: str,
        img_path: Path,
        label_path: Path,
        label_format: str,
        class_map: dict,
        gsd: float,
        gsd_note: str,
        objs: list[dict],
        held_out: bool,
        complete: list[int],
        label_scale: float = 1.0,
        test_fraction_x: float | None = None,
    ) -> None:
        img = read_rgb(img_path)
        H, W = img.shape[:2]
        factor = gsd / MODEL_GSD_M
        ident = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{source}__{img_path.stem}")[:120]
        entry = {
            "source": source,
            "path": self.rel(img_path),
            "labels": self.rel(label_path),
            "labelFormat": label_format,
            "labelScale": label_scale,
            "classMap": class_map,
            "width": W,
            "height": H,
            "gsdMeters": round(gsd, 5),
            "gsdNote": gsd_note,
            "objects": len(objs),
        }
        # The whole image at model GSD, for evaluation (held-out files and DOTA test regions).
        if held_out or test_fraction_x is not None:
            whole, fx, fy = resample(img, factor)
            cv2.imwrite(str(self.cache / "eval" / f"{ident}.png"), cv2.cvtColor(whole, cv2.COLOR_RGB2BGR))
            test_col0_src = None
            ev_objs = []
            for o in objs:
                in_test = held_out or o["box"][0] >= test_fraction_x * W
                if in_test:
                    ev_objs.append({**o, "box": scale_box(o["box"], fx, fy)})
            if not held_out:
                test_col0_src = test_fraction_x * W
            self.eval.append(
                {
                    "id": ident,
                    "source": source,
                    "file": f"eval/{ident}.png",
                    "scale": [fx, fy],
                    "testCol0Model": None if test_col0_src is None else test_col0_src * fx,
                    "objects": ev_objs,
                    "complete": complete,
                }
            )
        if held_out:
            entry["heldOut"] = True
            entry["testRegion"] = None
            entry["testObjects"] = len(objs)
        else:
            entry["heldOut"] = False
            if test_fraction_x is not None:
                col0 = math.floor(test_fraction_x * W)  # training uses columns < col0 only
                entry["testRegion"] = {"col0": col0, "row0": 0, "width": W - col0, "height": H}
                entry["testRule"] = (
                    f"objects whose centre col >= {test_fraction_x} * width ({test_fraction_x * W:.1f}) "
                    f"are test objects; training uses source columns < {col0} only"
                )
                train_img = img[:, :col0]
                train_objs = [o for o in objs if o["box"][0] < test_fraction_x * W]
                entry["testObjects"] = len(objs) - len(train_objs)
            else:
                entry["testRegion"] = None
                entry["testObjects"] = 0
                train_img, train_objs = img, objs
            small, fx, fy = resample(train_img, factor)
            cv2.imwrite(str(self.cache / "images" / f"{ident}.png"), cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
            self.train.append(
                {
                    "id": ident,
                    "source": source,
                    "file": f"images/{ident}.png",
                    "width": small.shape[1],
                    "height": small.shape[0],
                    "complete": complete,
                    "objects": [{**o, "box": scale_box(o["box"], fx, fy)} for o in train_objs],
                }
            )
        self.splits.append(entry)

    def add_background(self, path: Path, gsd: float, ident: str) -> None:
        img = read_rgb(path)
        small, _, _ = resample(img, gsd / MODEL_GSD_M)
        cv2.imwrite(str(self.cache / "backgrounds" / f"{ident}.png"), cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
        self.backgrounds.append({"id": ident, "file": f"backgrounds/{ident}.png", "path": self.rel(path), "gsdMeters": gsd})


def build(data: Path, cache: Path, seed: int) -> dict:
    b = Builder(data, cache)
    dota_map = {c: c for c in ("small-vehicle", "large-vehicle", "ship", "plane")}

    # --- DOTA samples: spatial split (right 30 % is the test region).
    for img_rel, lab_rel, scale in (
        ("dota-samples/devkit/images/P1888.png", "dota-samples/devkit/labelTxt/P1888.txt", 1.0),
        ("dota-samples/devkit/images/P0706.png", "dota-samples/devkit/labelTxt/P0706.txt", 1.0),
        (
            "dota-samples/mmrotate-tests/images/P2805__1024__0___0.png",
            "dota-samples/mmrotate-tests/labelTxt/P2805__1024__0___0.txt",
            None,
        ),
    ):
        img_path, lab_path = data / img_rel, data / lab_rel
        if scale is None:
            # The PNG is 170 px but its labels are in the 1024 px tile grid: labels x 170/1024.
            w = read_rgb(img_path).shape[1]
            scale = w / 1024
        gsd, objs = parse_dota(lab_path, scale)
        if gsd is None:
            gsd = P2805_TILE_GSD_M / scale
            note = (
                f"assumed: no gsd header; the original 1024 px tile taken at {P2805_TILE_GSD_M} m "
                f"(typical DOTA Google Earth, planes ~35-45 m long = ~160 px), the PNG is that tile "
                f"downsampled to {round(scale * 1024)} px"
            )
        else:
            note = "label header gsd:"
        b.add(
            "dota-samples", img_path, lab_path, "dota-labeltxt", dota_map, gsd, note, objs,
            held_out=False, complete=DOTA_COMPLETE[img_path.stem],
            label_scale=scale, test_fraction_x=TEST_FRACTION_X,
        )

    # --- AerialArmour: seeded file split, ~20 % held out; armour recall only.
    root = data / "vehicles-aerialarmour-sat"
    names = sorted(p.name for p in (root / "images").iterdir())
    rng = random.Random(seed)
    order = names[:]
    rng.shuffle(order)
    held = set(order[: round(0.2 * len(order))])
    amap = {0: "armoured-vehicle", 15: "armoured-vehicle"}
    for name in names:
        img_path = root / "images" / name
        lab_path = root / "labels" / (Path(name).stem + ".txt")
        if not lab_path.exists():
            continue
        h, w = read_rgb(img_path).shape[:2]
        objs = parse_yolo(lab_path, w, h, amap)
        if not objs:
            continue
        gsd = min(1.0, max(0.03, ARMOUR_LENGTH_M / median_long_side(objs)))
        b.add(
            "vehicles-aerialarmour-sat", img_path, lab_path, "yolo", {str(k): v for k, v in amap.items()},
            gsd, f"estimated: median box long side = {ARMOUR_LENGTH_M} m", objs,
            held_out=name in held,
            complete=[CLASS_INDEX["armoured-vehicle"], CLASS_INDEX["ship"], CLASS_INDEX["plane"]],
        )

    # --- CATS drone: held out = Drone1 frames 5-6 and Drone2 n >= 445 (later in the video).
    root = data / "vehicles-cats-drone"
    cmap = {0: "small-vehicle"}
    for p in sorted((root / "images").iterdir()):
        m1 = re.match(r"^(\d+)_(\d+)$", p.stem)
        m2 = re.match(r"^Drone2_(\d+)$", p.stem)
        held_out = bool((m1 and int(m1.group(1)) in (5, 6)) or (m2 and int(m2.group(1)) >= 445))
        lab_path = root / "labels" / (p.stem + ".txt")
        h, w = read_rgb(p).shape[:2]
        objs = parse_yolo(lab_path, w, h, cmap)
        b.add(
            "vehicles-cats-drone", p, lab_path, "yolo", {"0": "small-vehicle"}, CATS_GSD_M,
            "README: ~4.5 cm/px (downsampled 8.9x)", objs, held_out=held_out,
            complete=[c for c in ALL if c != CLASS_INDEX["large-vehicle"]],
        )

    # --- Roboflow aerial cars: split by scene (seeded), ~20 % of images held out.
    root = data / "vehicles-aerialcars-roboflow"
    rmap = {0: "small-vehicle", 1: "small-vehicle", 2: "large-vehicle", 3: "large-vehicle"}
    files = sorted((root / sub / "images" / n) for sub in ("valid", "test") for n in sorted(
        x.name for x in (root / sub / "images").iterdir()))
    files = sorted(files, key=lambda p: p.relative_to(root).as_posix())

    def scene(p: Path) -> str:
        m = re.match(r"^(DJI[-_]\d+|MOS|MunichStreet\d+|harlem)", p.name)
        return m.group(1) if m else p.stem

    scenes = sorted({scene(p) for p in files})
    rng = random.Random(seed)
    rng.shuffle(scenes)
    held_scenes: set[str] = set()
    count = {s: sum(scene(p) == s for p in files) for s in scenes}
    for s in scenes:  # greedy: take scenes in shuffled order while the total stays <= 30 %
        if sum(count[h] for h in held_scenes) >= 0.2 * len(files):
            break
        if sum(count[h] for h in held_scenes) + count[s] <= 0.3 * len(files):
            held_scenes.add(s)
    for p in files:
        lab_path = p.parent.parent / "labels" / (p.stem + ".txt")
        h, w = read_rgb(p).shape[:2]
        objs = parse_yolo(lab_path, w, h, rmap)
        cars = [o for o in objs if o["cls"] == CLASS_INDEX["small-vehicle"]] or objs
        gsd = min(0.6, max(0.03, CAR_LENGTH_M / median_long_side(cars))) if cars else 0.2
        b.add(
            "vehicles-aerialcars-roboflow", p, lab_path, "yolo", {str(k): v for k, v in rmap.items()},
            gsd, f"estimated: median car box long side = {CAR_LENGTH_M} m", objs,
            held_out=scene(p) in held_scenes, complete=ALL,
        )

    # --- Backgrounds for copy-paste (unlabelled real imagery at known GSD).
    for p in sorted((data / "levir-cd" / "A").glob("*.png")) + sorted((data / "levir-cd" / "B").glob("*.png")):
        b.add_background(p, 0.5, f"levir_{p.parent.name}_{p.stem}")
    for p in sorted((data / "xbd-samples" / "images").glob("*.png")):
        meta = json.loads((data / "xbd-samples" / "labels" / (p.stem + ".json")).read_text())["metadata"]
        b.add_background(p, float(meta["pan_resolution"]), f"xbd_{p.stem}")
    for p in sorted((data / "sztaki-airchange").glob("*/*/im*.*")):
        if p.suffix.lower() == ".bmp":
            b.add_background(p, 1.5, f"sztaki_{p.parent.parent.name}_{p.parent.name}_{p.stem}")

    splits = {
        "schema": "sitewatch-detect-splits-v1",
        "modelGsdMeters": MODEL_GSD_M,
        "classes": CLASSES,
        "seed": seed,
        "root": "paths are relative to the shared data root (../shared/data)",
        "rules": {
            "dota-samples": "spatial: objects whose centre col >= 0.7 * width are test objects; "
            "testRegion is the right 30 % in source pixels; no pixel of it is used for training",
            "vehicles-aerialarmour-sat": f"by file: names shuffled with random.Random({seed}), first 20 % held out; "
            "trucks are unlabelled, so it measures armoured-vehicle recall only",
            "vehicles-cats-drone": "by time: Drone1 frames 5-6 and Drone2 frames n >= 445 held out "
            "(same street as training, later in the video)",
            "vehicles-aerialcars-roboflow": f"by scene (file-name prefix DJI_nnnn, MOS, MunichStreetNN, harlem): "
            f"scenes shuffled with random.Random({seed}), taken in that order while the held-out total stays <= 30 %, until >= 20 % of images",
        },
        "labelFormats": {
            "dota-labeltxt": "x1 y1 ... x4 y4 class difficult per line (pixels x labelScale)",
            "yolo": "class cx cy w h normalised to the image size; axis-aligned; classMap maps the id",
        },
        "images": b.splits,
    }
    dataset = {
        "modelGsdMeters": MODEL_GSD_M,
        "classes": CLASSES,
        "seed": seed,
        "train": b.train,
        "eval": b.eval,
        "backgrounds": b.backgrounds,
    }
    return splits, dataset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="output folder (default training/.cache or $SITEWATCH_TRAIN_CACHE)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = shared_data_root()
    cache = cache_root(args.cache)
    splits, dataset = build(data, cache, args.seed)
    SPLITS_PATH.write_text(dump_json(splits))
    (cache / "dataset.json").write_text(json.dumps(dataset))
    n_train = sum(len(t["objects"]) for t in dataset["train"])
    n_eval = sum(len(e["objects"]) for e in dataset["eval"])
    per = {c: [0, 0] for c in CLASSES}
    for t in dataset["train"]:
        for o in t["objects"]:
            per[CLASSES[o["cls"]]][0] += 1
    for e in dataset["eval"]:
        for o in e["objects"]:
            per[CLASSES[o["cls"]]][1] += 1
    print(f"train images {len(dataset['train'])} objects {n_train}; eval images {len(dataset['eval'])} "
          f"objects {n_eval}; backgrounds {len(dataset['backgrounds'])}")
    for c, (a, b2) in per.items():
        print(f"  {c:18s} train {a:5d}  held-out {b2:5d}")
    print(f"wrote {SPLITS_PATH} and {cache / 'dataset.json'}")


if __name__ == "__main__":
    main()
