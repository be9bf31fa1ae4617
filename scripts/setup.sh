#!/bin/bash
# Installs what fexpod and its tests need on this machine, and configures
# podman for this host only where the host needs it. Idempotent.
#
#   sudo ./scripts/setup.sh            system packages + npm dependencies + build
#   sudo ./scripts/setup.sh --no-npm   system packages only (packagers, containers)
set -euo pipefail
cd "$(dirname "$0")/.."

want_npm=1
for a in "$@"; do
  case "$a" in
    --no-npm) want_npm=0 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

if command -v apt-get >/dev/null; then
  host_deb=$(dpkg --print-architecture)
  # Foreign-architecture test images are built from Debian's own packages.
  case "$host_deb" in
    amd64) foreign="arm64 armhf" ;;
    arm64) foreign="amd64 i386" ;;
    *) foreign="" ;;
  esac
  for f in $foreign; do
    dpkg --print-foreign-architectures | grep -qx "$f" || $SUDO dpkg --add-architecture "$f"
  done
  pkgs=(
    podman runc crun uidmap slirp4netns fuse-overlayfs containernetworking-plugins
    qemu-user qemu-user-static patchelf file binutils
    rpm createrepo-c libsolv-tools python3-solv dnf
    erofs-utils squashfs-tools docker-registry skopeo mmdebstrap
    busybox-static zstd xz-utils bzip2 cpio gnupg jq hyperfine curl ca-certificates
    libcap2-bin attr tar python3 fakeroot xxhash
    # fexpod setup and packaging: systemd-binfmt/systemd-analyze (not booted), the RPM build and its checks
    systemd git make rpm2cpio rpmlint selinux-policy-dev checkpolicy semodule-utils
    # registry tests: htpasswd and a test CA
    apache2-utils openssl
    # the microVM guest step (native/fexpod-guest-init.c)
    gcc libc6-dev util-linux
    # the builder image and build --load (a private dockerd in the tests)
    docker.io
    # the FEX CI recipe's cross-compile (test/integration/ci/recipe.test.ts); clang + lld (wasm-ld)
    # also rebuild the gzip encoder from native/zlib-wasm (test/integration/builder/zlib-wasm-rebuild.test.ts)
    clang lld cmake
    # the benchmarks' CPU times (bench/build-large, bench/push: GNU time)
    time
    # the shell completion checks (zsh -n on the generated _fexpod; man -l renders the man pages)
    zsh bash-completion man-db groff-base
    # erofs-utils 1.8.6 for the tests (scripts/build-erofs-utils.sh: --tar, --workers, erofsfuse)
    autoconf automake libtool pkgconf uuid-dev liblz4-dev libzstd-dev liblzma-dev zlib1g-dev libfuse3-dev fuse3
  )
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ] || [ -n "$foreign" ]; then
    say "apt-get update"
    # A mirror mid-sync fails one index now and then: retry, then go on with what we have.
    $SUDO apt-get update -qq || { sleep 5; $SUDO apt-get update -qq; } ||
      say "apt-get update reported errors; continuing with the package lists it has"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v node >/dev/null; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
elif command -v dnf >/dev/null; then
  say "installing Fedora packages"
  $SUDO dnf install -y --setopt=install_weak_deps=False \
    nodejs npm podman crun qemu-user-static qemu-user patchelf file binutils \
    rpm-build rpm-sign createrepo_c libsolv-tools python3-solv erofs-utils squashfs-tools \
    distribution skopeo zstd xz bzip2 cpio gnupg2 jq hyperfine curl \
    systemd git make rpmlint selinux-policy-devel policycoreutils httpd-tools openssl \
    gcc glibc-devel util-linux \
    mmdebstrap moby-engine clang lld cmake time zsh bash-completion man-db groff-base \
    autoconf automake libtool pkgconf libuuid-devel lz4-devel libzstd-devel xz-devel zlib-devel fuse3-devel fuse3
else
  echo "setup.sh: neither apt-get nor dnf found; install the packages listed in README.md by hand" >&2
  exit 1
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: fexpod needs Node.js >= 20 (found $(node --version))" >&2
  exit 1
fi

# binfmt_misc: mount it where the host has not (containers, minimal hosts).
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  say "mounting binfmt_misc"
  $SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi

# Podman: only hosts without systemd or with v1/hybrid cgroups need help (crun
# fails there; runc with cgroupfs works). Fedora (systemd, cgroup v2) is left alone.
conf=/etc/containers/containers.conf.d/50-fexpod-host.conf
if [ "$(ps -p 1 -o comm= 2>/dev/null)" != systemd ] || [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
  hard_n=$(ulimit -Hn); hard_u=$(ulimit -Hu)
  [ "$hard_n" = unlimited ] && hard_n=1048576
  [ "$hard_u" = unlimited ] && hard_u=1048576
  lim_n=$(( hard_n < 1048576 ? hard_n : 1048576 ))
  lim_u=$(( hard_u < 32768 ? hard_u : 32768 ))
  tmp=$(mktemp)
  cat > "$tmp" <<CONF
# Written by fexpod's scripts/setup.sh for a host without systemd or cgroup v2.
[containers]
default_ulimits = ["nofile=${lim_n}:${lim_n}", "nproc=${lim_u}:${lim_u}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  $SUDO mkdir -p "$(dirname "$conf")"
  if ! cmp -s "$tmp" "$conf" 2>/dev/null; then
    say "configuring podman for this host ($conf)"
    $SUDO install -m 0644 "$tmp" "$conf"
  fi
  rm -f "$tmp"
fi

# erofs-utils 1.8.6 beside the distribution's (tests: mkfs.erofs --tar, real erofsfuse)
$SUDO scripts/build-erofs-utils.sh

if [ "$want_npm" = 1 ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
fi
say "done"
