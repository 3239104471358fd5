#!/usr/bin/env node
// A node-gyp stand-in for prebuildify (`prebuildify --napi --node-gyp scripts/prebuildify-cmake.mjs`).
//
// prebuildify spawns its "node-gyp" as
//   <this file> rebuild --target=<node version> --devdir=<cache> --arch=<arch> --release|--debug
//   [--runtime=electron --dist-url=...]
// in the package root, then takes the first *.node file in build/Release (or build/Debug), strips
// it and moves it to prebuilds/<platform>-<arch>/<name>.node. This shim maps those arguments onto
// cmake-js, whose default output is exactly build/<Config>/native_mlp.node. The addon is Node-API
// (headers from node-api-headers), so --target and --devdir need no downloads.
//
// Every build made here is a redistributable one (-DNATIVE_MLP_PORTABLE=ON: static libstdc++ and
// libgcc, glibc 2.28); --arch=arm64 on an x86-64 Linux host cross-compiles with
// scripts/toolchain-linux-arm64.cmake (Debian's g++-aarch64-linux-gnu).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('-')) ?? 'rebuild';
const option = (name) => {
  const prefix = `--${name}=`;
  const hit = args.find((a) => a.startsWith(prefix));
  if (hit !== undefined) return hit.slice(prefix.length);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length && !args[i + 1].startsWith('-') ? args[i + 1] : undefined;
};

const COMMANDS = { rebuild: 'rebuild', build: 'build', configure: 'configure', clean: 'clean' };
if (!(command in COMMANDS)) {
  console.error(`prebuildify-cmake: unsupported node-gyp command "${command}" (expected ${Object.keys(COMMANDS).join(', ')})`);
  process.exit(2);
}

const cmakeArgs = [COMMANDS[command]];
const target = option('target');
const arch = option('arch');
const runtime = option('runtime');
if (target) cmakeArgs.push('--runtime-version', target);
if (arch) cmakeArgs.push('--arch', arch);
if (runtime) cmakeArgs.push('--runtime', runtime);
if (args.includes('--debug') || option('debug') === 'true') cmakeArgs.push('--debug');
if (process.platform === 'linux') cmakeArgs.push('--CDNATIVE_MLP_PORTABLE=ON');
const TOOLCHAINS = { arm64: 'toolchain-linux-arm64.cmake' };
if (process.platform === 'linux' && arch && arch !== process.arch) {
  if (!(arch in TOOLCHAINS)) {
    console.error(`prebuildify-cmake: no cross toolchain for linux-${arch} (have: ${Object.keys(TOOLCHAINS).join(', ')})`);
    process.exit(2);
  }
  cmakeArgs.push(`--CDCMAKE_TOOLCHAIN_FILE=${join(root, 'scripts', TOOLCHAINS[arch])}`);
}
// --devdir, --dist-url and --build_v8_with_gn are node-gyp header-download options: a Node-API
// build needs no headers beyond node-api-headers, so they are ignored.

let cmakeJs;
try {
  cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
} catch {
  console.error('prebuildify-cmake: cmake-js is not installed (npm install first)');
  process.exit(1);
}

console.log(`prebuildify-cmake: cmake-js ${cmakeArgs.join(' ')}`);
const r = spawnSync(process.execPath, [cmakeJs, ...cmakeArgs], { cwd: root, stdio: 'inherit', env: process.env });
if (r.error) {
  console.error(`prebuildify-cmake: could not run cmake-js: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
