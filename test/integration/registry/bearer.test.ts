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
import { startTokenServer } from '../../helpers/token-server.js';

const run = promisify(execFile);
const req = integration(onPath('docker-registry'), onPath('skopeo'), onPath('openssl'), isRoot());

test("bearer tokens against docker-registry's token auth: scoped per repository, the registry checks them; refused credentials are named without the secret", req, async () => {
  const work = mkdtempSync(join(tmpdir(), 'fexpod-bearer-'));
  const tokens = await startTokenServer(work, 'robot', 'b3arer-secret-pw');
  const reg = await startRegistry({ token: tokens });
  const { dir, result } = await sampleOutputs(['oci']);
  const good = join(work, 'auth.json');
  const bad = join(work, 'bad.json');
  const authJson = (pw: string) => JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`robot:${pw}`).toString('base64') } } });
  writeFileSync(good, authJson('b3arer-secret-pw'));
  writeFileSync(bad, authJson('not-the-pw'));
  const env = { HOME: work, XDG_RUNTIME_DIR: join(work, 'run'), XDG_CONFIG_HOME: join(work, 'cfg') };
  try {
    const r = await runFexpod(['push', '--verbose', '--tls-verify=false', '--authfile', good, join(dir, 'sample.oci'), `${reg.host}/fex/bearer:1`, '--json'], { env });
    assert.equal(JSON.parse(r.stdout).digest, result.manifestDigest);
    assert.deepEqual(tokens.requests.map((x) => x.scopes), [['repository:fex/bearer:pull,push']], 'one token, scoped to the repository, for the whole push');
    for (const s of ['b3arer-secret-pw', Buffer.from('robot:b3arer-secret-pw').toString('base64'), 'eyJ']) assert.ok(!(r.stdout + r.stderr).includes(s), `no ${s.slice(0, 3)}… in the output`);

    const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--authfile', good, `docker://${reg.host}/fex/bearer:1`])).stdout);
    assert.equal(info.Digest, result.manifestDigest);
    await runFexpod(['push', '--tls-verify=false', '--authfile', good, join(dir, 'sample.oci'), `${reg.host}/fex/bearer-copy:1`, '--mount-from', 'fex/bearer'], { env });
    assert.deepEqual(tokens.requests.at(-1)?.scopes, ['repository:fex/bearer-copy:pull,push', 'repository:fex/bearer:pull'], 'a mount asks for pull on its source');

    await assert.rejects(runFexpod(['push', '--verbose', '--tls-verify=false', '--authfile', bad, join(dir, 'sample.oci'), `${reg.host}/fex/bearer:2`], { env }), (err: Error) => {
      assert.match(err.message, new RegExp(`the token service 127\\.0\\.0\\.1:\\d+ refused: registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "robot" from ${bad.replace(/\./g, '\\.')}`));
      assert.ok(!err.message.includes('not-the-pw') && !err.message.includes(Buffer.from('robot:not-the-pw').toString('base64')));
      return true;
    });
  } finally {
    await reg.close();
    await tokens.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
