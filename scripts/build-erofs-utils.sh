#!/bin/bash
# Builds erofs-utils 1.8.6 (mkfs.erofs with --tar and --workers, fsck.erofs,
# dump.erofs, erofsfuse) into a fixed prefix OUTSIDE /usr, for the tests:
# Debian 12's erofs-utils 1.5 stays the mkfs.erofs on PATH (fexpod's
# staging-tree fallback stays tested) and the tests put this prefix first on
# PATH for the --tar path (what Fedora's erofs-utils does). Called by setup.sh.
#
#   scripts/build-erofs-utils.sh [PREFIX]   default /opt/fexpod-test/erofs-utils-1.8.6
#
# The source is Debian's trixie orig tarball (the upstream release), verified
# by sha256 before it is unpacked. Skipped when PREFIX already holds a build of
# this very tarball (PREFIX/.source-sha256). Needs: curl, a C compiler, autoconf,
# automake, libtool, pkgconf and the -dev packages of lz4, zstd, xz, zlib,
# uuid and fuse3 (setup.sh installs them).
set -euo pipefail

VERSION=1.8.6
URL="http://deb.debian.org/debian/pool/main/e/erofs-utils/erofs-utils_${VERSION}.orig.tar.gz"
SHA256=5b221dc3fd6d151425b30534ede46fb7a90dc233a8659cba0372796b0a066547
PREFIX=${1:-/opt/fexpod-test/erofs-utils-${VERSION}}
say() { printf '\033[1mbuild-erofs-utils:\033[0m %s\n' "$*" >&2; }

if [ "$(cat "$PREFIX/.source-sha256" 2>/dev/null)" = "$SHA256" ] && [ -x "$PREFIX/bin/mkfs.erofs" ] &&
   [ -x "$PREFIX/bin/erofsfuse" ] && [ -x "$PREFIX/bin/fsck.erofs" ] && [ -x "$PREFIX/bin/dump.erofs" ]; then
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fexpod-erofs-utils.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading erofs-utils $VERSION"
curl -fsSL --retry 3 -o "$work/src.tar.gz" "$URL"
echo "$SHA256  $work/src.tar.gz" | sha256sum -c --quiet - || {
  echo "build-erofs-utils: $URL does not have sha256 $SHA256; not building it" >&2
  exit 1
}
tar -xzf "$work/src.tar.gz" -C "$work"
cd "$work/erofs-utils-$VERSION"
say "building erofs-utils $VERSION into $PREFIX"
{
  ./autogen.sh
  # --enable-multithreading: mkfs.erofs --workers (Fedora's build has it too)
  ./configure --prefix="$PREFIX" --enable-fuse --enable-multithreading --enable-lz4 --enable-lzma \
    --with-libzstd --without-selinux
  make -j"$(nproc)"
} > "$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; echo "build-erofs-utils: the build failed" >&2; exit 1; }
# installed into a fresh directory, then swapped in: an interrupted run leaves no half-built prefix
rm -rf "$PREFIX.new"
make install DESTDIR="$work/root" > "$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
mkdir -p "$(dirname "$PREFIX")"
mv "$work/root$PREFIX" "$PREFIX.new"
echo "$SHA256" > "$PREFIX.new/.source-sha256"
rm -rf "$PREFIX"
mv "$PREFIX.new" "$PREFIX"
"$PREFIX/bin/mkfs.erofs" -V >&2
