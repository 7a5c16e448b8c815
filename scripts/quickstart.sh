#!/bin/bash
# quickstart.sh - install what is missing, build memscry, and list the
# processes of the bundled sample dump (a real QEMU guest, Debian 6.1 kernel)
# as a tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMEMSCRY_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
[ -f build/samples/dev-small.elf ] || { mkdir -p build/samples && xz -dc samples/dev-small.elf.xz > build/samples/dev-small.elf; }
set -x
build/bin/memscry -f build/samples/dev-small.elf -s samples/symbols linux.pstree.PsTree
