#!/usr/bin/python3
"""Exports torchvision's ResNet-50 to TorchScript for `cce extract --model FILE`.

    python3 src/tools/export-resnet50.py resnet50-imagenet.pt            # ImageNet weights
    /usr/bin/python3 src/tools/export-resnet50.py --random target/resnet50-random.pt

The final fully connected layer is replaced by the identity, so the module returns the 2048
features after global average pooling (the paper's features) for [N, 3, H, W] inputs normalised
with ImageNet's mean and standard deviation. ImageNet weights are downloaded by torchvision (needs
network access); --random uses seeded random weights (for benchmarks; Debian's python3-torchvision
suffices). The module is traced at 224 x 224 and runs at other sizes too (96 x 96, ...).
"""
import argparse

import torch
import torchvision


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="TorchScript file to write")
    parser.add_argument("--random", action="store_true", help="random weights (seed 0)")
    args = parser.parse_args()
    torch.manual_seed(0)
    weights = None if args.random else "IMAGENET1K_V2"
    model = torchvision.models.resnet50(weights=weights).eval()
    model.fc = torch.nn.Identity()
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.rand(1, 3, 224, 224))
    traced.save(args.output)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
