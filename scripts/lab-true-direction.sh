#!/bin/bash
# Proves the true direction — amd64 and i386 containers on an aarch64 host through fexpod — in
# the emulated aarch64 VM of ../shared/tools/aarch64-lab.sh (real aarch64 kernel under TCG,
# Podman with crun and cgroup v2). Slow (a TCG guest: 10-40 min), so not part of CI.
#
#   sudo scripts/lab-true-direction.sh                 # the dynamic qemu-x86_64 stands in for FEX
#   sudo scripts/lab-true-direction.sh --fex DIR       # real FEX: DIR/dynamic/{FEXInterpreter,FEXServer}
#                                                      # (and DIR/static-pie/) built for aarch64
#
# With --fex the VM gets the dynamic FEX in /usr/bin (as Fedora installs it) and proves, each a
# numbered check with PASS/FAIL and its time: binfmt precedence picks FEX by itself; amd64
# (static, dynamic) and i386 (static, dynamic, no PT_GNU_STACK, executable stack) containers;
# what breaks without the hook's FEX edits (personality() seccomp rules, FEXServer data directory,
# FEXServer socket) and that the hook fixes it; podman exec; podman build RUN; ten foreign
# containers at once; native arm64 containers untouched; an FEX update while a container runs
# (refresh, exec into it, the old prefix kept while used, then removed); and FEX on the VM itself with a RootFS
# built by `fexpod build` (SquashFS and EroFS) and installed by `fexpod rootfs install`, which puts
# it in /usr/share/fex-emu/RootFS/ and names it in FEX's Config.json; FEXServer mounts it (Debian's
# squashfuse, made on the host; for EroFS a stand-in erofsfuse: Debian 12 has none).
# The x86 material comes from Debian's amd64/i386 packages (dpkg --add-architecture amd64 i386
# on an arm64 host, or i386 on an x86_64 one) and rpmbuild: no registry is needed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${1:-}" != --guest ]; then
  # The lab is a development tool that lives outside this repository (next to the team's
  # checkouts); nothing in CI, the demo or the tests needs it.
  LAB=${AARCH64_LAB:-$ROOT/../shared/tools/aarch64-lab.sh}
  # a git worktree one level further down (../wt/NAME) finds the same lab
  [ -x "$LAB" ] || [ -n "${AARCH64_LAB:-}" ] || LAB=$ROOT/../../shared/tools/aarch64-lab.sh
  if [ ! -x "$LAB" ]; then
    echo "lab-true-direction.sh: no aarch64 lab at $LAB: it is a development tool outside this repository; set AARCH64_LAB=/path/to/aarch64-lab.sh" >&2
    exit 2
  fi
  FEX_BUILD=
  if [ "${1:-}" = --fex ]; then
    FEX_BUILD=${2:?usage: lab-true-direction.sh --fex DIR (DIR/dynamic/FEXInterpreter, DIR/dynamic/FEXServer)}
    [ -x "$FEX_BUILD/dynamic/FEXInterpreter" ] && [ -x "$FEX_BUILD/dynamic/FEXServer" ] ||
      { echo "lab-true-direction: $FEX_BUILD has no dynamic/FEXInterpreter and dynamic/FEXServer" >&2; exit 2; }
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
  if [ -z "$FEX_BUILD" ]; then
    LAB_SNAPSHOT=1 LAB_SHARE="$ROOT" "$LAB" run 'bash scripts/lab-true-direction.sh --guest'
    exit $?
  fi
  # FEX material: images with stack variants, x86 programs, the stand-in RootFS built by fexpod.
  rm -rf .lab/fex && mkdir -p .lab/fex/build
  cp -r "$FEX_BUILD/." .lab/fex/build/
  node dist/test/helpers/lab-fex.js .lab/fex || exit 1
  createrepo_c --quiet --no-database --simple-md-filenames .lab/fex/standin-rpms || exit 1
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  (cd .lab/fex/standin-rpms && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/repodata/repomd.xml" >/dev/null 2>&1 && break; sleep 0.1; done
  DEF=test/fixtures/lab-fex/fex-rootfs-standin.toml
  node dist/src/cli.js lock "$DEF" --repo "standin=http://127.0.0.1:$PORT/" -o .lab/fex/rootfs.lock.json || exit 1
  node dist/src/cli.js build "$DEF" --repo "standin=http://127.0.0.1:$PORT/" --lock .lab/fex/rootfs.lock.json \
    --locked --output .lab/fex/rootfs || exit 1
  kill $SERVER 2>/dev/null
  LAB_TIMEOUT=${LAB_TIMEOUT:-5400} LAB_SNAPSHOT=1 LAB_SHARE="$ROOT" "$LAB" run 'bash scripts/lab-true-direction.sh --guest --fex'
  exit $?
fi

# ---- inside the aarch64 guest
F="node $ROOT/dist/src/cli.js"
podman import -q --arch amd64 .lab/amd64-dynamic.tar localhost/amd64-dynamic:latest >/dev/null

if [ "${2:-}" != --fex ]; then
  set -x
  uname -m; getconf PAGESIZE; podman --version
  podman info --format '{{.Host.OCIRuntime.Name}} cgroup{{.Host.CgroupsVersion}}'
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
fi

. scripts/lab-fex-checks.sh
