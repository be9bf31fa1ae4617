import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { runFexpod } from '../../helpers/demo-build.js';
import { sampleOutputs } from '../../helpers/sample-tree.js';
import { startRegistry } from '../../helpers/registry.js';

const run = promisify(execFile);
const req = integration(onPath('docker-registry'), onPath('skopeo'), onPath('podman'), onPath('htpasswd'), onPath('openssl'), isRoot());

const USER = 'fexpod-ci';
const PASSWORD = 'Tr0ub4dor&3-not-for-logs';

/** Every spelling of the secret that could leak. */
function secrets(password: string): string[] {
  return [password, Buffer.from(`${USER}:${password}`).toString('base64'), encodeURIComponent(password)];
}

function assertNoSecret(text: string, password: string): void {
  for (const s of secrets(password)) assert.ok(!text.includes(s), `a secret leaked into the output: ${s}`);
}

/** Runs fexpod and returns exit status with both outputs, never throwing. */
async function fexpod(args: string[], env: Record<string, string>): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await runFexpod(args, { env });
    return { ok: true, out: r.stdout + r.stderr };
  } catch (err) {
    return { ok: false, out: err instanceof Error ? err.message : String(err) };
  }
}

test('htpasswd auth behind TLS with a test CA: push, skopeo inspect and podman pull agree, the image runs; wrong credentials fail clearly without leaking', req, async () => {
  const reg = await startRegistry({ tls: true, auth: { user: USER, password: PASSWORD } });
  const { dir, result } = await sampleOutputs(['oci', 'sbom']);
  const home = mkdtempSync(join(tmpdir(), 'fexpod-authhome-'));
  const repo = `fex/tls-${process.pid}`;
  const ref = `${reg.host}/${repo}:1`;
  const certDir = reg.certDir ?? '';
  const authFile = join(home, 'auth.json');
  const badAuthFile = join(home, 'bad-auth.json');
  const auth = (pw: string) => JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${pw}`).toString('base64') } } });
  writeFileSync(authFile, auth(PASSWORD));
  writeFileSync(badAuthFile, auth('wrong-password-also-secret'));
  const env = { HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, 'cfg') };
  try {
    // no CA: a clear TLS error that says how to give one
    const noCa = await fexpod(['push', join(dir, 'sample.oci'), ref], { ...env, REGISTRY_AUTH_FILE: authFile });
    assert.equal(noCa.ok, false);
    assert.match(noCa.out, /over TLS[\s\S]*--cert-dir/);

    const pushed = await fexpod(['push', '--verbose', '--cert-dir', certDir, join(dir, 'sample.oci'), ref, '--sbom', join(dir, 'sample.spdx.json'), '--json'], { ...env, REGISTRY_AUTH_FILE: authFile });
    assert.ok(pushed.ok, pushed.out);
    assertNoSecret(pushed.out, PASSWORD);
    assert.match(pushed.out, /PUT https:\/\/127\.0\.0\.1:\d+\/v2\/fex\/tls-\d+\/manifests\/1 → 201/, '--verbose logs requests');

    const info = JSON.parse((await run('skopeo', ['inspect', '--cert-dir', certDir, '--authfile', authFile, `docker://${ref}`])).stdout);
    assert.equal(info.Digest, result.manifestDigest);
    await run('podman', ['pull', '-q', '--cert-dir', certDir, '--authfile', authFile, ref]);
    const img = JSON.parse((await run('podman', ['image', 'inspect', ref])).stdout)[0];
    assert.equal(img.Digest, result.manifestDigest);
    assert.equal((await run('podman', ['run', '--rm', ref, 'cat', '/usr/share/hello.txt'])).stdout, 'hello from fexpod\n');

    // pull back through --authfile (the flag beats REGISTRY_AUTH_FILE)
    const pulled = await fexpod(['pull', '--cert-dir', certDir, '--authfile', authFile, ref, '-o', join(dir, 'pulled.oci'), '--json'], { ...env, REGISTRY_AUTH_FILE: badAuthFile });
    assert.ok(pulled.ok, pulled.out);

    const wrong = await fexpod(['push', '--verbose', '--cert-dir', certDir, join(dir, 'sample.oci'), ref], { ...env, REGISTRY_AUTH_FILE: badAuthFile });
    assert.equal(wrong.ok, false);
    assert.match(wrong.out, new RegExp(`registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "${USER}" from ${badAuthFile.replace(/\./g, '\\.')}`));
    assert.match(wrong.out, /fix: .*podman login/);
    assertNoSecret(wrong.out, 'wrong-password-also-secret');
    assertNoSecret(wrong.out, PASSWORD);

    const none = await fexpod(['push', '--cert-dir', certDir, join(dir, 'sample.oci'), ref], env);
    assert.equal(none.ok, false);
    assert.match(none.out, /requires authentication \(HTTP 401\) and no credentials for it were found/);
  } finally {
    await run('podman', ['rmi', '-f', ref]).catch(() => undefined);
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
