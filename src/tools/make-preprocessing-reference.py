#!/usr/bin/python3
"""Makes the fixture images and torchvision's preprocessed tensors that PreprocessingTest compares
org.ccespark.features.Preprocessing with.

Run from the repository root with Debian's torchvision (apt-get install python3-torchvision;
CI never runs it):

    /usr/bin/python3 src/tools/make-preprocessing-reference.py

Writes into src/test/resources/org/ccespark/features/torchvision/:
  wide-rgb.png    600 x 400 RGB image drawn here (stripes, a checkerboard, gradients, circles),
                  so that shrinking it needs antialiasing
  small-grey.png  45 x 30 grey image (enlarged by the preprocessing)
  CASE.f32.gz     for each case: the [3, 224, 224] float32 tensor (little-endian, C order) that
                  torchvision's preset transforms give for the PNG opened with PIL and converted
                  to RGB, as torchvision's ImageFolder and reference scripts do
  reference.json  the cases, the versions used and summary statistics of each tensor

The cases are ResNet50_Weights.IMAGENET1K_V2.transforms() (resize 232, crop 224, the weights
docs/image-features.md recommends) and IMAGENET1K_V1.transforms() (resize 256, crop 224). With a
PIL image these resize with PIL's bilinear filter, which antialiases when shrinking and rounds to
8 bits; PNG is used (not JPEG) so that Java and PIL decode exactly the same pixels.
"""
import gzip
import json
import math
import os

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torchvision.models import ResNet50_Weights

OUT = "src/test/resources/org/ccespark/features/torchvision"


def wide_rgb(w=600, h=400):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 127.5 + 127.5 * np.sin(x * 0.9) * (x < w / 3)  # one-pixel-scale stripes: aliasing bait
    r += ((x // 3 + y // 3) % 2) * 255 * (x >= w / 3) * (x < 2 * w / 3)  # 3-pixel checkerboard
    r += (x * 255.0 / w) * (x >= 2 * w / 3)
    g = 255 * (((x - 300) ** 2 + (y - 200) ** 2) ** 0.5 % 20 < 7)  # rings
    b = (y * 255.0 / h + 40 * np.cos(y * 1.7)) % 256
    img = np.stack([r, g, b], axis=-1)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def small_grey(w=45, h=30):
    y, x = np.mgrid[0:h, 0:w]
    v = (7 * y + 13 * x + (x * y) % 17) % 256
    return Image.fromarray(v.astype(np.uint8), "L")


CASES = [
    ("wide-rgb-v2", "wide-rgb.png", "IMAGENET1K_V2"),
    ("wide-rgb-v1", "wide-rgb.png", "IMAGENET1K_V1"),
    ("small-grey-v2", "small-grey.png", "IMAGENET1K_V2"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    wide_rgb().save(os.path.join(OUT, "wide-rgb.png"), optimize=True)
    small_grey().save(os.path.join(OUT, "small-grey.png"), optimize=True)
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "pillow": PIL.__version__, "cases": []}
    for name, png, weights in CASES:
        preset = ResNet50_Weights[weights].transforms()
        img = Image.open(os.path.join(OUT, png)).convert("RGB")
        with torch.no_grad():
            x = preset(img)
        assert x.dtype == torch.float32 and tuple(x.shape) == (3, 224, 224), x.shape
        with gzip.GzipFile(os.path.join(OUT, name + ".f32.gz"), "wb", mtime=0) as f:
            f.write(x.numpy().astype("<f4").tobytes())
        meta["cases"].append({
            "name": name, "image": png, "weights": weights,
            "width": img.width, "height": img.height,
            "resize": preset.resize_size[0], "crop": preset.crop_size[0],
            "interpolation": str(preset.interpolation),
            "shape": list(x.shape), "sum": float(x.double().sum()),
            "min": float(x.min()), "max": float(x.max()),
            "first": [float(v) for v in x.flatten()[:5]],
        })
    with open(os.path.join(OUT, "reference.json"), "w") as out:
        json.dump(meta, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
