#!/bin/bash
# Compiles the vendored zlib 1.3.1 deflate (native/zlib-wasm/) to WebAssembly:
# the encoder of every gzip layer fexpod writes (src/builder/layer/zlib-wasm.ts).
#
#   scripts/build-zlib-wasm.sh [OUT]     default OUT: native/zlib-wasm/zlib-deflate.wasm
#
# CLANG and WASM_LD name the compiler and linker (default clang, wasm-ld; any
# clang with the wasm32 target and LLVM's wasm-ld: Debian and Fedora "clang lld").
# Reproducible: no debug info, no paths, no dates, custom sections stripped;
# the same clang version makes the same bytes. Another version may make other
# module bytes, never other deflate output (the C is zlib's, and WebAssembly
# integer arithmetic is exact): test/integration/builder/zlib-wasm-rebuild.test.ts
# rebuilds the module and compares what it deflates with the committed one.
# The committed module's toolchain is in native/zlib-wasm/TOOLCHAIN (written
# when OUT is the default) and native/zlib-wasm/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/native/zlib-wasm
z=$src/zlib-1.3.1
out=${1:-$src/zlib-deflate.wasm}
cc=${CLANG:-clang}
ld=${WASM_LD:-wasm-ld}
for t in "$cc" "$ld"; do
  command -v "$t" >/dev/null || { echo "build-zlib-wasm: $t not found (install clang and lld)" >&2; exit 1; }
done
# The vendored sources are zlib 1.3.1's, unmodified.
(cd "$z" && sha256sum --quiet -c "$src/zlib-1.3.1.sha256")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=(--target=wasm32 -O2 -mbulk-memory -nostdlib -ffreestanding -fno-ident
        -DZ_SOLO -DHAVE_MEMCPY -include "$src/freestanding.h" -I"$z")
objs=()
for f in "$src/zlib-deflate.c" "$z"/{deflate,trees,zutil,adler32,crc32}.c; do
  o=$tmp/$(basename "$f" .c).o
  (cd "$tmp" && "$cc" "${cflags[@]}" -c "$f" -o "$o")
  objs+=("$o")
done
"$ld" --no-entry --strip-all --initial-memory=1048576 -z stack-size=65536 \
  -o "$tmp/out.wasm" "${objs[@]}"
mkdir -p "$(dirname "$out")"
mv "$tmp/out.wasm" "$out.tmp"
mv "$out.tmp" "$out"
# The toolchain, on stdout; for the committed module also in native/zlib-wasm/TOOLCHAIN.
toolchain=$(printf '%s\n%s\n' "$("$cc" --version | head -1)" "$("$ld" --version | head -1)")
printf '%s\n' "$toolchain"
[ "$out" != "$src/zlib-deflate.wasm" ] || printf '%s\n' "$toolchain" > "$src/TOOLCHAIN"
echo "build-zlib-wasm: $out ($(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1))" >&2
