#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs the
# native suites (hostile calls in child processes, the kernel suites at every ISA) against that build. Exits
# non-zero on any sanitizer report or test failure.
#
#   scripts/sanitize.sh            build + test
#   SKIP_BUILD=1 scripts/sanitize.sh   reuse build-asan/
#
# How: node itself is not instrumented, so the ASan runtime is preloaded (LD_PRELOAD) into every
# node process (vitest, its fork workers, the hostile-call children all inherit the environment).
# Leak checking is off (node and V8 keep allocations alive until exit by design). UBSan is built
# with -fno-sanitize-recover=undefined, so undefined behaviour aborts; reports also go to files
# under build-asan/reports/, which this script checks after the run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/build-asan"
ADDON="$OUT/Release/native_mlp.node"
REPORTS="$OUT/reports"

if ! command -v g++ >/dev/null 2>&1; then
  echo "sanitize.sh: g++ not found (needed for the sanitizer runtimes)" >&2
  exit 2
fi

if [[ "${SKIP_BUILD:-0}" != "1" || ! -f "$ADDON" ]]; then
  echo "sanitize.sh: building $ADDON with -fsanitize=address,undefined"
  node node_modules/cmake-js/bin/cmake-js rebuild --out "$OUT" --CDNATIVE_MLP_SANITIZE=ON
fi
if [[ ! -f "$ADDON" ]]; then
  echo "sanitize.sh: build did not produce $ADDON" >&2
  exit 2
fi

LIBASAN=$(g++ -print-file-name=libasan.so)
if [[ ! -e "$LIBASAN" || "$LIBASAN" == "libasan.so" ]]; then
  echo "sanitize.sh: libasan.so not found (install the gcc ASan runtime, e.g. libasan8)" >&2
  exit 2
fi
# The addon links libubsan too; preloading it alongside keeps its runtime initialised early.
LIBUBSAN=$(g++ -print-file-name=libubsan.so)
PRELOAD="$LIBASAN"
[[ -e "$LIBUBSAN" && "$LIBUBSAN" != "libubsan.so" ]] && PRELOAD="$PRELOAD:$LIBUBSAN"

rm -rf "$REPORTS"
mkdir -p "$REPORTS"

set +e
env \
  LD_PRELOAD="$PRELOAD" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$REPORTS/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan" \
  NATIVE_MLP_NATIVE_PATH="$ADDON" \
  REQUIRE_NATIVE=1 \
  npx vitest run --pool=forks test/native.hostile.*.test.ts test/sgemm.test.ts test/sgemm-threads.test.ts test/sgemm-narrow.test.ts \
    test/kernels.test.ts test/native.pool.test.ts test/native.isa.test.ts test/sparse.test.ts \
    test/permutation.test.ts test/native.alloc.test.ts test/dropout.test.ts
STATUS=$?
set -e

FOUND=0
for f in "$REPORTS"/*; do
  [[ -e "$f" ]] || continue
  FOUND=1
  echo "---- sanitizer report $f ----" >&2
  cat "$f" >&2
done

if [[ $FOUND -ne 0 ]]; then
  echo "sanitize.sh: FAILED: sanitizer reports above" >&2
  exit 1
fi
if [[ $STATUS -ne 0 ]]; then
  echo "sanitize.sh: FAILED: the native suites failed under the sanitizers (exit $STATUS)" >&2
  exit "$STATUS"
fi
echo "sanitize.sh: OK: native suites pass under ASan + UBSan, no reports"
