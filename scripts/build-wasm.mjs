#!/usr/bin/env node
// Builds wasm/native-mlp.wasm from the C++ kernels in native/ with Debian's clang and lld
// (wasm32, SIMD128, shared memory for worker threads; no Emscripten, no Node-API, no libc
// beyond wasi-libc's libm for expf/log). `--check` rebuilds into a temporary folder and fails
// unless the result equals the committed file byte for byte (CI: `npm run check:wasm`).
//
// Needs: clang and wasm-ld (Debian: apt-get install clang lld) and wasi-libc (apt-get install
// wasi-libc) for the C headers and libm. The build is reproducible: fixed flags, fixed source
// order, no debug info, no paths or timestamps in the output (--strip-all).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(root, 'native');
const OUT = join(root, 'wasm', 'native-mlp.wasm');

// The kernel files (paths under native/), compiled unchanged from what the native addon uses (no
// threads, no cpuid: platform/ and the x86 kernels stay out; wasm/wasm_runtime.cc stands in for
// the pool). Object files are named by basename: basenames under native/ are unique.
const KERNEL_SOURCES = [
  'sgemm/sgemm.cc', 'sgemm/sgemm_loops.cc', 'sgemm/sgemm_pack.cc', 'nn/fused.cc', 'nn/activation.cc', 'nn/weighted_loss.cc', 'nn/dropout.cc',
  'sgemm/kernels_generic.cc', 'sgemm/kernels_wasm128.cc',
  'sparse/sparse.cc', 'sparse/sparse_generic.cc', 'sparse/sparse_wasm128.cc',
];
// The WASM-only files: exports, allocator and single-thread pool, per-instance stack/workspace.
const WASM_SOURCES = ['wasm/wasm_entry.cc', 'wasm/wasm_runtime.cc', 'wasm/wasm_stack.S'];

const WASI_INCLUDE = '/usr/include/wasm32-wasi';
const WASI_LIB = '/usr/lib/wasm32-wasi';

// Linear memory: imported and shared (worker threads instantiate the module over the same
// memory). Keep in step with src/backend/wasm/load.ts (MEMORY_PAGES).
const INITIAL_BYTES = 4 * 1024 * 1024;
const MAX_BYTES = 2 * 1024 * 1024 * 1024;
const STACK_BYTES = 256 * 1024;

const COMPILE_FLAGS = [
  '--target=wasm32-wasi', '-O3', '-msimd128', '-matomics', '-mbulk-memory',
  '-fno-exceptions', '-fno-rtti', '-DNDEBUG', '-DNATIVE_MLP_WASM=1',
  // As the native build: no contraction into fused multiply-adds (activation.cc's float64 math
  // must round as the TypeScript backend's does).
  '-ffp-contract=off',
  // One include root, as the native build: files include each other as "layer/file.h".
  '-I', native,
  // No C++ library for wasm32 on Debian: minimal stand-ins (native/wasm/include/) over wasi-libc.
  '-nostdinc', '-isystem', join(native, 'wasm', 'include'),
];

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') {
      fail(`${cmd} was not found; install it (Debian: apt-get install clang lld wasi-libc) or use the committed wasm/native-mlp.wasm`);
    }
    fail(`${cmd} ${args.join(' ')} failed:\n${e.stderr || e.message}`);
  }
}

function fail(message) {
  process.stderr.write(`build-wasm: ${message}\n`);
  process.exit(1);
}

function build(outFile) {
  if (!existsSync(join(WASI_LIB, 'libm.a')) || !existsSync(WASI_INCLUDE)) {
    fail(`wasi-libc is missing (${WASI_LIB}/libm.a, ${WASI_INCLUDE}); install it (Debian: apt-get install wasi-libc)`);
  }
  const resource = run('clang', ['-print-resource-dir']).trim();
  const flags = [...COMPILE_FLAGS, '-isystem', join(resource, 'include'), '-isystem', WASI_INCLUDE];
  const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-wasm-'));
  try {
    const objects = [];
    for (const src of [...KERNEL_SOURCES, ...WASM_SOURCES]) {
      const obj = join(tmp, basename(src).replace(/\.\w+$/, '.o'));
      const lang = src.endsWith('.S') ? [] : ['-std=c++17'];
      run('clang++', [...flags, ...lang, '-c', join(native, src), '-o', obj]);
      objects.push(obj);
    }
    run('wasm-ld', [
      '--no-entry', '--import-memory', '--shared-memory',
      `--initial-memory=${INITIAL_BYTES}`, `--max-memory=${MAX_BYTES}`, '-z', `stack-size=${STACK_BYTES}`,
      '--strip-all', '-O2', ...objects, join(WASI_LIB, 'libm.a'), join(WASI_LIB, 'libc.a'), '-o', outFile,
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) {
  const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-wasm-check-'));
  try {
    const rebuilt = join(tmp, 'native-mlp.wasm');
    build(rebuilt);
    const a = readFileSync(rebuilt);
    const b = existsSync(OUT) ? readFileSync(OUT) : Buffer.alloc(0);
    if (!a.equals(b)) {
      fail(`wasm/native-mlp.wasm (${b.length} bytes) differs from a rebuild from native/ (${a.length} bytes); run \`npm run build:wasm\` and commit the result`);
    }
    process.stdout.write(`wasm/native-mlp.wasm matches a rebuild from source (${a.length} bytes)\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  mkdirSync(dirname(OUT), { recursive: true });
  build(OUT);
  process.stdout.write(`built ${OUT} (${readFileSync(OUT).length} bytes)\n`);
}
