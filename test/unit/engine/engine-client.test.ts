import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine, NO_ENGINE_EXIT_CODE, type EngineApi, type EngineDeps } from '../../../src/engine/engine-client.js';
import { engineCandidates } from '../../../src/engine/engine-socket.js';
import { FexpodError } from '../../../src/common/errors.js';

function errno(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

/** Sockets that exist, and how each answers /_ping. */
function fakeDeps(sockets: Record<string, 'podman' | 'docker' | Error>): EngineDeps & { probed: string[] } {
  const probed: string[] = [];
  return {
    probed,
    socketExists: async (p) => p in sockets,
    client: async (e): Promise<EngineApi> => {
      const key = e.kind === 'unix' ? e.socketPath : `${e.host}:${e.port}`;
      const how = sockets[key];
      return {
        ping: async () => {
          probed.push(key);
          if (how === undefined) throw errno('ECONNREFUSED');
          if (how instanceof Error) throw how;
          return 'OK';
        },
        version: async () =>
          how === 'podman'
            ? { Version: '4.3.1', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] }
            : { Version: '24.0.7', Components: [{ Name: 'Engine', Version: '24.0.7' }] },
        loadImage: async () => {
          throw new Error('not in this test');
        },
      };
    },
  };
}

test('the first engine that answers wins, and is named', async () => {
  const deps = fakeDeps({ '/run/user/1000/podman/podman.sock': 'podman', '/var/run/docker.sock': errno('EACCES') });
  const e = await connectEngine(engineCandidates({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), deps);
  assert.equal(e.address, 'unix:///run/user/1000/podman/podman.sock');
  assert.equal(e.product, 'Podman Engine 4.3.1');
  assert.deepEqual(deps.probed, ['/var/run/docker.sock', '/run/user/1000/podman/podman.sock']);
});

test('DOCKER_HOST is tried before the defaults', async () => {
  const deps = fakeDeps({ '/tmp/d.sock': 'docker', '/run/podman/podman.sock': 'podman' });
  const e = await connectEngine(engineCandidates({ DOCKER_HOST: 'unix:///tmp/d.sock' }, 0), deps);
  assert.equal(e.product, 'Docker Engine 24.0.7');
  assert.equal(e.endpoint.from, 'DOCKER_HOST');
});

test('no engine: one error naming every socket tried and why, exit code 5, a fix', async () => {
  const deps = fakeDeps({ '/run/podman/podman.sock': errno('ECONNREFUSED'), '/var/run/docker.sock': errno('EACCES') });
  await assert.rejects(connectEngine(engineCandidates({ CONTAINER_HOST: 'unix:///tmp/none.sock' }, 0), deps), (err: unknown) => {
    assert.ok(err instanceof FexpodError);
    assert.equal(err.exitCode, NO_ENGINE_EXIT_CODE);
    assert.equal(NO_ENGINE_EXIT_CODE, 5);
    assert.match(err.message, /^no container engine answered; tried:/);
    assert.match(err.message, /unix:\/\/\/tmp\/none\.sock \(CONTAINER_HOST\): not there/);
    assert.match(err.message, /unix:\/\/\/run\/podman\/podman\.sock \(rootful default\): connection refused/);
    assert.match(err.message, /unix:\/\/\/var\/run\/docker\.sock \(rootful default\): permission denied/);
    assert.match(err.fix ?? '', /podman\.socket/);
    assert.match(err.fix ?? '', /DOCKER_HOST=/);
    return true;
  });
});
