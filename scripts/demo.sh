#!/usr/bin/env bash
# The end-to-end demo, on any Linux host (run scripts/setup.sh first):
#   1. the host: fexpod doctor
#   2. containers: fexpod binfmt install + fexpod hook install, then a foreign-architecture
#      container runs with plain `podman run --arch …` (and `podman exec` into it)
#   3. images: scripts/demo-build.sh — lock, build, load and run a reproducible image
# "Foreign" is relative to the host: on an x86_64 machine the demo runs arm64 and armhf
# containers with the dynamic QEMU standing in for FEX; on aarch64 it runs amd64 with FEX.
# Everything it changes on the host is undone at the end (also on failure).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
FEXPOD=(node "$ROOT/dist/src/cli.js")
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it registers binfmt_misc entries and a podman hook)" >&2; exit 1; }
[ -f dist/src/cli.js ] || npx tsc -p .

STATE=$(mktemp -d /tmp/fexpod-demo-state.XXXXXX)
HOOKS=$(mktemp -d /tmp/fexpod-demo-hooks.XXXXXX)
CONF=/etc/containers/containers.conf.d
cleanup() {
  say "clean up: hook uninstall, binfmt uninstall (previous entries restored)"
  podman rm -f -t 0 fexpod-demo-exec >/dev/null 2>&1 || true
  "${FEXPOD[@]}" hook uninstall --hooks-dir "$HOOKS" --conf-dir "$CONF" --build-hooks-dir "$HOOKS/build" || true
  "${FEXPOD[@]}" binfmt uninstall --state-dir "$STATE" || true
  rm -rf "$HOOKS" "$STATE"
}
trap cleanup EXIT

say "1. fexpod doctor"
"${FEXPOD[@]}" doctor || true

# Foreign architectures of this host and the emulator that plays FEX's part.
read -r -a GUESTS <<<"$(node --input-type=module -e '
  const { foreignArches } = await import(process.argv[1]);
  console.log(foreignArches().map((a) => a.name).join(" "));' "$ROOT/dist/test/helpers/foreign-image.js")"
HOST=$(uname -m)
if [ "$HOST" = aarch64 ] && command -v FEX >/dev/null || command -v FEXInterpreter >/dev/null; then
  EMU=()                          # FEX wins by precedence on an aarch64 host
else
  EMU=(--emulator qemu-user)      # the dynamic QEMU: staged in a prefix, like FEX
fi

say "2. fexpod binfmt install (${GUESTS[*]}) ${EMU[*]}"
args=()
for g in "${GUESTS[@]}"; do args+=(--guest "$g"); done
"${FEXPOD[@]}" binfmt install "${args[@]}" "${EMU[@]}" --state-dir "$STATE"
"${FEXPOD[@]}" binfmt status --state-dir "$STATE"

say "3. fexpod hook install"
"${FEXPOD[@]}" hook install --hooks-dir "$HOOKS" --conf-dir "$CONF" --build-hooks-dir "$HOOKS/build" \
  --state "$STATE/binfmt-state.json" --log "$STATE/hook.log"

for g in "${GUESTS[@]}"; do
  read -r IMAGE OCI <<<"$(node --input-type=module -e '
    const { podmanImage } = await import(process.argv[1]);
    const { Arch } = await import(process.argv[2]);
    const a = Arch.parse(process.argv[3]);
    console.log(podmanImage(a, "dynamic"), a.oci.architecture + (a.oci.variant ? "/" + a.oci.variant : ""));' \
    "$ROOT/dist/test/helpers/foreign-image.js" "$ROOT/dist/src/common/arch.js" "$g")"
  say "4. podman run --arch $OCI $IMAGE uname -m   (a dynamically linked $g program)"
  podman run --rm --arch "$OCI" "$IMAGE" uname -m
done

say "5. podman exec into a running foreign container"
podman run -d --name fexpod-demo-exec --arch "$OCI" "$IMAGE" sleep 60 >/dev/null
podman exec fexpod-demo-exec uname -m
podman rm -f -t 0 fexpod-demo-exec >/dev/null

say "6. the hook's log"
tail -n 5 "$STATE/hook.log" || true

say "7. images: scripts/demo-build.sh"
"$ROOT/scripts/demo-build.sh"
