"""Export the best checkpoint to models/sitewatch-vehicles/model.onnx with its descriptor, then
verify the ONNX file: the onnx checker (Debian python3-onnx, when installed) and a comparison
of its outputs under onnxruntime-node (the project's own runtime, from node_modules) with the
torch outputs on a real held-out tile.

    /usr/bin/python3 training/export.py [--checkpoint PATH] [--version 1.0.0] [--opset 13]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CLASSES, INPUT_SIZE, MODEL_DIR, MODEL_GSD_M, REPO_ROOT, STRIDE, cache_root, dump_json  # noqa: E402
from model import CenterNetSmall  # noqa: E402

OUTPUTS = ["heatmap", "box", "angle"]

LICENCE = (
    "Weights: CC BY-NC-SA 4.0, for research and evaluation only. They were trained on research-use "
    "data (DOTA samples: academic use only; AerialArmourAquisition and CATS drone images: no licence, "
    "research/testing only; Roboflow Aerial Cars: public domain; backgrounds from LEVIR-CD (academic), "
    "xBD (CC BY-NC-SA 4.0) and SZTAKI AirChange (scientific use)); see MODEL_CARD.md. "
    "No commercial use."
)

# onnxruntime-node check, run with the repository's node_modules. argv: model, input, shape json.
NODE_CHECK = r"""
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
const [model, input, shapeJson, outPrefix] = process.argv.slice(1);
const shape = JSON.parse(shapeJson);
const buf = readFileSync(input);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const session = await ort.InferenceSession.create(model);
const out = await session.run({ image: new ort.Tensor('float32', data, shape) });
const names = [];
for (const [name, t] of Object.entries(out)) {
  writeFileSync(`${outPrefix}.${name}.f32`, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  names.push({ name, dims: t.dims });
}
console.log(JSON.stringify({ inputs: session.inputNames, outputs: names }));
"""


def descriptor(version: str) -> dict:
    return {
        "id": "sitewatch-vehicles",
        "version": version,
        "description": (
            "sitewatch default detector: small CenterNet-style network (anchor-free, oriented boxes) "
            f"for {', '.join(CLASSES)} in RGB imagery at {MODEL_GSD_M} m GSD. Trained by training/ "
            "on ~2,300 labelled objects: a starting point, not a production model (see MODEL_CARD.md)."
        ),
        "layout": "sitewatch-centernet-v1",
        "classes": CLASSES,
        "inputWidth": INPUT_SIZE,
        "inputHeight": INPUT_SIZE,
        "bands": ["red", "green", "blue"],
        "normalisation": {"scale": 1 / 255, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0], "stretch": "none"},
        "gsdMeters": MODEL_GSD_M,
        "stride": STRIDE,
        "maxDetectionsPerTile": 300,
        "nmsIou": 0.3,
        "licence": LICENCE,
    }


def reference_tile(cache: Path) -> np.ndarray:
    """A real held-out tile (the first eval image), [1, 3, S, S] in [0, 1]."""
    import cv2

    ds = json.loads((cache / "dataset.json").read_text())
    for e in ds["eval"]:
        img = cv2.cvtColor(cv2.imread(str(cache / e["file"])), cv2.COLOR_BGR2RGB)
        if img.shape[0] >= INPUT_SIZE and img.shape[1] >= INPUT_SIZE:
            tile = img[:INPUT_SIZE, -INPUT_SIZE:]
            return (tile.astype(np.float32) / 255.0).transpose(2, 0, 1)[None].copy()
    raise SystemExit("no held-out image large enough for a reference tile")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache")
    ap.add_argument("--checkpoint", help="default <cache>/checkpoints/best.pt")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--out", default=str(MODEL_DIR))
    args = ap.parse_args()
    torch.set_num_threads(2)
    cache = cache_root(args.cache)
    ckpt_path = Path(args.checkpoint) if args.checkpoint else cache / "checkpoints" / "best.pt"
    state = torch.load(ckpt_path, map_location="cpu")
    model = CenterNetSmall()
    model.load_state_dict(state["model"])
    model.eval()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "model.onnx"
    dummy = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    torch.onnx.export(
        model,
        dummy,
        str(onnx_path),
        input_names=["image"],
        output_names=OUTPUTS,
        dynamic_axes={"image": {0: "batch"}, **{n: {0: "batch"} for n in OUTPUTS}},
        opset_version=args.opset,
        do_constant_folding=True,
    )
    desc = descriptor(args.version)
    (out / "descriptor.json").write_text(dump_json(desc))
    size_mb = onnx_path.stat().st_size / 1e6
    print(f"wrote {onnx_path} ({size_mb:.2f} MB) from {ckpt_path} (epoch {state['epoch']}) and descriptor.json")

    try:
        import onnx

        m = onnx.load(str(onnx_path))
        onnx.checker.check_model(m)
        print(f"onnx checker: ok (opset {m.opset_import[0].version}, onnx {onnx.__version__})")
    except ImportError:
        print("onnx checker: skipped (python3-onnx not installed)")

    # Compare with onnxruntime-node on a real held-out tile, batch of 2 (the dynamic axis).
    x = np.concatenate([reference_tile(cache), np.flip(reference_tile(cache), axis=3)], axis=0).copy()
    with torch.no_grad():
        ref = [t.numpy() for t in model(torch.from_numpy(x))]
    tmp = cache / "onnx-check"
    tmp.mkdir(exist_ok=True)
    (tmp / "input.f32").write_bytes(x.astype(np.float32).tobytes())
    proc = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_CHECK, str(onnx_path), str(tmp / "input.f32"),
         json.dumps(list(x.shape)), str(tmp / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        print(f"onnxruntime-node check: could not run ({proc.stderr.strip()[-400:]})")
        sys.exit(1)
    worst = 0.0
    for name, r in zip(OUTPUTS, ref):
        got = np.frombuffer((tmp / f"out.{name}.f32").read_bytes(), dtype=np.float32).reshape(r.shape)
        err = float(np.abs(got - r).max())
        worst = max(worst, err)
        print(f"onnxruntime-node vs torch: {name} {list(r.shape)} max |diff| {err:.2e}")
    if worst > 1e-3:
        print("ONNX outputs differ from torch by more than 1e-3")
        sys.exit(1)
    print("onnxruntime-node check: ok")


if __name__ == "__main__":
    main()
