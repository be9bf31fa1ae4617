#!/bin/bash
# Proves the relocatable prefix in the true direction, by hand, in the emulated
# aarch64 VM of ../shared/tools/aarch64-lab.sh (not part of `npm test`: one run
# takes ~10 minutes under TCG). Run as root from the repository after `npx tsc -p .`:
#
#   test/lab/prefix-aarch64.sh
#
# In the VM it stages the dynamic /usr/bin/qemu-x86_64 (the stand-in for FEX)
# with fexpod's stagePrefix, runs a static x86_64 busybox through it in a chroot
# that holds only the prefix, registers binfmt_misc (POCF) at the prefix path,
# runs `podman run --arch amd64` with and without the prefix bind-mounted, and
# runs `fexpod doctor` as root and as uid 65534. The VM's binfmt_misc is its own.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=${LAB_TOOL:-$repo/../shared/tools/aarch64-lab.sh}
share=$(mktemp -d /tmp/fexpod-lab-share-XXXXXX)
trap 'rm -rf "$share"' EXIT
cp -al "$repo/dist" "$repo/node_modules" "$repo/package.json" "$share/" 2>/dev/null ||
  cp -a "$repo/dist" "$repo/node_modules" "$repo/package.json" "$share/"
cp "$(command -v busybox)" "$share/busybox-x86_64"
sed -n '/^# --- guest script/,$p' "$0" | tail -n +2 > "$share/guest.sh"
LAB_SHARE=$share LAB_SNAPSHOT=1 LAB_MERGE=1 LAB_TIMEOUT=${LAB_TIMEOUT:-900} "$lab" run 'bash /mnt/host/guest.sh'
exit $?
# --- guest script (runs inside the VM, cwd /mnt/host)
cd /mnt/host
echo "== arch: $(uname -m), page size $(getconf PAGESIZE)"
cat > /tmp/stage.mjs <<'JS'
import { stagePrefix } from '/mnt/host/dist/src/emulator/emulator-prefix.js';
import { nodePrefixDeps } from '/mnt/host/dist/src/emulator/prefix-deps.js';
const a = await stagePrefix('/usr/bin/qemu-x86_64', { stateDir: '/var/lib/fexpod-lab', name: 'x86_64-binfmt-P' }, nodePrefixDeps());
const b = await stagePrefix('/usr/bin/qemu-x86_64', { stateDir: '/var/lib/fexpod-lab', name: 'x86_64-binfmt-P' }, nodePrefixDeps());
console.log(JSON.stringify({ ...a, sameDigest: a.digest === b.digest }));
JS
J=$(node /tmp/stage.mjs) || { echo "stage failed"; exit 1; }
echo "== staged: $J"
P=$(node -e "console.log(JSON.parse(process.argv[1]).prefix)" "$J")
I=$(node -e "console.log(JSON.parse(process.argv[1]).interpreter)" "$J")
ls -la $P/lib | head -30
echo "== chroot holding only the prefix + x86_64 static busybox"
R=$(mktemp -d); mkdir -p "$R$P"; cp /mnt/host/busybox-x86_64 "$R/busybox"; chmod 755 "$R/busybox"
unshare -m --propagation private sh -c "mount --bind $P $R$P && mount -o remount,bind,ro,nosuid,nodev $R$P && chroot $R $I /busybox uname -m"
echo "rc=$?"
echo "== podman --arch amd64 with binfmt F registration at the prefix path, prefix bind-mounted"
MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'
MASK='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
echo ":fexpod-lab-x86_64:M::$MAGIC:$MASK:$I:POCF" > /proc/sys/fs/binfmt_misc/register
cat /proc/sys/fs/binfmt_misc/fexpod-lab-x86_64
podman run --rm --arch amd64 -v "$P:$P:ro" localhost/busybox-amd64 uname -m; echo "podman rc=$?"
echo "== same container WITHOUT the prefix mount (expect failure: the loader is not in the container)"
podman run --rm --arch amd64 localhost/busybox-amd64 uname -m; echo "podman rc=$? (expected non-zero)"
echo "== doctor as root"
node dist/src/cli.js doctor --state-dir /var/lib/fexpod-lab; echo "doctor rc=$?"
echo "== doctor --json as nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent node dist/src/cli.js doctor --json --state-dir /var/lib/fexpod-lab > /tmp/d.json; echo "doctor rc=$?"
node -e "const d=JSON.parse(require('fs').readFileSync('/tmp/d.json','utf8')); console.log(d.hostArch, d.pageSize.bytes, d.binfmt.writable, JSON.stringify(d.advice.map(a=>a.severity+': '+a.problem.slice(0,110))))"
echo -1 > /proc/sys/fs/binfmt_misc/fexpod-lab-x86_64
