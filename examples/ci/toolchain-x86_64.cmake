# CMake toolchain file: build for x86-64 Linux with clang against a sysroot
# that fexpod built (images/thunks-sysroot-fedora.toml), from any host.
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=examples/ci/toolchain-x86_64.cmake \
#         -DFEXPOD_SYSROOT=$PWD/sysroot
#
# FEXPOD_SYSROOT may also come from the environment. FEX's own thunk build takes
# the sysroot as X86_DEV_ROOTFS with its Data/CMake/toolchain_x86_64.cmake; this
# file is for everything else that wants the same sysroot.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

if(NOT FEXPOD_SYSROOT)
  set(FEXPOD_SYSROOT "$ENV{FEXPOD_SYSROOT}")
endif()
if(NOT FEXPOD_SYSROOT OR NOT EXISTS "${FEXPOD_SYSROOT}/usr/include/stdio.h")
  message(FATAL_ERROR "FEXPOD_SYSROOT (\"${FEXPOD_SYSROOT}\") is not an extracted fexpod sysroot: "
                      "build it with fexpod build images/thunks-sysroot-fedora.toml and extract it (docs/ci.md)")
endif()
# try_compile re-reads this file in a fresh scope: hand the sysroot on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FEXPOD_SYSROOT)

set(CMAKE_SYSROOT "${FEXPOD_SYSROOT}")
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_C_COMPILER_TARGET x86_64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET x86_64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")

# Headers and libraries from the sysroot only; programs from the host.
set(CMAKE_FIND_ROOT_PATH "${FEXPOD_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
