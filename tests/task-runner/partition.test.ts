// At most one extraction of a table at any moment, even when a runner is cut off from the endpoint mid-task: the
// runner that can no longer report stops its command before the endpoint may hand the task to another runner.
// Each attempt's command appends start/end lines stamped by its own process; the attempts must not overlap.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { parseCommandsFile } from '../../runner/commands-file';
import { ExtractRunner } from '../../runner/extract-runner';
import type { RunnerOptions } from '../../runner/extract-runner';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(40_000);

const scratch = mkdtempSync(join(tmpdir(), 'extract-runner-partition-'));
const MARKER = join(scratch, 'attempts.log');

/** A TCP proxy in front of the endpoint whose cut() drops every connection and refuses new ones. */
async function aProxy(target: string): Promise<{ endpoint: string; cut(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(port), hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

interface Attempt {
  pid: string;
  start: bigint;
  end?: bigint;
}

function attemptsInMarker(): Attempt[] {
  const attempts = new Map<string, Attempt>();
  for (const line of readFileSync(MARKER, 'utf8').trim().split('\n').filter(Boolean)) {
    const [event, pid, at] = line.split(' ') as [string, string, string];
    if (event === 'start') attempts.set(pid, { pid, start: BigInt(at) });
    else attempts.get(pid)!.end = BigInt(at);
  }
  return [...attempts.values()].sort((a, b) => (a.start < b.start ? -1 : 1));
}

describe('a runner cut off from the endpoint mid-task', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 300, pollIntervalMs: 25 });
  });
  afterAll(() => endpoint.close());

  it('stops its command before the task is handed to another runner, and never reports it done', async () => {
    // Prepare: the operator's command records its own start and end (also when stopped) with its own clock.
    const stamp = (event: string) => `echo "${event} $$ $(date +%s%N)" >> ${MARKER}`;
    const commands = parseCommandsFile(
      JSON.stringify({
        commands: {
          'extract-slowly': {
            argv: [
              'bash',
              '-c',
              `${stamp('start')}; trap '${stamp('end')}; exit 143' TERM; sleep 60 & wait $!`,
            ],
          },
        },
      }),
      'runner-commands.json',
    );
    writeFileSync(MARKER, '');
    const workerGroup = 'wg-partition';
    const options: RunnerOptions = {
      workerGroup,
      concurrency: 1,
      hostname: 'runner.test',
      taskrunnerId: 'runner-a',
      progressIntervalMs: 200,
      heartbeatIntervalMs: 60_000,
      shutdownGraceMs: 100,
      pollErrorBackoffMs: 50,
      killGraceMs: 5_000,
      commands,
      allowShell: false,
      logger: { info: () => undefined, warn: () => undefined },
      stdout: new PassThrough(),
    };
    const proxy = await aProxy(endpoint.endpoint);
    const cutOff = new DataPipelineClient({
      endpoint: proxy.endpoint,
      region: LOCAL_REGION,
      credentials: await endpoint.issueCredential([workerGroup]),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 30_000 }),
    });
    const first = new ExtractRunner(cutOff, options);
    const firstRunning = first.run();
    const queued = await endpoint.enqueue({
      workerGroup,
      command: 'extract-slowly',
      // Short, so that the test takes seconds: the rule is the same for the config's minimum of 120 s.
      reportProgressTimeoutSeconds: 10,
    });
    await waitFor('the first attempt to start', () => attemptsInMarker().length === 1 || undefined);

    // Act: the first runner loses the endpoint; a second runner polls the same worker group.
    await proxy.cut();
    const second = new ExtractRunner(endpoint.client(await endpoint.issueCredential([workerGroup])), {
      ...options,
      taskrunnerId: 'runner-b',
    });
    const secondRunning = second.run();
    await waitFor('the second attempt to start', () => attemptsInMarker().length === 2 || undefined, 30_000);
    second.stop();
    first.stop();
    await Promise.all([firstRunning, secondRunning]);

    // Assess
    const [a, b] = attemptsInMarker() as [Attempt, Attempt];
    expect(a.end).toBeDefined();
    expect(b.end).toBeDefined();
    expect(a.end! < b.start).toBe(true);
    expect(first.outcomes).toEqual([
      expect.objectContaining({ taskId: queued.taskId, status: expect.not.stringMatching(/FINISHED/) }),
    ]);
    cutOff.destroy();
  });
});
