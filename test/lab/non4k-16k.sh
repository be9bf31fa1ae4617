#!/bin/bash
# By hand, not in CI: fexpod on a real 16 KiB-page kernel. Boots the shared
# aarch64 lab's disk (read-only: -snapshot) with Debian's linux-image-*-arm64-16k
# kernel instead of the lab's 4 KiB one, through a small initramfs of our own
# (the lab's initrd holds the 4 KiB kernel's modules), under the lab's lock.
# TCG has no KVM and there is no FEX, muvm or crun +LIBKRUN in the lab, so
# this shows what a real 16 KiB kernel makes of the route decision, the
# dispatcher and the hook; docs/microvm.md records the output.
#
#   sudo test/lab/non4k-16k.sh            # on the x86_64 host (needs the lab built)
#   (test/lab/non4k-16k.sh guest          # what runs inside, as root)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${1:-host}" = guest ]; then
  cd /mnt/host || exit 1
  export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
  x=/mnt/extra
  echo "--- getconf PAGESIZE: $(getconf PAGESIZE); uname -m: $(uname -m)"
  echo "--- fexpod doctor (real facts)"
  node dist/src/cli.js doctor --state-dir /tmp/st | grep -E '^(host|/dev/kvm|crun) |^in short|^  (process|container) '
  echo "--- fexpod binfmt install --guest x86_64 (FEX absent: the route on 16 KiB pages)"
  node dist/src/cli.js binfmt install --guest x86_64 --emulator qemu-user-static --state-dir /tmp/st 2>&1 | tail -3
  echo "--- an x86-64 static busybox through that entry on the 16 KiB kernel: $("$x/busybox-x86_64" uname -m 2>&1)"
  node dist/src/cli.js binfmt uninstall --state-dir /tmp/st >/dev/null 2>&1
  echo "--- the dispatcher with the kernel's P layout, real facts, as nobody"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$x/fexpod-dispatch" "$x/prog" prog --flag; echo "exit $?"
  echo "--- the same with muvm and FEX stand-ins on PATH"
  PATH="$x/standins:$PATH" setpriv --reuid=65534 --regid=65534 --clear-groups "$x/fexpod-dispatch" "$x/prog" prog --flag; echo "exit $?"
  echo "--- the same as root"
  PATH="$x/standins:$PATH" "$x/fexpod-dispatch" "$x/prog" prog; echo "exit $?"
  echo "--- podman run --arch amd64 with fexpod's hook (real crun --version) and a staged microVM entry"
  podman --runtime crun run --rm --network none --hooks-dir "$x/hooks" localhost/busybox-amd64 uname -m; echo "exit $?"
  sed 's/^[^ ]* //' /tmp/fexpod-hook.log 2>/dev/null | tail -2
  exit 0
fi

