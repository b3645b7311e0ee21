"""Train the default detector (CenterNetSmall) on the prepared chips. Seeded and deterministic
data order; a checkpoint after every epoch (`last.pt`, and `best.pt` for the lowest mean
training loss so far), so a stop keeps the best model so far.

    /usr/bin/python3 training/train.py --seed 0 [--epochs 8] [--chips-per-epoch 240]
        [--chip 128] [--batch 8] [--device cpu|cuda] [--threads 2] [--max-minutes 35]
        [--stop-after EPOCH]

Chips are generated on the fly by augment.ChipSampler, a pure function of (seed, index), so
two runs with the same arguments see the same data in the same order.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from augment import ChipSampler  # noqa: E402
from common import CLASSES, STRIDE, cache_root, seeded_everything  # noqa: E402
from model import CenterNetSmall, count_parameters  # noqa: E402

C = len(CLASSES)


def gaussian_radius(h: float, w: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius for which a box shifted by it keeps IoU >= min_overlap (cells)."""
    b1 = h + w
    c1 = w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 * b1 - 4 * c1)) / 2
    b2 = 2 * (h + w)
    c2 = (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 * b2 - 16 * c2)) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (h + w)
    c3 = (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def make_targets(objs: np.ndarray, chip: int):
    """Dense targets at stride STRIDE for one chip."""
    S = chip // STRIDE
    hm = np.zeros((C, S, S), dtype=np.float32)
    reg = np.zeros((4, S, S), dtype=np.float32)
    reg_mask = np.zeros((S, S), dtype=np.float32)
    ang = np.zeros((2, S, S), dtype=np.float32)
    ang_mask = np.zeros((S, S), dtype=np.float32)
    yy, xx = np.mgrid[0:S, 0:S]
    for k, cx, cy, w, h, t, ori in objs:
        if w < 1 or h < 1:
            continue
        fx, fy = cx / STRIDE, cy / STRIDE
        i, j = int(fx), int(fy)
        if not (0 <= i < S and 0 <= j < S):
            continue
        # Size-adaptive radius from the box's axis-aligned extent in output cells.
        ew = (abs(math.cos(t)) * w + abs(math.sin(t)) * h) / STRIDE
        eh = (abs(math.sin(t)) * w + abs(math.cos(t)) * h) / STRIDE
        r = max(1, int(gaussian_radius(eh, ew)))
        sigma = (2 * r + 1) / 6
        x0, x1, y0, y1 = max(0, i - r), min(S, i + r + 1), max(0, j - r), min(S, j + r + 1)
        g = np.exp(-((xx[y0:y1, x0:x1] - i) ** 2 + (yy[y0:y1, x0:x1] - j) ** 2) / (2 * sigma * sigma))
        k = int(k)
        hm[k, y0:y1, x0:x1] = np.maximum(hm[k, y0:y1, x0:x1], g)
        reg[:, j, i] = (fx - i, fy - j, math.log(w), math.log(h))
        reg_mask[j, i] = 1
        if ori > 0:
            # Angle of near-square boxes is ill-defined: weight by elongation.
            ang[:, j, i] = (math.cos(2 * t), math.sin(2 * t))
            ang_mask[j, i] = min(1.0, max(0.0, (w / h - 1.0) / 0.5))
    return hm, reg, reg_mask, ang, ang_mask


def make_batch(sampler: ChipSampler, indices, chip: int):
    imgs, hms, regs, rms, angs, ams, comps = [], [], [], [], [], [], []
    for idx in indices:
        img, objs, complete = sampler.sample(int(idx))
        hm, reg, rm, ang, am = make_targets(objs, chip)
        imgs.append(img)
        hms.append(hm)
        regs.append(reg)
        rms.append(rm)
        angs.append(ang)
        ams.append(am)
        comps.append(complete)
    x = torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float().div_(255.0)
    t = [torch.from_numpy(np.stack(a)) for a in (hms, regs, rms, angs, ams, comps)]
    return x, t


def losses(model: CenterNetSmall, x, targets):
    hm_t, reg_t, reg_m, ang_t, ang_m, complete = targets
    logits, box, ang = model.raw(x)
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = hm_t.eq(1).float()
    neg_w = torch.pow(1 - hm_t, 4) * (1 - pos) * complete[:, :, None, None]
    pos_loss = (torch.log(p) * torch.pow(1 - p, 2) * pos).sum()
    neg_loss = (torch.log(1 - p) * torch.pow(p, 2) * neg_w).sum()
    n = pos.sum().clamp(min=1)
    l_hm = -(pos_loss + neg_loss) / n
    m = reg_m[:, None]
    nm = reg_m.sum().clamp(min=1)
    l_off = (torch.abs(box[:, :2] - reg_t[:, :2]) * m).sum() / nm
    l_size = (torch.abs(box[:, 2:4] - reg_t[:, 2:4]) * m).sum() / nm
    a = ang / torch.sqrt((ang * ang).sum(1, keepdim=True) + 1e-6)
    am = ang_m[:, None]
    l_ang = (torch.abs(a - ang_t) * am).sum() / am.sum().clamp(min=1)
    total = l_hm + l_off + l_size + 0.5 * l_ang
    return total, {"hm": l_hm.item(), "off": l_off.item(), "size": l_size.item(), "ang": l_ang.item()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--chips-per-epoch", type=int, default=240)
    ap.add_argument("--chip", type=int, default=128, help="training chip size (the net is fully convolutional)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--max-minutes", type=float, default=35.0, help="stop before an epoch that would end past this wall time"
    )
    ap.add_argument(
        "--stop-after",
        type=int,
        help="stop after this epoch (0-based) although the LR schedule spans --epochs; "
        "reproduces a run that --max-minutes cut short",
    )
    ap.add_argument("--cache", help="prepared data folder (default training/.cache)")
    ap.add_argument("--out", help="checkpoint folder (default <cache>/checkpoints)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    seeded_everything(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    cache = cache_root(args.cache)
    out = Path(args.out) if args.out else cache / "checkpoints"
    out.mkdir(parents=True, exist_ok=True)
    device = torch.device(args.device)

    t_start = time.time()
    sampler = ChipSampler(cache, args.seed, size=args.chip)
    model = CenterNetSmall().to(device)
    steps_per_epoch = args.chips_per_epoch // args.batch
    total_steps = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    warm = max(1, min(50, total_steps // 10))

    def lr_at(step: int) -> float:
        if step < warm:
            return args.lr * (step + 1) / warm
        return args.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total_steps - warm)))

    print(
        f"params {count_parameters(model)}; {args.epochs} epochs x {steps_per_epoch} steps x batch {args.batch} "
        f"chips {args.chip}px; device {device}; threads {args.threads}; setup {time.time() - t_start:.1f}s",
        flush=True,
    )
    log = []
    best = math.inf
    step = 0
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        sums: dict[str, float] = {}
        for s in range(steps_per_epoch):
            base = (epoch * steps_per_epoch + s) * args.batch
            x, targets = make_batch(sampler, range(base, base + args.batch), args.chip)
            x = x.to(device)
            targets = [t.to(device) for t in targets]
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            loss, parts = losses(model, x, targets)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            step += 1
            for k, v in {"loss": loss.item(), **parts}.items():
                sums[k] = sums.get(k, 0.0) + v
            if s % 8 == 0:
                print(f"  epoch {epoch} step {s}/{steps_per_epoch} loss {loss.item():.3f} {parts}", flush=True)
        mean = {k: v / steps_per_epoch for k, v in sums.items()}
        elapsed = time.time() - t_start
        entry = {"epoch": epoch, "epochSeconds": round(time.time() - t0, 1), "elapsedSeconds": round(elapsed, 1), **mean}
        log.append(entry)
        print(json.dumps(entry), flush=True)
        state = {
            "model": model.state_dict(),
            "epoch": epoch,
            "args": vars(args),
            "meanLoss": mean["loss"],
            "log": log,
            "machine": f"{platform.node()} {platform.processor() or platform.machine()} torch {torch.__version__}",
        }
        torch.save(state, out / "last.pt")
        if mean["loss"] < best:
            best = mean["loss"]
            torch.save(state, out / "best.pt")
        if args.stop_after is not None and epoch >= args.stop_after:
            print(f"stopping after epoch {epoch} (--stop-after)")
            break
        if epoch + 1 < args.epochs and elapsed + entry["epochSeconds"] > args.max_minutes * 60:
            print(
                f"stopping after epoch {epoch}: another epoch would end past --max-minutes {args.max_minutes} "
                f"({elapsed / 60:.1f} min so far); the best checkpoint so far is kept"
            )
            break
    (out / "train-log.json").write_text(json.dumps({"args": vars(args), "log": log, "wallSeconds": time.time() - t_start}, indent=1))
    print(f"done in {(time.time() - t_start) / 60:.1f} min; best mean loss {best:.4f}; checkpoints in {out}")


if __name__ == "__main__":
    main()
