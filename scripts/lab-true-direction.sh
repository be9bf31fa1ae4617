#!/bin/bash
# Proves the true direction — amd64 containers on an aarch64 host through fexpod — in the
# emulated aarch64 VM of ../shared/tools/aarch64-lab.sh (real aarch64 kernel under TCG, Podman
# with crun and cgroup v2). The dynamic aarch64 build of qemu-x86_64 stands in for FEX, which
# cannot run here. Slow (a TCG guest: ~10 min), so not part of CI.
#
#   sudo scripts/lab-true-direction.sh          # on the x86_64 development host
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${1:-}" != --guest ]; then
  # The lab is a development tool that lives outside this repository (next to the team's
  # checkouts); nothing in CI, the demo or the tests needs it.
  LAB=${AARCH64_LAB:-$ROOT/../shared/tools/aarch64-lab.sh}
  if [ ! -x "$LAB" ]; then
    echo "lab-true-direction.sh: no aarch64 lab at $LAB: it is a development tool outside this repository; set AARCH64_LAB=/path/to/aarch64-lab.sh" >&2
    exit 2
  fi
  npx tsc -p . || exit 1
  mkdir -p .lab
  # A dynamically linked amd64 image (Debian's libc6 + coreutils), made on the host.
  node --input-type=module -e '
    const { buildRootfs } = await import(process.argv[1]);
    const { Arch } = await import(process.argv[2]);
    buildRootfs(Arch.of("x86_64"), "dynamic", process.argv[3]);' \
    "$ROOT/dist/test/helpers/foreign-image.js" "$ROOT/dist/src/common/arch.js" .lab/amd64-root
  tar -C .lab/amd64-root -cf .lab/amd64-dynamic.tar . && rm -rf .lab/amd64-root
  LAB_SNAPSHOT=1 LAB_SHARE="$ROOT" "$LAB" run 'bash scripts/lab-true-direction.sh --guest'
  exit $?
fi

# ---- inside the aarch64 guest
set -x
uname -m; getconf PAGESIZE; podman --version
podman info --format '{{.Host.OCIRuntime.Name}} cgroup{{.Host.CgroupsVersion}}'
F="node $ROOT/dist/src/cli.js"
podman import -q --arch amd64 .lab/amd64-dynamic.tar localhost/amd64-dynamic:latest >/dev/null
: "without fexpod (no binfmt entry for x86-64): must fail"
podman run --rm --arch amd64 localhost/busybox-amd64 uname -m && exit 1
$F binfmt install --guest x86_64 --guest i386 --emulator qemu-user || exit 1
$F hook install || exit 1
: "with fexpod"
podman run --rm --arch amd64 localhost/busybox-amd64 uname -m || exit 1
podman run --rm --arch amd64 localhost/amd64-dynamic /bin/uname -m || exit 1
podman run --rm --arch amd64 localhost/amd64-dynamic /bin/sh -c 'grep fexpod /proc/self/mountinfo' || exit 1
tail -n 3 /var/log/fexpod/hook.log
$F hook uninstall; $F binfmt uninstall
: "after uninstall: must fail again"
podman run --rm --arch amd64 localhost/busybox-amd64 uname -m && exit 1
exit 0
