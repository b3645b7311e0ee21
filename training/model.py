"""The default detector: a small anchor-free CenterNet-style network with the project's
`sitewatch-centernet-v1` output layout (see src/core/detect/detection.ts).

Input `image` [B, 3, H, W]: RGB scaled to [0, 1] (descriptor: scale 1/255, mean 0, std 1).
Outputs at stride 4:
- `heatmap` [B, C, H/4, W/4]: per-class centre scores, sigmoid applied;
- `box` [B, 4, H/4, W/4]: (dx, dy, w, h): centre ((i + dx) * 4, (j + dy) * 4), w x h in input
  pixels (exp applied in the graph);
- `angle` [B, 2, H/4, W/4]: (cos 2theta, sin 2theta) of the w side, unit length.
"""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from common import CLASSES, STRIDE


def cbr(cin: int, cout: int, stride: int = 1, k: int = 3) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Basic(nn.Module):
    """Residual block of two 3 x 3 convolutions."""

    def __init__(self, ch: int):
        super().__init__()
        self.a = cbr(ch, ch)
        self.b = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch))

    def forward(self, x):
        return F.relu(x + self.b(self.a(x)))


class CenterNetSmall(nn.Module):
    def __init__(self, num_classes: int = len(CLASSES), widths=(16, 24, 48, 64, 96), head: int = 32):
        super().__init__()
        w1, w4, w8, w16, w32 = widths
        self.stem = nn.Sequential(cbr(3, w1, 2), cbr(w1, w4, 2))  # stride 4
        self.s4 = Basic(w4)
        self.s8 = nn.Sequential(cbr(w4, w8, 2), Basic(w8), Basic(w8))
        self.s16 = nn.Sequential(cbr(w8, w16, 2), Basic(w16), Basic(w16))
        self.s32 = nn.Sequential(cbr(w16, w32, 2), Basic(w32))
        self.lat16 = cbr(w32 + w16, w16, k=1)
        self.fuse16 = cbr(w16, w16)
        self.lat8 = cbr(w16 + w8, w8, k=1)
        self.fuse8 = cbr(w8, w8)
        self.lat4 = cbr(w8 + w4, w4, k=1)
        self.fuse4 = cbr(w4, head)
        self.hm = nn.Sequential(cbr(head, head), nn.Conv2d(head, num_classes, 1))
        self.reg = nn.Sequential(cbr(head, head), nn.Conv2d(head, 4 + 2, 1))
        nn.init.constant_(self.hm[-1].bias, -4.6)  # prior 0.01
        with torch.no_grad():
            self.reg[-1].bias[2:4].fill_(2.5)  # log size of a ~12 px object
        self.stride = STRIDE

    @staticmethod
    def _up(x, ref):
        # Input sides are multiples of 32, so every level is exactly twice the next one; a
        # constant scale keeps the ONNX graph free of shape arithmetic.
        del ref
        return F.interpolate(x, scale_factor=2.0, mode="nearest")

    def features(self, x):
        x = x - 0.45  # centre the [0, 1] input
        c4 = self.s4(self.stem(x))
        c8 = self.s8(c4)
        c16 = self.s16(c8)
        c32 = self.s32(c16)
        p16 = self.fuse16(self.lat16(torch.cat([self._up(c32, c16), c16], 1)))
        p8 = self.fuse8(self.lat8(torch.cat([self._up(p16, c8), c8], 1)))
        p4 = self.fuse4(self.lat4(torch.cat([self._up(p8, c4), c4], 1)))
        return p4

    def raw(self, x):
        """Training outputs: heatmap logits, (dx, dy, log w, log h), raw (cos, sin)."""
        f = self.features(x)
        r = self.reg(f)
        return self.hm(f), r[:, :4], r[:, 4:6]

    def forward(self, x):
        logits, box, ang = self.raw(x)
        heatmap = torch.sigmoid(logits)
        box = torch.cat([box[:, :2], torch.exp(box[:, 2:4].clamp(max=8.0))], 1)
        angle = ang / torch.sqrt((ang * ang).sum(1, keepdim=True) + 1e-6)
        return heatmap, box, angle


def count_parameters(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


if __name__ == "__main__":
    m = CenterNetSmall()
    print("parameters", count_parameters(m))
    y = m(torch.zeros(2, 3, 256, 256))
    print([t.shape for t in y])
