#!/bin/bash
# Proves `fexpod setup` in the true direction, by hand, in the emulated aarch64
# VM of ../shared/tools/aarch64-lab.sh (not part of `npm test`: one run takes
# several minutes under TCG). There systemd is PID 1, Podman runs crun on
# cgroup v2, and the dynamic /usr/bin/qemu-x86_64 stands in for FEX. Run as
# root from the repository after `npm run build`:
#
#   test/lab/setup-aarch64.sh
#
# In the VM: setup → `podman run --arch amd64` of a dynamically linked amd64
# image; `systemctl restart systemd-binfmt` → fexpod-binfmt.service runs after it
# (PartOf/WantedBy) and registers the prefix lines again; systemd-binfmt run
# directly (as systemd's RPM file trigger does) → the binfmt.d lines through the
# stable links serve; then `setup --undo` → binfmt_misc, the hook directories,
# containers.conf.d, binfmt.d and /etc/systemd/system are as before (diff).
# The run uses LAB_SNAPSHOT=1: the VM's disk is not changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=${LAB_TOOL:-$repo/../shared/tools/aarch64-lab.sh}
share=$(mktemp -d /tmp/fexpod-lab-share-XXXXXX)
trap 'rm -rf "$share"' EXIT
# Copies, not hard links: a rebuild on the host during the run must not change the guest's files.
cp -a "$repo/dist" "$repo/node_modules" "$repo/package.json" "$repo/oci-hooks" "$repo/systemd" "$share/"
# A dynamically linked amd64 image (Debian's libc6 + coreutils), made on the host.
node --input-type=module -e '
  const { buildRootfs } = await import(process.argv[1]);
  const { Arch } = await import(process.argv[2]);
  buildRootfs(Arch.of("x86_64"), "dynamic", process.argv[3]);' \
  "$repo/dist/test/helpers/foreign-image.js" "$repo/dist/src/common/arch.js" "$share/amd64-root"
tar -C "$share/amd64-root" -cf "$share/amd64-dynamic.tar" . && rm -rf "$share/amd64-root"
sed -n '/^# --- guest script/,$p' "$0" | tail -n +2 > "$share/guest.sh"
LAB_SHARE=$share LAB_SNAPSHOT=1 LAB_MERGE=1 LAB_TIMEOUT=${LAB_TIMEOUT:-1500} "$lab" run 'bash /mnt/host/guest.sh' | tee "$share/out.txt"
grep -q '^== OK$' "$share/out.txt"
exit $?
# --- guest script (runs inside the VM, cwd /mnt/host)
set -uo pipefail
cd /mnt/host
F="node /mnt/host/dist/src/cli.js"
fail() { echo "FAILED: $*"; exit 1; }
snapshot() {
  for f in /proc/sys/fs/binfmt_misc/*; do [ "${f##*/}" = register ] || { echo "# $f"; cat "$f"; }; done
  for d in /etc/binfmt.d /etc/fexpod /etc/containers/containers.conf.d /etc/containers/oci /usr/share/containers/oci /etc/systemd/system; do
    [ -e "$d" ] || { echo "# $d absent"; continue; }
    find "$d" | sort | while read -r p; do
      printf '%s %s %s ' "$p" "$(stat -c '%F %a %u:%g' "$p")" "$(readlink "$p" || true)"
      if [ -f "$p" ] && [ ! -L "$p" ]; then sha256sum < "$p"; else echo; fi
    done
  done
}
# One retry: under TCG on a loaded host the hook's node can miss Podman's 10 s hook timeout.
amd64() {
  podman run --rm --arch amd64 localhost/amd64-dynamic /bin/uname -m && return 0
  echo "-- retrying once; hook log:"; tail -n 3 /var/log/fexpod/hook.log 2>/dev/null
  podman run --rm --arch amd64 localhost/amd64-dynamic /bin/uname -m
}
echo "== $(uname -m), page size $(getconf PAGESIZE), PID 1 $(ps -p 1 -o comm=), $(podman info --format '{{.Host.OCIRuntime.Name}} cgroup{{.Host.CgroupsVersion}}')"
podman import -q --arch amd64 amd64-dynamic.tar localhost/amd64-dynamic:latest >/dev/null
snapshot > /tmp/before.txt
amd64 && fail "an amd64 container ran before setup"

echo "== fexpod setup --guest x86_64 --guest i386 --emulator qemu-user"
time $F setup --guest x86_64 --guest i386 --emulator qemu-user || fail "setup"
echo "== podman run --arch amd64 (dynamic coreutils)"
[ "$(amd64)" = x86_64 ] || fail "amd64 after setup"
systemctl is-enabled fexpod-binfmt.service
cat /proc/sys/fs/binfmt_misc/fexpod-qemu-user-x86_64

echo "== systemctl restart systemd-binfmt: fexpod-binfmt.service runs after it"
systemctl restart systemd-binfmt.service || fail "restart systemd-binfmt"
# systemctl waits for systemd-binfmt's job only; the refresh (slow under TCG) runs after it.
for i in $(seq 1 120); do [ "$(systemctl is-active fexpod-binfmt.service)" = activating ] || break; sleep 5; done
systemctl is-active fexpod-binfmt.service || fail "fexpod-binfmt.service not active"
b=$(systemctl show -P ActiveEnterTimestampMonotonic systemd-binfmt.service)
f=$(systemctl show -P ExecMainStartTimestampMonotonic fexpod-binfmt.service)
echo "systemd-binfmt active at ${b} us, fexpod-binfmt started at ${f} us"
[ "$f" -ge "$b" ] || fail "fexpod-binfmt.service did not run after systemd-binfmt.service"
journalctl -u fexpod-binfmt.service -n 6 --no-pager -o cat
grep interpreter /proc/sys/fs/binfmt_misc/fexpod-qemu-user-x86_64 /proc/sys/fs/binfmt_misc/fexpod-qemu-user-i386
[ "$(amd64)" = x86_64 ] || fail "amd64 after systemd-binfmt restart"

echo "== systemd-binfmt run directly (as systemd's RPM file trigger does): the binfmt.d lines serve"
/lib/systemd/systemd-binfmt || fail "systemd-binfmt"
grep interpreter /proc/sys/fs/binfmt_misc/fexpod-qemu-user-x86_64
[ "$(amd64)" = x86_64 ] || fail "amd64 after a direct systemd-binfmt"

echo "== fexpod setup --undo"
$F setup --undo || fail "undo"
snapshot > /tmp/after.txt
diff /tmp/before.txt /tmp/after.txt && echo "== host state identical to before setup" || fail "state differs after undo"
amd64 && fail "an amd64 container ran after undo"
echo "== OK"
exit 0
