import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatError, main } from '../../../src/cli.js';
import { ConfigError, FexpodError } from '../../../src/common/errors.js';
import { applyRepoOverrides, parseDefinition, parseRepoOverride } from '../../../src/builder/definition.js';

const MINIMAL = `
name = "fedora-rootfs"
release = 42
arches = ["x86_64", "i686"]
packages = ["glibc", "bash"]
`;

test('a minimal definition gets Fedora repos, keys and defaults', () => {
  const d = parseDefinition('images/x.toml', MINIMAL);
  assert.equal(d.release, '42');
  assert.deepEqual(d.arches, ['x86_64', 'i686']);
  assert.equal(d.basearch, 'x86_64');
  assert.equal(d.profile.kind, 'rootfs');
  assert.equal(d.weakDeps, false);
  assert.deepEqual(d.outputs.formats, ['oci']);
  assert.deepEqual(
    d.repos.map((r) => [r.id, r.source.kind, r.source.urls[0], r.gpgcheck, r.repoGpgcheck, r.gpgkeys[0]]),
    [
      ['fedora', 'metalink', 'https://mirrors.fedoraproject.org/metalink?repo=fedora-42&arch=x86_64', true, false, 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'],
      ['updates', 'metalink', 'https://mirrors.fedoraproject.org/metalink?repo=updates-released-f42&arch=x86_64', true, false, 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'],
    ],
  );
  assert.match(d.digest, /^sha256:[0-9a-f]{64}$/);
});

test('normalized: profile options and output options come with every default filled in', () => {
  const d = parseDefinition('a.toml', MINIMAL + '[profile_options]\nextra_remove = ["usr/local"]\nstrip_setid = false\n[outputs]\nformats = ["erofs"]\nerofs_name = "default.erofs"\nfex_index = { title = "F42" }\n');
  assert.equal(d.profile.kind, 'rootfs');
  if (d.profile.kind !== 'rootfs') return;
  assert.equal(d.profile.options.stripSetid, false);
  assert.equal(d.profile.options.ldSoCache, true);
  assert.ok(d.profile.options.remove.includes('etc/hosts'), 'default remove list kept');
  assert.equal(d.profile.options.remove.at(-1), 'usr/local', 'extra_remove appended');
  assert.deepEqual(d.profile.options.etcKeep, ['alternatives', 'ld.so*']);
  assert.deepEqual(d.outputs, { formats: ['erofs'], options: { erofs_name: 'default.erofs', fex_index: { title: 'F42' } } });
});

test('repos as a table or an array; an overlay with its options', () => {
  const d = parseDefinition(
    'a.toml',
    `name = "mesa-overlay"
release = "rawhide"
arch = "amd64"
packages = ["mesa-dri-drivers", "@multimedia"]
excludes = ["*-devel"]
weak_deps = true
profile = "overlay"
base = "fedora-rootfs.toml"
[[repos]]
id = "local"
baseurl = ["http://127.0.0.1:8080/$releasever/$basearch/", "http://mirror.example/\${arch}/"]
gpgcheck = false
[profile_options]
trim = "none"
[profile_options.rootfs]
etc_keep = ["pki"]
[outputs]
formats = ["erofs", "sbom"]
erofs = { block_size = 4096 }
`,
  );
  assert.equal(d.release, 'rawhide');
  assert.deepEqual(d.arches, ['x86_64']);
  assert.deepEqual(d.packages, ['mesa-dri-drivers', '@multimedia']);
  assert.deepEqual(d.repos[0]?.source.urls, ['http://127.0.0.1:8080/rawhide/x86_64/', 'http://mirror.example/x86_64/']);
  assert.deepEqual(d.repos[0]?.gpgkeys, []);
  assert.equal(d.base, 'fedora-rootfs.toml');
  assert.equal(d.profile.kind, 'overlay');
  if (d.profile.kind !== 'overlay') return;
  assert.equal(d.profile.options.trim, 'none');
  assert.deepEqual(d.profile.options.rootfs.etcKeep, ['pki']);
  assert.deepEqual(d.outputs, { formats: ['erofs', 'sbom'], options: { erofs: { block_size: 4096 } } });
});

test('the digest ignores outputs and repo URLs but not packages or repo_gpgcheck', () => {
  const a = parseDefinition('a.toml', MINIMAL);
  const b = parseDefinition('b.toml', MINIMAL + '\n[outputs]\nformats = ["erofs"]\n');
  const c = parseDefinition('c.toml', MINIMAL.replace('"bash"', '"bash", "zsh"'));
  const repo = '[repos.f]\nbaseurl = "http://127.0.0.1:1/"\n';
  const e = parseDefinition('e.toml', MINIMAL + repo);
  const f = parseDefinition('f.toml', MINIMAL + repo + 'repo_gpgcheck = false\n');
  const g = parseDefinition('g.toml', MINIMAL + repo + 'repo_gpgcheck = true\n');
  assert.equal(a.digest, b.digest);
  assert.notEqual(a.digest, c.digest);
  assert.equal(e.digest, f.digest, 'repo_gpgcheck off (the default) leaves the digest as it was');
  assert.notEqual(e.digest, g.digest);
});

const VARS = `${MINIMAL}[vars]
contentdir = "pub/fedora/linux"
mirror = "http://127.0.0.1:8080"
empty = ""
[repos.f]
`;
const varCases = [
  { name: '$var and ${var}', url: '$mirror/${contentdir}/releases/$releasever/Everything/$basearch/os/', want: 'http://127.0.0.1:8080/pub/fedora/linux/releases/42/Everything/x86_64/os/' },
  { name: '${var:-word} when unset or empty', url: '${nope:-http://a}/${empty:-x}/', want: 'http://a/x/' },
  { name: '${var:-word} when set', url: '${mirror:-http://a}/', want: 'http://127.0.0.1:8080/' },
  { name: '${var:+word} when set, and when unset or empty', url: 'http://h/${mirror:+yes}${nope:+no}${empty:+no}/', want: 'http://h/yes/' },
  { name: 'the word is itself expanded', url: '${nope:-$mirror/${contentdir}}/', want: 'http://127.0.0.1:8080/pub/fedora/linux/' },
  { name: '\\$ is a literal $', url: 'http://h/a\\\\$b/', want: 'http://h/a$b/' },
  { name: '$releasever_major / $releasever_minor', url: 'http://h/$releasever_major.${releasever_minor:-0}/$arch/', want: 'http://h/42.0/x86_64/' },
];
for (const c of varCases) {
  test(`DNF variables: ${c.name}`, () => {
    const d = parseDefinition('v.toml', `${VARS}baseurl = "${c.url}"\n`);
    assert.deepEqual(d.repos[0]?.source.urls, [c.want]);
  });
}

test('DNF variables apply to gpgkey, mirrorlist, metalink, name and --repo overrides', () => {
  const d = parseDefinition('v.toml', `${VARS}metalink = "$mirror/metalink?repo=fedora-$releasever"\nname = "F $releasever from $mirror"\ngpgkey = "file:///keys/\${contentdir}.asc"\n`);
  assert.deepEqual(d.repos[0]?.source.urls, ['http://127.0.0.1:8080/metalink?repo=fedora-42']);
  assert.equal(d.repos[0]?.name, 'F 42 from http://127.0.0.1:8080');
  assert.deepEqual(d.repos[0]?.gpgkeys, ['file:///keys/pub/fedora/linux.asc']);
  const o = applyRepoOverrides(d, [parseRepoOverride('f=$mirror/$basearch/')]);
  assert.deepEqual(o.repos[0]?.source.urls, ['http://127.0.0.1:8080/x86_64/']);
  assert.throws(() => applyRepoOverrides(d, [parseRepoOverride('f=http://h/$nope/')]), (e: unknown) => e instanceof ConfigError && e.message === '--repo: f: undefined variable $nope');
});

/** Bad definitions and the exact error each gives: file, key path, problem, fix. */
const M = 'name = "x"\nrelease = 42\npackages = ["glibc"]\n';
const bad = [
  { name: 'gpgcheck = "yes"', text: M + '[repos.fedora]\nmetalink = "https://a/"\ngpgcheck = "yes"\n', key: 'repos.fedora.gpgcheck', msg: 'expected true or false, got the string "yes"', fix: 'write gpgcheck = true or gpgcheck = false (a TOML boolean, without quotes)' },
  { name: 'repo_gpgcheck = 1', text: M + '[repos.fedora]\nmetalink = "https://a/"\nrepo_gpgcheck = 1\n', key: 'repos.fedora.repo_gpgcheck', msg: 'expected true or false, got the number 1', fix: 'write repo_gpgcheck = true or repo_gpgcheck = false (a TOML boolean, without quotes)' },
  { name: 'a misspelt top-level key', text: M + 'pakages = ["x"]\n', key: '', msg: 'unknown key "pakages"', fix: 'did you mean "packages"? (keys allowed here: name, release, arches, arch, repos, vars, packages, excludes, weak_deps, profile, profile_options, outputs)' },
  { name: 'a misspelt repository key', text: M + '[repos.f]\nbaseurl = "http://x/"\ngpgchek = true\n', key: 'repos.f', msg: 'unknown key "gpgchek"', fix: 'did you mean "gpgcheck"? (keys allowed here: id, name, metalink, mirrorlist, baseurl, gpgkey, gpgcheck, repo_gpgcheck, enabled)' },
  { name: 'an unknown profile', text: M + 'profile = "vm"\n', key: 'profile', msg: '"vm" is not one of rootfs, sysroot, overlay', fix: 'write profile = "rootfs" (the default), "sysroot" or "overlay"' },
  { name: 'base outside an overlay', text: M + 'base = "b.toml"\n', key: '', msg: 'unknown key "base"', fix: '"base" belongs to profile "overlay"; remove it, or set profile = "overlay"' },
  { name: 'an overlay option under rootfs', text: M + '[profile_options]\ntrim = "none"\n', key: 'profile_options', msg: 'unknown key "trim" for profile "rootfs"', fix: '"trim" belongs to profile "overlay"; remove it, or set profile = "overlay"' },
  { name: 'a rootfs output option under sysroot', text: M + 'profile = "sysroot"\n[outputs]\nfex_index = { title = "x" }\n', key: 'outputs', msg: 'unknown key "fex_index" for profile "sysroot"', fix: '"fex_index" belongs to profile "rootfs"; remove it, or set profile = "rootfs"' },
  { name: 'a sysroot option that no profile has', text: M + 'profile = "sysroot"\n[profile_options]\nrequires = ["x"]\n', key: 'profile_options', msg: 'unknown key "requires" for profile "sysroot"', fix: 'did you mean "require"? (keys allowed here: relative_symlinks, require, links, remove, extra_remove)' },
  { name: 'a profile option of the wrong type', text: M + '[profile_options]\nstrip_setid = "yes"\n', key: 'profile_options.strip_setid', msg: 'expected true or false, got the string "yes"', fix: 'write strip_setid = true or strip_setid = false (a TOML boolean, without quotes)' },
  { name: 'an overlay without base', text: M + 'profile = "overlay"\n', key: 'base', msg: 'missing', fix: 'write base = "fex-rootfs-fedora.toml" (the definition, next to this one, that the overlay sits on)' },
  { name: 'an unknown output format', text: M + '[outputs]\nformats = ["qcow2"]\n', key: 'outputs.formats[0]', msg: '"qcow2" is not one of oci, oci-archive, erofs, squashfs, dir, sbom, rpm', fix: 'write formats = ["oci", "erofs"] (any of oci, oci-archive, erofs, squashfs, dir, sbom, rpm)' },
  { name: 'cmd as a string', text: M + '[outputs]\ncmd = "sh"\n', key: 'outputs.cmd', msg: 'expected a list, got the string "sh"', fix: 'write cmd = ["/bin/sh"] (a list: the program and its arguments)' },
  { name: 'a negative block size', text: M + '[outputs]\nerofs = { block_size = -1 }\n', key: 'outputs.erofs.block_size', msg: 'must be more than 0, got the number -1', fix: 'write block_size = 4096 (bytes)' },
  { name: 'erofs_name with a slash', text: M + '[outputs]\nerofs_name = "a/b"\n', key: 'outputs.erofs_name', msg: '"a/b" is not a file name', fix: 'write erofs_name = "default.erofs" (a file name, no "/")' },
  { name: 'a bad release', text: M.replace('42', '"4 2"'), key: 'release', msg: '"4 2" is not a release ("42", "rawhide")', fix: 'write release = 42 (the Fedora release, $releasever) or release = "rawhide"' },
  { name: 'a missing release', text: 'name = "x"\npackages = ["a"]\n', key: 'release', msg: 'missing', fix: 'write release = 42 (the Fedora release, $releasever) or release = "rawhide"' },
  { name: 'baseurl as a number', text: M + '[repos.f]\nbaseurl = 5\n', key: 'repos.f.baseurl', msg: 'expected a string or a list, got the number 5', fix: 'write baseurl = "https://…/" or a list of mirror URLs' },
  { name: 'an [[repos]] entry', text: M + '[[repos]]\nid = "a"\nbaseurl = "http://x/"\nenabled = "no"\n', key: 'repos[0].enabled', msg: 'expected true or false, got the string "no"', fix: 'write enabled = true or enabled = false (a TOML boolean, without quotes)' },
  { name: 'an empty package list', text: M.replace('["glibc"]', '[]'), key: 'packages', msg: 'must not be empty', fix: 'write packages = ["glibc", "bash", "@core"] (at least one package or @group)' },
  { name: 'an image name with spaces', text: M.replace('"x"', '"My Image"'), key: 'name', msg: '"My Image" is not an image name (lower-case letters, digits, ".", "_" and "-")', fix: 'write name = "my-image" (lower-case letters, digits, ".", "_" and "-"; used for output names)' },
  { name: 'an undefined variable', text: M + '[repos.f]\nbaseurl = "http://x/$contentdir/$releasever/"\n', key: 'repos.f.baseurl', msg: 'undefined variable $contentdir', fix: 'define it in the definition\'s [vars] table (contentdir = "…"), or write \\$ for a literal "$"' },
  { name: 'an undefined variable in gpgkey', text: M + '[repos.f]\nbaseurl = "http://x/"\ngpgkey = ["file:///k/${keyname}"]\n', key: 'repos.f.gpgkey[0]', msg: 'undefined variable ${keyname}', fix: 'define it in the definition\'s [vars] table (keyname = "…"), or write \\$ for a literal "$"' },
  { name: 'a variable form dnf does not know', text: M + '[vars]\nfoo = "a"\n[repos.f]\nbaseurl = "http://x/${foo:?bar}/"\n', key: 'repos.f.baseurl', msg: '"${foo:?…" is not a form dnf knows: use ${foo}, ${foo:-default} or ${foo:+alternate}', fix: 'see images/README.md "Variables" for the forms dnf knows' },
  { name: 'an unterminated ${', text: M + '[repos.f]\nbaseurl = "http://x/${releasever"\n', key: 'repos.f.baseurl', msg: '"${releasever" has no closing "}"', fix: 'see images/README.md "Variables" for the forms dnf knows' },
  { name: 'a variable that is not a string', text: M + '[vars]\ncontentdir = 5\n', key: 'vars.contentdir', msg: 'expected a string, got the number 5', fix: 'write the value in quotes: name = "value"' },
  { name: 'a built-in variable in [vars]', text: M + '[vars]\nbasearch = "x"\n', key: 'vars.basearch', msg: '$basearch is built in (from release and arches)', fix: 'remove it from [vars]; set release = … or arches = [...] instead' },
  { name: 'a variable name dnf cannot use', text: M + '[vars]\n"my-var" = "x"\n', key: 'vars.my-var', msg: '"my-var" is not a variable name', fix: 'use letters, digits and "_" (dnf\'s variable names)' },
  { name: 'TOML syntax', text: 'name = "x"\npackages = [', key: '', msg: 'not valid TOML: Unterminated inline array at row 2, col 13, pos 24', fix: 'fix the TOML syntax at the position shown' },
  { name: 'an unknown arch', text: M + 'arches = ["x86_64", "sparc"]\n', key: 'arches[1]', msg: 'unknown architecture "sparc"', fix: 'use x86_64, i686, aarch64 or armv7hl' },
  { name: 'a bad multilib pair', text: M + 'arches = ["aarch64", "i686"]\n', key: 'arches[1]', msg: 'i686 is not a multilib architecture of aarch64', fix: 'multilib pairs: x86_64 + i686' },
  { name: 'two sources', text: M + '[repos.f]\nmetalink = "https://a/"\nbaseurl = "https://b/"\n', key: 'repos.f', msg: 'both metalink and baseurl are set', fix: 'give each repository exactly one of metalink, mirrorlist or baseurl' },
  { name: 'no source', text: M + '[repos.f]\ngpgcheck = false\n', key: 'repos.f', msg: 'no metalink, mirrorlist or baseurl', fix: 'give each repository exactly one of metalink, mirrorlist or baseurl' },
  { name: 'an ftp URL', text: M + '[repos.f]\nbaseurl = "ftp://x/"\n', key: 'repos.f.baseurl', msg: 'unsupported URL scheme ftp:', fix: 'use http://, https:// or file://' },
];
for (const c of bad) {
  test(`rejects ${c.name} with file, key path, problem and fix`, () => {
    assert.throws(
      () => parseDefinition('images/bad.toml', c.text),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.file, 'images/bad.toml');
        assert.equal(err.keyPath, c.key);
        assert.equal(err.message, `images/bad.toml: ${c.key ? `${c.key}: ` : ''}${c.msg}`);
        assert.equal(err.fix, c.fix);
        assert.equal(err.exitCode, 2);
        return true;
      },
    );
  });
}