set -e
lab=/var/lib/aarch64-lab
work=/var/tmp/non4k-lab16k
[ -e "$lab/rootfs.img" ] || { echo "build the lab first: /work/shared/tools/aarch64-lab.sh build" >&2; exit 1; }
mkdir -p "$work" && cd "$work"
deb=$(ls linux-image-*-arm64-16k-unsigned_*_arm64.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  pkg=$(apt-cache search --names-only 'linux-image-6.*-arm64-16k-unsigned' | awk '{print $1}' | sort -V | tail -1)
  apt-get download "$pkg:arm64" && deb=$(ls linux-image-*-arm64-16k-unsigned_*_arm64.deb | head -1)
fi
rm -rf x initrd extra && mkdir -p x initrd/bin initrd/lib/mods extra/standins extra/hooks
dpkg-deb -x "$deb" x
kernel=$(ls x/boot/vmlinuz-*)
grep -q '^CONFIG_ARM64_16K_PAGES=y' x/boot/config-* || { echo "$kernel is not a 16 KiB kernel" >&2; exit 1; }
# The modules the initramfs needs, decompressed, in dependency order (read from each module's modinfo).
python3 - x/lib/modules/* <<'PY'
import lzma, os, re, sys
paths = {f[:-6].replace('-', '_'): os.path.join(r, f) for r, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith('.ko.xz')}
order = []
def visit(m):
    if m in order: return
    d = re.search(rb'depends=([^\x00]*)', lzma.open(paths[m]).read())
    for x in (d.group(1).decode().split(',') if d else []):
        if x: visit(x.replace('-', '_'))
    order.append(m)
for m in ['virtio_blk', 'ext4', 'crc32c_generic', '9p', '9pnet_virtio', 'binfmt_misc', 'overlay']: visit(m)
with open('initrd/lib/mods/order', 'w') as o:
    for i, m in enumerate(order):
        open(f'initrd/lib/mods/{i:02d}-{m}.ko', 'wb').write(lzma.open(paths[m]).read())
        o.write(f'/lib/mods/{i:02d}-{m}.ko\n')
PY
bb=$(ls ~/.cache/fexpod-test/debs/arm64/busybox-static_*_arm64.deb 2>/dev/null | head -1 || true)
[ -n "$bb" ] || { (cd /tmp && apt-get download busybox-static:arm64) && bb=$(ls /tmp/busybox-static_*_arm64.deb | head -1); }
dpkg-deb --fsys-tarfile "$bb" | tar -xO ./bin/busybox > initrd/bin/busybox && chmod 755 initrd/bin/busybox
cat > initrd/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/mods/order); do insmod "$m" || echo "insmod $m failed"; done
mount -t ext4 /dev/vda /newroot || { echo "mount /dev/vda failed"; poweroff -f; }
mkdir -p /newroot/mnt/extra
mount -t 9p -o trans=virtio,version=9p2000.L hostshare /newroot/mnt/host
mount -t 9p -o trans=virtio,version=9p2000.L extra /newroot/mnt/extra
for d in proc sys dev; do mount --bind /$d /newroot/$d; done
mount -t tmpfs tmpfs /newroot/tmp; mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/dev/shm && mount -t tmpfs tmpfs /newroot/dev/shm
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
mount -t binfmt_misc binfmt_misc /newroot/proc/sys/fs/binfmt_misc
echo "=== non4k-16k: kernel $(uname -r)"
chroot /newroot /bin/bash /mnt/host/test/lab/non4k-16k.sh guest
poweroff -f
INIT
chmod 755 initrd/init
(cd initrd && find . | cpio -o -H newc 2>/dev/null | gzip -1) > initrd16k.cpio.gz
# What the guest runs: an x86-64 static busybox, the dispatcher script, stand-ins, a hook dir.
cp /bin/busybox extra/busybox-x86_64
printf 'x86 program stand-in\n' > extra/prog && chmod 755 extra/prog
node --input-type=module -e "
import { dispatcherScript } from '$here/dist/src/emulator/microvm/dispatcher-script.js';
import { writeFileSync } from 'node:fs';
writeFileSync('extra/fexpod-dispatch', dispatcherScript('/usr/local/bin/node', '/mnt/host/dist/hook/emulator/microvm/dispatch-main.js'), { mode: 0o755 });
const state = { version: 1, registrations: [], disabled: [], persisted: [], microvm: [{ guest: 'x86_64', prefix: '/mnt/extra', interpreter: '/mnt/extra/FEX', registration: ':FEX-x86_64:M::x::/mnt/extra/FEX:POCF' }] };
writeFileSync('extra/state.json', JSON.stringify(state));
writeFileSync('extra/hooks/fexpod-precreate.json', JSON.stringify({ version: '1.0.0', hook: { path: '/usr/local/bin/node', args: ['node', '/mnt/host/dist/hook/runtime-hook/hook-main.js', 'precreate', '--state', '/mnt/extra/state.json', '--log', '/tmp/fexpod-hook.log'] }, when: { always: true }, stages: ['precreate'] }));
"
for s in muvm FEX FEXServer; do printf '#!/bin/sh\necho "%s stand-in: $*"\n' "$s" > "extra/standins/$s"; chmod 755 "extra/standins/$s"; done
echo "booting $kernel (TCG, 16 KiB pages) under $lab/lock"
exec 8>"$lab/lock"; flock -w "${LAB_WAIT:-0}" 8 || { echo "the lab is busy; try again later (or LAB_WAIT=seconds)" >&2; exit 1; }
timeout 900 qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 3072 -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd initrd16k.cpio.gz -append "console=ttyAMA0 panic=-1 quiet" \
  -drive "if=none,id=hd0,file=$lab/rootfs.img,format=raw" -snapshot -device virtio-blk-pci,drive=hd0 -device virtio-rng-pci \
  -fsdev "local,id=hostshare,path=$here,security_model=none,readonly=on" -device virtio-9p-pci,fsdev=hostshare,mount_tag=hostshare \
  -fsdev "local,id=extra,path=$work/extra,security_model=none" -device virtio-9p-pci,fsdev=extra,mount_tag=extra \
  </dev/null | tr -d '\r' | grep -v '^\[' | tee "$work/guest.log"
