import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/common/errors.js';
import {
  applyRepoOverrides,
  parseDefinition,
  parseRepoOverride,
} from '../../../src/builder/definition.js';

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
  assert.equal(d.profile, 'rootfs');
  assert.equal(d.weakDeps, false);
  assert.deepEqual(d.outputs.formats, ['oci']);
  assert.deepEqual(
    d.repos.map((r) => [r.id, r.source.kind, r.source.urls[0], r.gpgcheck, r.gpgkeys[0]]),
    [
      ['fedora', 'metalink', 'https://mirrors.fedoraproject.org/metalink?repo=fedora-42&arch=x86_64', true, 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'],
      ['updates', 'metalink', 'https://mirrors.fedoraproject.org/metalink?repo=updates-released-f42&arch=x86_64', true, 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'],
    ],
  );
  assert.match(d.digest, /^sha256:[0-9a-f]{64}$/);
});

test('repos as a table or an array, with outputs and profile options', () => {
  const d = parseDefinition(
    'a.toml',
    `name = "mesa-overlay"
release = "rawhide"
arch = "amd64"
packages = ["mesa-dri-drivers"]
excludes = ["*-devel"]
weak_deps = true
profile = "overlay"
base = "fedora-rootfs.toml"
[[repos]]
id = "local"
baseurl = ["http://127.0.0.1:8080/$releasever/$basearch/", "http://mirror.example/$basearch/"]
gpgcheck = false
[profile_options]
keep = ["/usr/lib64/dri"]
[outputs]
formats = ["erofs", "sbom"]
erofs = { block_size = 4096 }
`,
  );
  assert.equal(d.release, 'rawhide');
  assert.deepEqual(d.arches, ['x86_64']);
  assert.deepEqual(d.repos[0]?.source.urls, ['http://127.0.0.1:8080/rawhide/x86_64/', 'http://mirror.example/x86_64/']);
  assert.deepEqual(d.repos[0]?.gpgkeys, []);
  assert.equal(d.base, 'fedora-rootfs.toml');
  assert.deepEqual(d.profileOptions, { keep: ['/usr/lib64/dri'] });
  assert.deepEqual(d.outputs, { formats: ['erofs', 'sbom'], options: { erofs: { block_size: 4096 } } });
});

test('the digest ignores outputs and repo URLs but not packages', () => {
  const a = parseDefinition('a.toml', MINIMAL);
  const b = parseDefinition('b.toml', MINIMAL + '\n[outputs]\nformats = ["erofs"]\n');
  const c = parseDefinition('c.toml', MINIMAL.replace('"bash"', '"bash", "zsh"'));
  assert.equal(a.digest, b.digest);
  assert.notEqual(a.digest, c.digest);
});

const bad = [
  { name: 'TOML syntax', text: 'name = "x"\npackages = [', key: '', msg: /not valid TOML/ },
  { name: 'missing packages', text: 'name = "x"\nrelease = 42', key: 'packages', msg: /./ },
  { name: 'unknown key', text: MINIMAL + 'pakages = ["x"]', key: '', msg: /unknown key "pakages"/ },
  { name: 'unknown arch', text: MINIMAL.replace('"i686"', '"sparc"'), key: 'arches[1]', msg: /unknown architecture/ },
  { name: 'bad multilib', text: MINIMAL.replace('"x86_64", "i686"', '"aarch64", "i686"'), key: 'arches[1]', msg: /not a multilib/ },
  { name: 'bad profile', text: MINIMAL + 'profile = "vm"', key: 'profile', msg: /./ },
  { name: 'bad output format', text: MINIMAL + '[outputs]\nformats = ["qcow2"]', key: 'outputs.formats[0]', msg: /./ },
  { name: 'two sources', text: MINIMAL + '[repos.f]\nmetalink = "https://a/"\nbaseurl = "https://b/"', key: 'repos.f', msg: /both metalink and baseurl/ },
  { name: 'no source', text: MINIMAL + '[repos.f]\ngpgcheck = false', key: 'repos.f', msg: /no metalink/ },
  { name: 'bad url', text: MINIMAL + '[repos.f]\nbaseurl = "ftp://x/"', key: 'repos.f.baseurl', msg: /scheme/ },
  { name: 'overlay without base', text: MINIMAL + 'profile = "overlay"', key: 'base', msg: /needs a base/ },
];
for (const c of bad) {
  test(`rejects ${c.name} with file, key and fix`, () => {
    assert.throws(
      () => parseDefinition('images/bad.toml', c.text),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.file, 'images/bad.toml');
        assert.equal(err.keyPath, c.key);
        assert.match(err.message, c.msg);
        assert.ok(err.fix && err.fix.length > 5);
        return true;
      },
    );
  });
}

test('--repo overrides replace a repository source', () => {
  const d = parseDefinition('a.toml', MINIMAL);
  const o = applyRepoOverrides(d, [parseRepoOverride('fedora=http://127.0.0.1:8080/$basearch/'), parseRepoOverride('updates=metalink:http://127.0.0.1:8080/metalink')]);
  assert.deepEqual(o.repos[0]?.source, { kind: 'baseurl', urls: ['http://127.0.0.1:8080/x86_64/'] });
  assert.deepEqual(o.repos[1]?.source, { kind: 'metalink', urls: ['http://127.0.0.1:8080/metalink'] });
  assert.equal(o.digest, d.digest);
  assert.throws(() => applyRepoOverrides(d, [parseRepoOverride('nope=http://x/')]), /has no repository "nope"/);
  assert.throws(() => parseRepoOverride('fedora'), ConfigError);
});
