import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../../src/common/log.js';
import { processRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { bufferContent } from '../../../src/builder/tree/tree.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { hostArch, sampleTree, SAMPLE_EPOCH } from '../../helpers/sample-tree.js';
import { runFexpod } from '../../helpers/demo-build.js';
import { startProxy, startRegistry, type Fault } from '../../helpers/registry.js';

const run = promisify(execFile);
const req = integration(onPath('docker-registry'), onPath('skopeo'), isRoot());

test('a fault proxy (dropped connections mid-upload, 500, 429) still ends with a complete, correct image; no manifest points at a missing blob', req, async () => {
  const reg = await startRegistry();
  const injected: string[] = [];
  const fault = (method: string, path: string, n: number): Fault => {
    let f: Fault;
    if (method === 'PATCH' && (n === 1 || n === 3)) f = 'drop-mid-body';           // chunks 2 and 4 of the layer: resumed
    else if (method === 'PUT' && path.includes('/blobs/uploads/') && n === 0) f = 'drop-mid-body';
    else if (method === 'HEAD' && path.includes('/blobs/') && n === 0) f = 'status-500';
    else if (method === 'POST' && n === 1) f = 'status-500';
    else if (method === 'PUT' && path.includes('/manifests/') && n === 0) f = 'status-429';
    else if (method === 'GET' && path.includes('/blobs/uploads/') && n === 0) f = 'status-429';
    if (f) injected.push(`${f} ${method} ${path.replace(/sha256:[0-9a-f]{64}/, 'D')}`);
    return f;
  };
  const proxy = await startProxy(reg.host, fault);
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-faults-'));
  const repo = `fex/faults-${process.pid}`;
  try {
    // 5 MiB of incompressible content: a layer of 5+ chunks of 1 MiB
    const entries = [...sampleTree(), { path: 'usr/share/noise.bin', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtime: SAMPLE_EPOCH, content: bufferContent(randomBytes(5 << 20)) }];
    const r = await writeOutputs(
      { entries, formats: ['oci'], outDir: dir, names: defaultOutputNames('noisy'), arch: hostArch(), sourceDateEpoch: SAMPLE_EPOCH, image: { refName: 'noisy:1', createdBy: 'fexpod test' } },
      { runner: processRunner, privileged: true, pageSize: 4096, env: process.env, log: silentLogger },
    );
    const layout = join(dir, 'noisy.oci');
    const out = await runFexpod(['push', '--tls-verify=false', '--verbose', '--chunk-size', '1', '--jobs', '2', layout, `${proxy.host}/${repo}:1`, '--json']);
    const pushed = JSON.parse(out.stdout);
    assert.equal(pushed.digest, r.manifestDigest);
    for (const kind of ['drop-mid-body PATCH', 'drop-mid-body PUT', 'status-500 HEAD', 'status-500 POST', 'status-429 PUT', 'status-429 GET']) {
      assert.ok(injected.some((i) => i.startsWith(kind)), `fault "${kind}" happened (${injected.join('; ')})`);
    }
    assert.match(out.stderr, /asking .* for the upload status/, 'a dropped chunk is resumed from the registry\'s upload status');
    const sessions = proxy.requests.filter((x) => x.method === 'POST' && x.status === 202).length;
    assert.equal(sessions, 2, 'one upload session per blob (layer, config): resumed, never restarted');

    // the registry holds exactly the layout: same digest, every blob there and correct
    const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}:1`])).stdout);
    assert.equal(info.Digest, r.manifestDigest);
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', r.manifestDigest.slice(7)), 'utf8'));
    for (const d of [manifest.config, ...manifest.layers]) {
      const res = await fetch(`http://${reg.host}/v2/${repo}/blobs/${d.digest}`, { method: 'HEAD' });
      assert.equal(res.status, 200, `blob ${d.digest} is in the registry`);
      assert.equal(Number(res.headers.get('content-length')), d.size);
    }
    const pulled = JSON.parse((await runFexpod(['pull', '--tls-verify=false', `${reg.host}/${repo}:1`, '-o', join(dir, 'back.oci'), '--json'])).stdout);
    assert.equal(pulled.digest, r.manifestDigest, 'pulled back, every blob verified');
    const layer = manifest.layers[0];
    assert.deepEqual(readFileSync(join(dir, 'back.oci', 'blobs', 'sha256', layer.digest.slice(7))), readFileSync(join(layout, 'blobs', 'sha256', layer.digest.slice(7))));
  } finally {
    await proxy.close();
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a connection dropped after half a chunk reached the registry (which then cancels the upload) ends in a new upload session and a correct image', req, async () => {
  const reg = await startRegistry();
  const proxy = await startProxy(reg.host, (method, _path, n) => (method === 'PATCH' && n === 1 ? 'forward-half-then-drop' : undefined));
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-faults2-'));
  const repo = `fex/faults2-${process.pid}`;
  try {
    const entries = [...sampleTree(), { path: 'usr/share/noise.bin', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtime: SAMPLE_EPOCH, content: bufferContent(randomBytes(3 << 20)) }];
    const r = await writeOutputs(
      { entries, formats: ['oci'], outDir: dir, names: defaultOutputNames('noisy'), arch: hostArch(), sourceDateEpoch: SAMPLE_EPOCH, image: { refName: 'noisy:1', createdBy: 'fexpod test' } },
      { runner: processRunner, privileged: true, pageSize: 4096, env: process.env, log: silentLogger },
    );
    const out = await runFexpod(['push', '--tls-verify=false', '--verbose', '--chunk-size', '1', join(dir, 'noisy.oci'), `${proxy.host}/${repo}:1`, '--json']);
    assert.equal(JSON.parse(out.stdout).digest, r.manifestDigest);
    assert.match(out.stderr, /session lost, starting a new one/);
    const sessions = proxy.requests.filter((x) => x.method === 'POST' && x.status === 202).length;
    assert.equal(sessions, 3, 'layer twice (the first session was cancelled by the registry), config once');
    const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}:1`])).stdout);
    assert.equal(info.Digest, r.manifestDigest);
    await runFexpod(['pull', '--tls-verify=false', `${reg.host}/${repo}:1`, '-o', join(dir, 'back.oci')]);
  } finally {
    await proxy.close();
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