test('several problems: the first is reported, with how many more there are', () => {
  assert.throws(() => parseDefinition('b.toml', M + 'weak_deps = "no"\n[outputs]\ncmd = "sh"\n'), (e: unknown) => e instanceof ConfigError && e.message === 'b.toml: weak_deps: expected true or false, got the string "no" (and 1 more problem)');
});

test('--repo overrides replace a repository source', () => {
  const d = parseDefinition('a.toml', MINIMAL);
  const o = applyRepoOverrides(d, [parseRepoOverride('fedora=http://127.0.0.1:8080/$basearch/'), parseRepoOverride('updates=metalink:http://127.0.0.1:8080/metalink')]);
  assert.deepEqual(o.repos[0]?.source, { kind: 'baseurl', urls: ['http://127.0.0.1:8080/x86_64/'] });
  assert.deepEqual(o.repos[1]?.source, { kind: 'metalink', urls: ['http://127.0.0.1:8080/metalink'] });
  assert.equal(o.digest, d.digest);
  assert.throws(() => applyRepoOverrides(d, [parseRepoOverride('nope=http://x/')]), /has no repository "nope"/);
  assert.throws(() => parseRepoOverride('fedora'), ConfigError);
});

// Issue 8, item 8: `fexpod lock` used to accept (and resolve) what `fexpod build` rejected later.
// Both now stop at the definition, before any network access, with the same error and exit code.
const upFront = [
  { name: 'an output option build does not know', extra: '[outputs]\nformat = ["oci"]\n', err: 'outputs: unknown key "format"' },
  { name: 'a profile option of another profile', extra: '[profile_options]\nrelative_symlinks = false\n', err: 'profile_options: unknown key "relative_symlinks" for profile "rootfs"' },
  { name: 'a profile option of the wrong type', extra: '[profile_options]\nld_so_cache = "yes"\n', err: 'profile_options.ld_so_cache: expected true or false, got the string "yes"' },
];
for (const c of upFront) {
  test(`fexpod lock and fexpod build both refuse ${c.name} before fetching anything`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-def-'));
    try {
      const file = join(dir, 'img.toml');
      // Port 1 on loopback: any attempt to fetch would fail with a network error, not a ConfigError.
      writeFileSync(file, `name = "img"\nrelease = 42\npackages = ["glibc"]\n[repos.r]\nbaseurl = "http://127.0.0.1:1/"\ngpgcheck = false\n${c.extra}`);
      for (const args of [['lock', file, '--cache-dir', join(dir, 'cache')], ['build', file, '--cache-dir', join(dir, 'cache'), '-o', join(dir, 'out')]]) {
        const stderr = new PassThrough();
        let err = '';
        stderr.on('data', (d: Buffer) => (err += d.toString()));
        // As the fexpod process does: an error thrown by a command becomes its message and exit code.
        const code = await main(args, { argv: args, env: {}, cwd: dir, stdout: new PassThrough(), stderr, stdin: new PassThrough(), interactive: false }).catch((e: unknown) => {
          err += formatError(e, false);
          return e instanceof FexpodError ? e.exitCode : 1;
        });
        assert.equal(code, 2, `${args[0]}: ${err}`);
        assert.ok(err.includes(`${file}: ${c.err}`), `${args[0]}: ${err}`);
        assert.match(err, /fix: /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
