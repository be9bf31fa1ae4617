#!/usr/bin/env bash
# fexpod build demo: a tiny x86_64 image (static busybox + a Fedora-shaped base
# layout, as signed RPMs) built from a local repository served on loopback:
#   rpmbuild + createrepo_c → fexpod lock → fexpod build → podman load/run,
#   then the EroFS and SquashFS images and the SBOM.
# Needs: a built checkout (npm ci && npx tsc -p .), rpmbuild, createrepo_c, gpg,
# podman, mkfs.erofs, mksquashfs, fakeroot (scripts/setup.sh installs them).
# Runs as root or as a normal user (then podman is rootless).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=/tmp/fexpod-demo            # images/demo.toml reads its keys from $DEMO/keys
FEXPOD=(node "$ROOT/dist/src/cli.js")
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ -f "$ROOT/dist/src/cli.js" ] || (cd "$ROOT" && npx tsc -p .)
rm -rf "$DEMO/repo" "$DEMO/out" "$DEMO/demo.lock.json"
mkdir -p "$DEMO/keys"

say "1. build the demo packages (rpmbuild) and a repository (createrepo_c)"
node "$ROOT/dist/test/helpers/demo-repo.js" "$DEMO/repo" > "$DEMO/repo.json"
for k in $(node -e 'for (const k of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).keyFiles) console.log(k)' "$DEMO/repo.json"); do
  cp "$k" "$DEMO/keys/"
done
ls "$DEMO/repo/Packages"

say "2. serve it on loopback"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
(cd "$DEMO/repo" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/repodata/repomd.xml" >/dev/null 2>&1 && break; sleep 0.1; done
REPO="demo=http://127.0.0.1:$PORT/"
echo "http://127.0.0.1:$PORT/"

say "3. fexpod lock images/demo.toml (libsolv resolution, lock file)"
"${FEXPOD[@]}" lock "$ROOT/images/demo.toml" --repo "$REPO" -o "$DEMO/demo.lock.json"

say "4. fexpod build images/demo.toml --locked (verified fetch, scriptless install, rootfs profile, outputs)"
time "${FEXPOD[@]}" build "$ROOT/images/demo.toml" --repo "$REPO" --lock "$DEMO/demo.lock.json" --locked \
  --cache-dir "$DEMO/cache" --output "$DEMO/out"
ls -l "$DEMO/out"

say "5. podman load + run (the image is x86_64: native on this host)"
podman load -q -i "$DEMO/out/demo.oci.tar"
podman run --rm localhost/demo:latest /bin/sh -c 'echo "uname -m: $(uname -m)"; cat /usr/share/demo/hello.txt; ls -l /usr/libexec/demo/suid-helper; ls /etc'
podman rmi -f localhost/demo:latest >/dev/null

say "6. EroFS, SquashFS and the SBOM"
dump.erofs "$DEMO/out/demo.erofs" 2>/dev/null | grep -E 'blocks|created|UUID' || true
unsquashfs -s "$DEMO/out/demo.sqfs" | grep -E 'Compression|Creation|Block size'
unsquashfs -lln "$DEMO/out/demo.sqfs" | sed -n 1,12p
node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(d.spdxVersion, d.creationInfo.created); for (const p of d.packages) console.log(" ", p.name, p.versionInfo, (p.externalRefs||[]).map(r=>r.referenceLocator).join(" "))' "$DEMO/out/demo.spdx.json"

say "done: outputs in $DEMO/out (rebuild with the same lock: byte-identical)"
