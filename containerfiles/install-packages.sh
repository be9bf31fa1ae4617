#!/bin/sh
# Installs what one stage of containerfiles/fexpod.Containerfile needs, with
# the base image's own package manager: dnf on Fedora (the default base),
# apt-get on Debian (the local stand-in base the tests build from, and any
# Debian/Ubuntu base with Node.js >= 20). Leaves no package caches behind.
#
#   install-packages.sh build     Node.js + npm (compiles fexpod; not in the final image)
#   install-packages.sh runtime   Node.js and every tool fexpod calls
#
# A prepared base (one that already carries every tool of the stage, e.g. a
# company base image with Node.js and the tools baked in) is used as it is: no
# package manager runs, so nothing is downloaded and an emulated foreign build
# does not spend minutes in dnf or apt-get.
set -eu
stage=${1:?usage: install-packages.sh build|runtime}

# The commands each stage needs (what the package lists below provide).
case "$stage" in
  build)   tools="node npm" ;;
  runtime) tools="node python3 mkfs.erofs mksquashfs fakeroot patchelf zstd xz bzip2 flock useradd getconf" ;;
  *) echo "install-packages.sh: unknown stage $stage" >&2; exit 2 ;;
esac
present=yes
for t in $tools; do
  command -v "$t" >/dev/null 2>&1 || { present=no; break; }
done
if [ "$present" = yes ] && [ "$stage" = runtime ]; then
  python3 -c 'import solv' 2>/dev/null || present=no
fi

if [ "$present" = yes ]; then
  echo "install-packages.sh: the base already has every $stage tool ($tools); no package manager run"
elif command -v dnf >/dev/null 2>&1; then
  case "$stage" in
    build)   pkgs="nodejs npm" ;;
    # python3-solv: libsolv (resolution); erofs-utils, squashfs-tools: the RootFS
    # images; fakeroot: their owners as a non-root user; patchelf: emulator
    # prefixes; zstd, xz, bzip2: metadata and payloads; util-linux: flock;
    # shadow-utils: the image's user; glibc-common: getconf.
    runtime) pkgs="nodejs python3-solv erofs-utils squashfs-tools fakeroot patchelf zstd xz bzip2 util-linux shadow-utils glibc-common" ;;
    *) echo "install-packages.sh: unknown stage $stage" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  dnf install -y --setopt=install_weak_deps=False --setopt=tsflags=nodocs $pkgs
  dnf clean all
  rm -rf /var/cache/dnf /var/cache/libdnf5 /var/log/dnf*
elif command -v apt-get >/dev/null 2>&1; then
  case "$stage" in
    build)   pkgs="nodejs npm" ;;
    runtime) pkgs="nodejs python3-solv erofs-utils squashfs-tools fakeroot patchelf zstd xz-utils bzip2 util-linux passwd libc-bin" ;;
    *) echo "install-packages.sh: unknown stage $stage" >&2; exit 2 ;;
  esac
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
else
  echo "install-packages.sh: the base image has neither dnf nor apt-get" >&2
  exit 1
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install-packages.sh: fexpod needs Node.js >= 20; this base has $(node --version)" >&2
  exit 1
fi
