#!/usr/bin/env bash
# The main job on a fresh machine: build libbuffers and run its demo (a buffer within 2 GiB of a
# function and one in the first 2 GiB, with code written into each).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
need_packages cmake make gcc g++
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DBUFFERS_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo --target buffers_demo -j2 >/dev/null
exec build/demo/native/examples/buffers_demo
