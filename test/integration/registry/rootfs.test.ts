import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { runFexpod } from '../../helpers/demo-build.js';
import { sampleOutputs } from '../../helpers/sample-tree.js';
import { startRegistry } from '../../helpers/registry.js';

const req = integration(onPath('docker-registry'), onPath('mkfs.erofs'), isRoot());
const sha = (p: string) => `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;

async function fexpod(args: string[], env: Record<string, string>): Promise<{ ok: boolean; out: string; json?: any }> {
  try {
    const r = await runFexpod(args, { env });
    return { ok: true, out: r.stdout + r.stderr, ...(args.includes('--json') ? { json: JSON.parse(r.stdout) } : {}) };
  } catch (err) {
    return { ok: false, out: err instanceof Error ? err.message : String(err) };
  }
}

/** Every file under dir (relative paths), hidden ones included. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

test('rootfs install of a pushed EroFS artifact: in place with its digest, Config.json keys kept, a second install is a no-op, a tampered blob installs nothing', req, async () => {
  const reg = await startRegistry();
  const { dir, result } = await sampleOutputs(['erofs', 'sbom']);
  const home = mkdtempSync(join(tmpdir(), 'fexpod-rootfs-home-'));
  const repo = `fex/rootfs-${process.pid}`;
  const ref = `${reg.host}/${repo}:42-erofs`;
  const env = { HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', XDG_STATE_HOME: '', FEX_APP_DATA_LOCATION: '', FEX_APP_CONFIG_LOCATION: '' };
  const erofs = result.outputs.find((o) => o.kind === 'erofs')?.path ?? '';
  try {
    const pushed = await fexpod(['push', '--tls-verify=false', erofs, ref, '--sbom', join(dir, 'sample.spdx.json'), '--source-date-epoch', '1700000100', '--json'], env);
    assert.ok(pushed.ok, pushed.out);
    assert.equal(pushed.json.artifact.digest, sha(erofs));

    // a user install: ~/.local/share/fex-emu/RootFS, ~/.config/fex-emu/Config.json with its other keys kept
    const cfgFile = join(home, '.config', 'fex-emu', 'Config.json');
    mkdirSync(join(home, '.config', 'fex-emu'), { recursive: true });
    writeFileSync(cfgFile, JSON.stringify({ Config: { Multiblock: '1', RootFS: 'Ubuntu_24_04.sqsh', X87ReducedPrecision: '1' }, ThunksDB: { GL: 1 } }));
    const first = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref, '--json'], env);
    assert.ok(first.ok, first.out);
    const installed = join(home, '.local', 'share', 'fex-emu', 'RootFS', 'sample.erofs');
    assert.equal(first.json.path, installed);
    assert.equal(first.json.changed, true);
    assert.equal(sha(installed), sha(erofs), 'the digest checked');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    assert.deepEqual(cfg, { Config: { Multiblock: '1', RootFS: 'sample.erofs', X87ReducedPrecision: '1' }, ThunksDB: { GL: 1 } });
    for (const v of Object.values(cfg.Config)) assert.equal(typeof v, 'string', 'FEX reads every option as a string');
    assert.equal(first.json.config.previous, 'Ubuntu_24_04.sqsh');

    const mtime = statSync(installed).mtimeMs;
    const second = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref, '--json'], env);
    assert.ok(second.ok, second.out);
    assert.equal(second.json.changed, false, 'the same digest again is a no-op');
    assert.equal(statSync(installed).mtimeMs, mtime);

    const listed = await fexpod(['rootfs', 'list', '--json', '--fex-dir', join(home, 'no-global')], env);
    assert.ok(listed.ok, listed.out);
    const entry = listed.json.installed.find((e: { path: string }) => e.path === installed);
    assert.equal(entry.digest, sha(erofs));
    assert.match(entry.source, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/${repo}:42-erofs@sha256:`));
    assert.equal(entry.active, true);

    // system-wide (root, no --user): FEX's global dir (moved into the test's temp dir)
    const fexDir = join(home, 'usr-share-fex-emu');
    const state = join(home, 'var-lib-fexpod');
    const sys = await fexpod(['rootfs', 'install', '--tls-verify=false', ref, '--fex-dir', fexDir, '--state-dir', state, '--json'], env);
    assert.ok(sys.ok, sys.out);
    assert.equal(sys.json.path, join(fexDir, 'RootFS', 'sample.erofs'));
    assert.deepEqual(JSON.parse(readFileSync(join(fexDir, 'Config.json'), 'utf8')), { Config: { RootFS: 'sample.erofs' } });
    assert.ok(existsSync(join(state, 'rootfs', 'installed.json')));

    // an overlay goes to overlays/, under the name muvm mounts without -f, and leaves Config.json alone
    const ovRef = `${reg.host}/${repo}:42-overlay`;
    assert.ok((await fexpod(['push', '--tls-verify=false', '--artifact-type', 'overlay', erofs, ovRef], env)).ok);
    const ov = await fexpod(['rootfs', 'install', '--tls-verify=false', ovRef, '--fex-dir', fexDir, '--state-dir', state, '--json'], env);
    assert.ok(ov.ok, ov.out);
    assert.equal(ov.json.path, join(fexDir, 'overlays', 'mesa-x86_64.erofs'));
    assert.match(ov.out, /overlay sample\.erofs: installing it as mesa-x86_64\.erofs, the name muvm mounts without -f/);
    assert.deepEqual(JSON.parse(readFileSync(join(fexDir, 'Config.json'), 'utf8')), { Config: { RootFS: 'sample.erofs' } });

    // tamper with the blob in the registry's storage (same size): refused, nothing left behind
    const hex = sha(erofs).slice(7);
    const data = join(reg.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const fd = openSync(data, 'r+');
    writeSync(fd, Buffer.from('tampered'), 0, 8, 4096);
    closeSync(fd);
    const home2 = mkdtempSync(join(tmpdir(), 'fexpod-rootfs-home2-'));
    try {
      const env2 = { ...env, HOME: home2 };
      const bad = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref], env2);
      assert.equal(bad.ok, false);
      assert.match(bad.out, /refused: the bytes received .* do not match sha256:/);
      assert.deepEqual(files(join(home2, '.local', 'share', 'fex-emu', 'RootFS')), [], 'no file, no temp file');
      assert.ok(!existsSync(join(home2, '.config', 'fex-emu', 'Config.json')), 'Config.json not written');
      assert.ok(!existsSync(join(home2, '.local', 'state', 'fexpod')), 'nothing recorded');
    } finally {
      rmSync(home2, { recursive: true, force: true });
    }
  } finally {
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
