#!/usr/bin/env bash
# Runs scripts/addon-parity.mjs against prebuilds/linux-arm64 on an x86-64 Debian machine: Debian's
# arm64 Node (bookworm: Node 18) under qemu-user-static. The arm64 packages are only downloaded and
# unpacked into a folder (dpkg -x), never installed, so the machine's own amd64 node is untouched.
#
#   bash scripts/arm64-parity.sh [addon.node]      (default prebuilds/linux-arm64/*.node)
#   ARM64_ROOT=dir   where the unpacked arm64 root is kept (default ~/.cache/native-mlp/arm64-root)
#
# Needs root for `dpkg --add-architecture arm64` and `apt-get update` the first time (the arm64
# package lists), and qemu-user-static. About 10 s of qemu time once the root is unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."

ADDON=${1:-$(ls prebuilds/linux-arm64/*.node 2>/dev/null | head -1)}
if [[ -z "$ADDON" || ! -f "$ADDON" ]]; then
  echo "arm64-parity: no arm64 addon (run npm run prebuildify:arm64 first)" >&2
  exit 2
fi
ROOT=${ARM64_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/native-mlp/arm64-root}
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [[ -z "$QEMU" ]]; then
  echo "arm64-parity: qemu-user-static is not installed (apt-get install qemu-user-static)" >&2
  exit 2
fi

# Debian's nodejs:arm64 and the shared libraries it loads (the JavaScript packages node-acorn,
# node-cjs-module-lexer and node-undici are Architecture: all; Debian's node loads them from
# /usr/share/nodejs).
PACKAGES=(nodejs libnode108 libbrotli1 libc-ares2 libc6 libicu72 libnghttp2-14 libssl3 libstdc++6 libgcc-s1 libuv1 zlib1g)
if [[ ! -x "$ROOT/usr/bin/node" ]]; then
  echo "arm64-parity: unpacking Debian's arm64 node into $ROOT"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  DEBS=$(mktemp -d)
  chmod 755 "$DEBS"; chown _apt "$DEBS" 2>/dev/null || true  # apt downloads as _apt
  (cd "$DEBS" && apt-get download -qq "${PACKAGES[@]/%/:arm64}" node-acorn node-cjs-module-lexer node-undici)
  mkdir -p "$ROOT"
  for deb in "$DEBS"/*.deb; do dpkg -x "$deb" "$ROOT"; done
  rm -rf "$DEBS"
fi

LIBS="$ROOT/lib/aarch64-linux-gnu:$ROOT/usr/lib/aarch64-linux-gnu"
echo "arm64-parity: $ADDON with Debian's arm64 node under $QEMU"
LD_LIBRARY_PATH="$LIBS" "$QEMU" -L "$ROOT" "$ROOT/usr/bin/node" scripts/addon-parity.mjs "$ADDON"
