"""VGG's scale jittering rescales each training image so that its shorter side
is a random S in [S_min, S_max], then crops 224x224: the crop size is fixed,
the scale of the object in it varies from draw to draw.

Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR, section 3.1 (training image size: S fixed at 256 or
384, or multi-scale training with S sampled from [256, 512] for each image,
"scale jittering"; a random 224x224 crop), section 4.2 (multi-scale evaluation).
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:jitter]
def scale_jitter(img, s_min=256, s_max=512, crop=224, gen=None):
    """img (C, H, W) -> (C, crop, crop): shorter side rescaled to a random
    S ~ U{s_min..s_max}, then a random crop. Returns the crop, S, the
    rescaled image."""
    s = int(torch.randint(s_min, s_max + 1, (1,), generator=gen))
    h, w = img.shape[-2:]
    size = (round(h * s / min(h, w)), round(w * s / min(h, w)))
    big = F.interpolate(img[None], size=size, mode="bilinear", antialias=True)
    top = int(torch.randint(0, size[0] - crop + 1, (1,), generator=gen))
    left = int(torch.randint(0, size[1] - crop + 1, (1,), generator=gen))
    return big[0, :, top : top + crop, left : left + crop], s, big[0]


# --8<-- [end:jitter]


def object_width(img: torch.Tensor) -> int:
    """Columns where the bright square covers at least half a pixel."""
    return int((img[0].amax(dim=0) > 0.5).sum())


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator().manual_seed(SEED)
    img = torch.zeros(3, 300, 400, device=device)  # shorter side 300
    img[:, 120:180, 170:230] = 1.0  # a 60x60 "object"
    # --8<-- [start:check]
    s_min, s_max = 256, 512
    widths = []
    for _ in range(20):  # 20 training draws of the same image
        out, s, big = scale_jitter(img, s_min, s_max, gen=gen)
        assert out.shape == (3, 224, 224), out.shape
        assert min(big.shape[1:]) == s  # shorter side is S
        assert abs(object_width(big) - 60 * s / 300) <= 2  # object scales
        widths.append(object_width(big))
    assert max(widths) > 1.3 * min(widths), "the object's scale varies"
    # --8<-- [end:check]
    ends = {}
    for s in (s_min, s_max):
        ends[s] = object_width(scale_jitter(img, s, s, gen=gen)[2])
    assert ends[s_max] >= 1.9 * ends[s_min], ends
    print(f"crop size, every draw: {tuple(out.shape)}")
    print(f"object width at S = {s_min} (pixels): {ends[s_min]}")
    print(f"object width at S = {s_max} (pixels): {ends[s_max]}")
    print(f"object width varies across 20 draws: {len(set(widths)) > 1}")


if __name__ == "__main__":
    main()
