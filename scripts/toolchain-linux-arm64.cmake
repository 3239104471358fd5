# CMake toolchain for the linux-arm64 prebuild, cross-compiled on x86-64 Debian with
# `apt-get install g++-aarch64-linux-gnu` (its glibc and libstdc++ live in /usr/aarch64-linux-gnu).
# Used by scripts/prebuildify-cmake.mjs when prebuildify asks for --arch=arm64 on another host.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(NATIVE_MLP_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "prefix of the cross tools")
set(CMAKE_C_COMPILER "${NATIVE_MLP_CROSS_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${NATIVE_MLP_CROSS_PREFIX}g++")
set(CMAKE_STRIP "${NATIVE_MLP_CROSS_PREFIX}strip")

# Headers and libraries from the target's root only; programs (node, for the include dirs) from the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
