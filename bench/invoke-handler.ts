// One invocation of a deployed handler in a process of its own, for the scale bench: the real module (as
// serverless.yml names it) with its environment from the parent (the local stack's S3 and DynamoDB), timed, its
// AWS calls counted by command at the module's own clients, its output and figures written to a JSON file.
//
//   node --import tsx --import ./bench/report-process-usage.ts bench/invoke-handler.ts <function> <event JSON> <out>
import '../local/polyfills';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { documentClient } from '../functions/clients/dynamodb';
import { s3Client } from '../functions/clients/s3';
import { listLambdaFunctions, loadLambdaHandler } from '../local/runtime/lambda-functions';

export interface HandlerFigures {
  wallMs: number;
  /** AWS requests by service and command, retries not counted separately. */
  calls: Record<string, number>;
  output?: unknown;
  error?: { name: string; message: string };
}

type Client = {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => unknown,
      options: { step: 'initialize' },
    ): void;
  };
};

function countCalls(client: Client, service: string, calls: Record<string, number>): void {
  client.middlewareStack.add(
    (next, context) => (args: unknown) => {
      const name = `${service}.${String(context.commandName).replace(/Command$/, '')}`;
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize' },
  );
}

async function main(): Promise<void> {
  const [functionName, eventJson, outFile] = process.argv.slice(2);
  if (!functionName || !eventJson || !outFile)
    throw new Error('usage: invoke-handler.ts <function> <event JSON> <output file>');
  const info = listLambdaFunctions().find((fn) => fn.name === functionName);
  if (!info) throw new Error(`serverless.yml has no function ${functionName}`);
  const handler = loadLambdaHandler(info);
  const calls: Record<string, number> = {};
  countCalls(documentClient as unknown as Client, 'DynamoDB', calls);
  countCalls(s3Client as unknown as Client, 'S3', calls);

  const context = {
    functionName,
    awsRequestId: 'bench',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    getRemainingTimeInMillis: () => 300_000,
  };
  const started = performance.now();
  const figures: HandlerFigures = { wallMs: 0, calls };
  try {
    figures.output = await handler(JSON.parse(eventJson), context);
  } catch (error) {
    figures.error = { name: (error as Error).name, message: (error as Error).message };
  }
  figures.wallMs = Math.round(performance.now() - started);
  writeFileSync(outFile, JSON.stringify(figures));
  documentClient.destroy();
  s3Client.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
