#!/bin/bash
# Makes the sources packaging/fexpod.spec builds from, in OUTDIR:
#   fexpod-VERSION.tar.gz          git archive of the tree (HEAD plus uncommitted changes to tracked files)
#   fexpod-VERSION-nm-prod.tgz     the runtime npm dependencies (shipped, declared bundled(nodejs-…))
#   fexpod-VERSION-nm-dev.tgz      every npm dependency (TypeScript, for %build only)
# the way Fedora's nodejs-packaging-bundler makes a Node.js application's
# bundles. The node_modules tarballs come from ./node_modules, which "npm ci"
# made from package-lock.json; every file in them is the lock's.
#
#   npm ci && packaging/make-sources.sh ~/rpmbuild/SOURCES
#   rpmbuild -ba packaging/fexpod.spec
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: packaging/make-sources.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(node -p 'require("./package.json").version')
[ -d node_modules ] || { echo "make-sources: run npm ci first (node_modules is missing)" >&2; exit 1; }
# Reproducible tarballs: sorted names, numeric root owner, fixed mtime, gzip without a timestamp.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
tarball() { # NAME FILES…
  local name=$1; shift
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=gnu -cf - "$@" | gzip -n > "$out/$name.tmp"
  mv "$out/$name.tmp" "$out/$name"
}

tree=$(git stash create 2>/dev/null || true)
git archive --format=tar --prefix="fexpod-$version/" "${tree:-HEAD}" | gzip -9n > "$out/fexpod-$version.tar.gz.tmp"
mv "$out/fexpod-$version.tar.gz.tmp" "$out/fexpod-$version.tar.gz"

# Runtime packages; one nested inside another (node_modules/a/node_modules/b) comes with its parent.
mapfile -t prod < <(node packaging/bundled-provides.mjs --prod-paths | awk '{ for (i = 1; i <= n; i++) if (index($0, seen[i] "/") == 1) next; seen[++n] = $0; print }')
for p in "${prod[@]}"; do [ -d "$p" ] || { echo "make-sources: $p is missing; run npm ci" >&2; exit 1; }; done
tarball "fexpod-$version-nm-prod.tgz" "${prod[@]}"
tarball "fexpod-$version-nm-dev.tgz" node_modules
echo "$out/fexpod-$version.tar.gz $out/fexpod-$version-nm-prod.tgz $out/fexpod-$version-nm-dev.tgz"
