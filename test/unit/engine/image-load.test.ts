import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { loadArchive, parseLoadResponse, readLayoutImage, dockerManifestJson } from '../../../src/engine/image-load.js';
import { normalizeReference } from '../../../src/engine/load-command.js';
import { FexpodError, UsageError } from '../../../src/common/errors.js';

const digest = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-layer OCI layout written by hand (independent of the builder's writer). */
function layout(): { dir: string; manifest: string; config: string; layer: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-load-unit-'));
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer | string) => {
    const d = digest(b);
    writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
    return d;
  };
  const layerBytes = gzipSync(Buffer.alloc(1024));
  const layer = put(layerBytes);
  const configJson = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest(Buffer.alloc(1024))] } });
  const config = put(configJson);
  const manifestJson = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: configJson.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer, size: layerBytes.length }],
  });
  const manifest = put(manifestJson);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest, size: manifestJson.length, annotations: { 'org.opencontainers.image.ref.name': 'demo:latest' } }],
  }));
  return { dir, manifest, config, layer };
}

test('the load archive is the OCI layout plus a docker-archive manifest.json, blobs byte for byte', async () => {
  const l = layout();
  try {
    const image = await readLayoutImage(l.dir);
    assert.equal(image.manifest.digest, l.manifest);
    assert.equal(image.manifest.annotations?.['org.opencontainers.image.ref.name'], 'demo:latest');
    const files = new Map<string, Buffer>();
    const ex = extract();
    ex.on('entry', (h, s, next) => {
      const parts: Buffer[] = [];
      s.on('data', (d: unknown) => parts.push(Buffer.from(d as Uint8Array)));
      s.on('end', () => {
        files.set(h.name, Buffer.concat(parts));
        next();
      });
    });
    const done = new Promise<void>((res, rej) => ex.on('finish', () => res()).on('error', rej));
    (await loadArchive(l.dir, image, 'localhost/demo:latest')).pipe(ex);
    await done;
    assert.deepEqual([...files.keys()], ['manifest.json', 'oci-layout', 'index.json', ...[l.manifest, l.config, l.layer].map((d) => `blobs/sha256/${d.slice(7)}`)]);
    assert.deepEqual(JSON.parse(files.get('manifest.json')?.toString() ?? ''), [
      { Config: `blobs/sha256/${l.config.slice(7)}`, RepoTags: ['localhost/demo:latest'], Layers: [`blobs/sha256/${l.layer.slice(7)}`] },
    ]);
    const index = JSON.parse(files.get('index.json')?.toString() ?? '');
    assert.equal(index.manifests[0].digest, l.manifest);
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'localhost/demo:latest');
    for (const d of [l.manifest, l.config, l.layer]) assert.equal(digest(files.get(`blobs/sha256/${d.slice(7)}`) ?? ''), d);
    assert.equal(dockerManifestJson(image, 'x/y:z'), JSON.stringify([{ Config: `blobs/sha256/${l.config.slice(7)}`, RepoTags: ['x/y:z'], Layers: [`blobs/sha256/${l.layer.slice(7)}`] }]));
  } finally {
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('a directory that is not a layout is refused with the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-load-unit-'));
  try {
    await assert.rejects(readLayoutImage(dir), (err: unknown) => err instanceof FexpodError && /index\.json/.test(err.message) && /--format oci/.test(err.fix ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const responses: { name: string; text: string; loaded: string[]; error?: string }[] = [
  { name: 'Podman API service', text: '{"stream":"Loaded image: localhost/demo:latest\\n"}\n', loaded: ['localhost/demo:latest'] },
  {
    name: 'Docker Engine progress then result',
    text: '{"status":"Loading layer","progressDetail":{"current":32768,"total":2015232},"id":"a1b2"}\r\n{"stream":"Loaded image: localhost/demo:latest\\n"}\r\n',
    loaded: ['localhost/demo:latest'],
  },
  { name: 'Docker Engine error', text: '{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n', loaded: [], error: 'unexpected EOF' },
  { name: 'Podman error body', text: '{"cause":"payload does not match any of the supported image formats","message":"payload does not match","response":500}', loaded: [], error: 'payload does not match' },
  { name: 'not JSON', text: 'Internal Server Error', loaded: [], error: 'Internal Server Error' },
];
for (const r of responses) {
  test(`load response: ${r.name}`, () => {
    const got = parseLoadResponse(r.text);
    assert.deepEqual(got.loaded, r.loaded);
    assert.equal(got.error, r.error);
  });
}

const refs: { in: string; out?: string }[] = [
  { in: 'demo', out: 'localhost/demo:latest' },
  { in: 'demo:43', out: 'localhost/demo:43' },
  { in: 'fex/rootfs:43', out: 'localhost/fex/rootfs:43' },
  { in: 'localhost/fex-rootfs', out: 'localhost/fex-rootfs:latest' },
  { in: 'registry.example.com:5000/fex/sysroot:v1.2', out: 'registry.example.com:5000/fex/sysroot:v1.2' },
  { in: 'Demo:latest' },
  { in: 'demo@sha256:0000000000000000000000000000000000000000000000000000000000000000' },
  { in: 'demo:bad tag' },
  { in: '' },
];
for (const r of refs) {
  test(`--load-as ${JSON.stringify(r.in)}`, () => {
    if (r.out) assert.equal(normalizeReference(r.in), r.out);
    else assert.throws(() => normalizeReference(r.in), UsageError);
  });
}
