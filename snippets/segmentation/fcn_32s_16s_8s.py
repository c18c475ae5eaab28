"""FCN's skip architecture: adding the scores of finer layers to the upsampled
coarse scores sharpens the prediction, also for the smallest shapes.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 4.2 "Combining what and where": FCN-32s predicts
from the last layer alone; FCN-16s adds a 1x1 score layer on pool4 to the
2x-upsampled scores, FCN-8s also pool3's; the 2x upsamplings start as bilinear
interpolation and are learned, the final upsampling stays bilinear. Our images
are 16x16, so the three heads predict at strides 8, 4 and 2 instead of 32, 16
and 8.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
from torch import nn
import torch.nn.functional as F

from shapes import make_shapes

# same folder: metrics.py and tiny_unet.py
from metrics import confusion_matrix, mean_iou
from tiny_unet import conv

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
HEADS = ("32s", "16s", "8s")  # FCN's names; here strides 8, 4 and 2


# --8<-- [start:bilinear]
def bilinear_up2(channels: int) -> nn.ConvTranspose2d:
    """A 2x upsampling ConvTranspose2d initialised to bilinear interpolation:
    each channel to itself with the kernel outer([1, 3, 3, 1] / 4)."""
    up = nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1)
    k = torch.tensor([0.25, 0.75, 0.75, 0.25])
    with torch.no_grad():
        up.weight.zero_()
        up.bias.zero_()
        for c in range(channels):  # no mixing between classes at the start
            up.weight[c, c] = k[:, None] * k[None, :]
    return up


# --8<-- [end:bilinear]


# --8<-- [start:model]
def fuse(coarse: torch.Tensor, fine: torch.Tensor) -> torch.Tensor:
    """FCN's fusion: the upsampled coarse scores plus the finer layer's."""
    return coarse + fine


class SkipFCN(nn.Module):
    """One backbone, three heads: (N, 1, H, W) -> three (N, C, H, W) maps."""

    def __init__(self, w: int = 8, num_classes: int = 4):
        super().__init__()
        self.c1, self.c2 = conv(1, w), conv(w, 2 * w)  # strides 1, 2
        self.c3, self.c4 = conv(2 * w, 4 * w), conv(4 * w, 4 * w)  # 4, 8
        # 1x1 score layers on the stride-8, -4 and -2 features
        self.score8 = nn.Conv2d(4 * w, num_classes, 1)
        self.score4 = nn.Conv2d(4 * w, num_classes, 1)
        self.score2 = nn.Conv2d(2 * w, num_classes, 1)
        for s in (self.score4, self.score2):  # FCN: zero, so the finer
            nn.init.zeros_(s.weight)  # heads start from the coarse one
            nn.init.zeros_(s.bias)
        self.up8to4 = bilinear_up2(num_classes)  # learned, bilinear at first
        self.up4to2 = bilinear_up2(num_classes)

    def forward(self, x):
        f2 = self.c2(F.max_pool2d(self.c1(x), 2))  # (N, 2w, H/2, W/2)
        f4 = self.c3(F.max_pool2d(f2, 2))  # (N, 4w, H/4, W/4)
        f8 = self.c4(F.max_pool2d(f4, 2))  # (N, 4w, H/8, W/8)
        s8 = self.score8(f8)  # "32s": the coarsest scores alone
        s4 = fuse(self.up8to4(s8), self.score4(f4))  # "16s"
        s2 = fuse(self.up4to2(s4), self.score2(f2))  # "8s"
        # the final upsampling is fixed bilinear interpolation
        return [
            F.interpolate(s, scale_factor=f, mode="bilinear")
            for s, f in ((s8, 8), (s4, 4), (s2, 2))
        ]


# --8<-- [end:model]


# --8<-- [start:train]
def train(model: SkipFCN, data, epochs=5, batch=32, keep=1.0):
    """keep < 1: each pixel's loss is ignored with probability 1 - keep."""
    device = next(model.parameters()).device
    x, y = data["images"].to(device), data["masks"].to(device)
    opt = torch.optim.Adam(model.parameters())
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, 2e-2, total_steps=epochs * -(-len(x) // batch)
    )
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(batch):
            target = y[idx]
            if keep < 1:  # loss sampling (FCN, Section 4.3): -1 is ignored
                dropped = torch.rand(target.shape, device=device) >= keep
                target = target.masked_fill(dropped, -1)
            # the three heads train together on one backbone
            loss = sum(
                F.cross_entropy(s, target, ignore_index=-1)
                for s in model(x[idx])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


# --8<-- [end:train]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    # a bilinear ConvTranspose2d is F.interpolate(bilinear) away from the
    # border (at the border it pads with zeros where interpolate repeats)
    z = torch.randn(2, 4, 6, 6, device=device)
    up = bilinear_up2(4).to(device)(z)
    ref = F.interpolate(z, scale_factor=2, mode="bilinear")
    torch.testing.assert_close(up[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1])
    # --8<-- [end:check]

    # --8<-- [start:experiment]
    # 16x16 images: the heads see 2x2, 4x4 and 8x8 score maps
    kw = dict(size=16, max_shapes=2)
    data = make_shapes(600, min_side=5, max_side=9, seed=1, **kw)
    test = make_shapes(200, min_side=5, max_side=9, seed=2, **kw)
    small = make_shapes(200, min_side=5, max_side=6, seed=3, **kw)
    model = train(SkipFCN(w=12).to(device), data)
    miou = {}
    with torch.no_grad():
        for name, d in (("all", test), ("small", small)):
            target = d["masks"].to(device)
            for head, s in zip(HEADS, model(d["images"].to(device))):
                cm = confusion_matrix(s.argmax(1), target, 4)
                miou[name, head] = mean_iou(cm)
    # --8<-- [end:experiment]
    for name in ("all", "small"):
        coarse, mid, fine = (miou[name, h] for h in HEADS)
        assert coarse < mid < fine, (
            f"each fusion raises the mean IoU ({name} shapes): "
            f"{coarse}, {mid}, {fine}"
        )
        assert fine > coarse + 0.4, (
            f"the 8s head beats the 32s head by over 0.4 ({name} shapes): "
            f"{coarse}, {fine}"
        )
    # tolerances: the spread over 10 seeds and other CPUs' kernels
    tol = {"all": (0.03, 0.03, 0.03), "small": (0.03, 0.04, 0.05)}
    for head, t in zip(HEADS, tol["all"]):
        print(f"FCN-{head} head, mean IoU: {miou['all', head]:.3f} ±{t:g}")
    for head, t in zip(HEADS, tol["small"]):
        print(
            f"FCN-{head} head, mean IoU on small shapes: "
            f"{miou['small', head]:.3f} ±{t:g}"
        )


if __name__ == "__main__":
    main()
