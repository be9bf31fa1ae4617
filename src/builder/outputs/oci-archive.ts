/**
 * `oci-archive:` output: the OCI layout directory as one tar file, the form
 * `podman load -i` and `skopeo copy oci-archive:` take. Written with the same
 * deterministic tar writer as the layers (fixed times, numeric root owner),
 * so equal images give equal archives.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { bufferContent, type ContentSource, type TreeEntry } from '../tree/tree.js';
import { tarReadable } from '../layer/tar-writer.js';
import { layoutFiles, type OciImagePlan } from './oci-layout.js';
import { atomicOutput } from '../../common/atomic-output.js';

/** The layout as tree entries (pure). */
export function ociArchiveEntries(plan: OciImagePlan, sourceDateEpoch: number): TreeEntry[] {
  const meta = { uid: 0, gid: 0, mtime: sourceDateEpoch };
  const entries: TreeEntry[] = [
    { path: 'blobs', type: 'dir', mode: 0o755, ...meta },
    { path: 'blobs/sha256', type: 'dir', mode: 0o755, ...meta },
  ];
  for (const f of layoutFiles(plan)) {
    const content = f.data ? bufferContent(f.data) : f.file ? fileContent(f.file.path, f.file.size, f.file.sha256) : undefined;
    entries.push({ path: f.path, type: 'file', mode: 0o644, ...meta, ...(content ? { content } : {}) });
  }
  return entries;
}

export async function writeOciArchive(dest: string, plan: OciImagePlan, sourceDateEpoch: number): Promise<void> {
  await atomicOutput(dest, async (tmp) => {
    await pipeline(tarReadable(ociArchiveEntries(plan, sourceDateEpoch), { sourceDateEpoch }), createWriteStream(tmp, { mode: 0o644 }));
  });
}

/** A blob file as tar content, streamed (the layer can be gigabytes). */
function fileContent(path: string, size: number, sha256: string): ContentSource {
  return {
    size,
    sha256,
    path,
    read: async () => readFile(path),
    stream: () => createReadStream(path, { highWaterMark: 1024 * 1024 }),
  };
}
