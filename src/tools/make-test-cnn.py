#!/usr/bin/python3
"""Makes the TorchScript test model of org.ccespark.features and the outputs DJL must reproduce.

Run from the repository root with Debian's torch (apt-get install python3-torch; CI never runs it):

    /usr/bin/python3 src/tools/make-test-cnn.py

Writes into src/test/resources/org/ccespark/features/:
  tiny-cnn.pt             a scripted CNN (seeded weights): forward(x) returns the tuple
                          (features [N,16], logits [N,4]); an exported method embed(x) returns
                          features * 2 (to test choosing a method by name)
  tiny-classifier.pt      a scripted CNN with an ImageNet-sized head, as torchvision's
                          classifiers have: forward(x) returns fc(features) with fc a
                          Linear(8, 1000) (1000 "class scores"), an exported method
                          features(x) the 8 pooled features (to test that class scores are
                          refused and that --layer features is taken)
  tiny-cnn-expected.json  inputs and the outputs computed here by torch:
                          "raw": forward's two outputs and embed's for a [3,3,32,32] input
                          whose flat element k is sin(0.37 k) * 2;
                          "classifier": tiny-classifier's features(x) for the same input;
                          "images": small synthetic uint8 images (pixel formula below), the
                          preprocessing of cce-spark done by torchvision on a PIL image, as
                          the ResNet-50 weights' preset transforms do it (grey converted to
                          RGB, Resize(resize) with PIL's bilinear filter, CenterCrop(size),
                          ToTensor, Normalize with ImageNet's mean and standard deviation),
                          and the model's features for them.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

OUT = "src/test/resources/org/ccespark/features"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16, 4)

    def features(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x):
        f = self.features(x)
        return f, self.fc(f)

    @torch.jit.export
    def embed(self, x):
        return self.features(x) * 2


class TinyClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8, 1000)

    @torch.jit.export
    def features(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(F.relu(self.conv1(x)), 1), 1)

    def forward(self, x):
        return self.fc(self.features(x))


def pixel(i, y, x, c):
    """The synthetic image formula, the same as in the Java test."""
    return (7 * y + 13 * x + 29 * c + 31 * i + (x * y) % 17) % 256


def synthetic(i, h, w, ch):
    t = torch.zeros((h, w, ch), dtype=torch.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(ch):
                t[y, x, c] = pixel(i, y, x, c)
    return t


def preprocess(hwc, size, resize):
    arr = hwc.numpy()
    img = Image.fromarray(arr[:, :, 0], "L") if arr.shape[2] == 1 else Image.fromarray(arr, "RGB")
    pipeline = transforms.Compose([
        transforms.Resize(resize, interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.CenterCrop(size),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])
    return pipeline(img.convert("RGB"))


def compact(value):
    """JSON with floats at 8 significant digits (the test compares within 1e-5)."""
    if isinstance(value, float):
        return "%.8g" % value
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + compact(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(compact(v) for v in value) + "]"
    return json.dumps(value)


def main():
    torch.manual_seed(20261127)
    model = TinyCnn()
    # Non-trivial batch-norm statistics, so that eval mode matters.
    with torch.no_grad():
        model.bn1.running_mean.uniform_(-0.2, 0.2)
        model.bn1.running_var.uniform_(0.5, 1.5)
    model.eval()
    scripted = torch.jit.script(model)
    os.makedirs(OUT, exist_ok=True)
    scripted.save(os.path.join(OUT, "tiny-cnn.pt"))

    expected = {"torch": torch.__version__, "mean": MEAN, "std": STD}
    raw = torch.tensor([math.sin(0.37 * k) * 2.0 for k in range(3 * 3 * 32 * 32)],
                       dtype=torch.float32).view(3, 3, 32, 32)
    with torch.no_grad():
        f, logits = scripted(raw)
        emb = scripted.embed(raw)
    expected["raw"] = {"shape": list(raw.shape), "formula": "sin(0.37 k) * 2, k = flat index",
                       "features": f.tolist(), "logits": logits.tolist(),
                       "embed": emb.tolist()}

    classifier = torch.jit.script(TinyClassifier().eval())
    classifier.save(os.path.join(OUT, "tiny-classifier.pt"))
    with torch.no_grad():
        assert classifier(raw).shape == (3, 1000)
        expected["classifier"] = {"features": classifier.features(raw).tolist()}

    size, resize = 32, 36
    images = []
    for i, (h, w, ch) in enumerate([(28, 28, 1), (30, 40, 3), (50, 36, 3), (36, 36, 1)]):
        img = synthetic(i, h, w, ch)
        x = preprocess(img, size, resize)
        with torch.no_grad():
            feats = scripted(x.unsqueeze(0))[0][0]
        entry = {"index": i, "height": h, "width": w, "channels": ch, "features": feats.tolist()}
        if i < 2:  # the full preprocessed tensor of two images (grey square, RGB wide)
            entry["preprocessed"] = x.flatten().tolist()
        images.append(entry)
    expected["images"] = {"inputSize": size, "resize": resize, "images": images}
    with open(os.path.join(OUT, "tiny-cnn-expected.json"), "w") as out:
        out.write(compact(expected))
        out.write("\n")


if __name__ == "__main__":
    main()
