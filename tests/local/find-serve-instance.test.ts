// How `npm start`, `status` and a second `serve` find a running serve instance through endpoints.json: a file
// left by a killed instance means none, and a live instance that is slow to answer is waited for, not passed over
// for a standalone run that serve and `status` would never show.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServeInstance } from '../../local/serve/serve-client';
import { writeEndpoints, type LocalEndpoints } from '../../local/stack/endpoints-file';

const dataDir = mkdtempSync(join(tmpdir(), 'extract-pipeline-find-serve-'));
const servers: Server[] = [];

/** A control endpoint whose health check answers after `delayMs`, or never. */
async function controlEndpoint(delayMs: number | 'never'): Promise<string> {
  const server = createServer((request, response) => {
    if (delayMs === 'never') return;
    setTimeout(() => response.end('{}'), delayMs);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function writeFile(control: string, pid: number): LocalEndpoints {
  const endpoints = { control, pid } as LocalEndpoints;
  writeEndpoints(dataDir, endpoints);
  return endpoints;
}

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('findServeInstance', () => {
  it('waits for a live instance that takes longer than a second to answer', async () => {
    const endpoints = writeFile(await controlEndpoint(1500), process.pid);
    await expect(findServeInstance(dataDir)).resolves.toEqual(endpoints);
  });

  it('passes over a file whose instance was killed', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFile(await controlEndpoint(0), gone);
    await expect(findServeInstance(dataDir)).resolves.toBeUndefined();
  });

  it('passes over a file whose pid now names a process that does not listen there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    writeFile(`http://127.0.0.1:${port}`, process.pid);
    await expect(findServeInstance(dataDir)).resolves.toBeUndefined();
  });

  it('names the instance that does not answer in time', async () => {
    const control = await controlEndpoint('never');
    writeFile(control, process.pid);
    await expect(findServeInstance(dataDir, 300)).rejects.toThrow(
      `the serve instance on ${dataDir} (pid ${process.pid}) did not answer ${control}/health within 0.3 s`,
    );
  });
});
