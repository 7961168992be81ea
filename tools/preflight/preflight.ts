// `npm run preflight -- --stage <stage>`: what a first deploy of a stage still lacks, before CloudFormation or a
// first run finds out. Offline, config/<stage>.yml is validated with the stage file's schema and every example value
// is listed by key; with AWS credentials, each resource it names is looked up, read-only, in the stage's account
// and region. Every problem is one line starting with the config key to fix; any problem exits 1.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parse } from 'yaml';
import { stageConfigFileSchema } from '../../functions/lib/config/stage-config-file';
import { fieldPath } from '../../functions/lib/format-issues';
import { checkAccount, type Finding } from './account-checks';
import { findPlaceholders } from './placeholders';

export interface PreflightOptions {
  stage: string;
  /** Skip the account checks even when credentials are available. */
  offline?: boolean;
  /** Where config/ lives (the project root). */
  root: string;
  write: (line: string) => void;
}

function formatFinding({ key, problem }: Finding): string {
  return `✗ ${key}: ${problem}`;
}

/** Checks a stage's settings and, with credentials, its account; returns the exit code. */
export async function preflight({ stage, offline, root, write }: PreflightOptions): Promise<number> {
  const file = `config/${stage}.yml`;
  if (!existsSync(join(root, file))) {
    write(`✗ ${file} does not exist: copy config/dev.yml to ${file} and set your account's values`);
    return 1;
  }
  let document: unknown;
  try {
    document = parse(readFileSync(join(root, file), 'utf8'));
  } catch (error) {
    write(`✗ ${file} is not valid YAML: ${(error as Error).message}`);
    return 1;
  }

  const findings: Finding[] = [];
  const parsed = stageConfigFileSchema.safeParse(document);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      findings.push({ key: fieldPath(issue.path) || '(top level)', problem: issue.message });
  }
  for (const { key, value, why } of findPlaceholders(document)) {
    findings.push({ key, problem: `'${value}' is ${why}: set your account's value` });
  }

  if (offline) write('account checks skipped (--offline)');
  else if (!parsed.success) write(`account checks skipped: fix ${file} first`);
  else {
    const region = parsed.data.region;
    const sts = new STSClient({ region });
    let account: string | undefined;
    try {
      account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch (error) {
      write(`account checks skipped: no usable AWS credentials (${(error as Error).message})`);
    } finally {
      sts.destroy();
    }
    if (account) {
      write(`checking account ${account} in ${region} (read-only)`);
      const clients = {
        glue: new GlueClient({ region }),
        emr: new EMRServerlessClient({ region }),
        iam: new IAMClient({ region }),
        ecs: new ECSClient({ region }),
        ec2: new EC2Client({ region }),
      };
      try {
        findings.push(...(await checkAccount(parsed.data, account, clients)));
      } finally {
        for (const client of Object.values(clients)) client.destroy();
      }
    }
  }

  for (const finding of findings) write(formatFinding(finding));
  if (findings.length > 0) {
    write(
      `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${file}: fix them before sls deploy --stage ${stage}`,
    );
    return 1;
  }
  write(`${file}: no problems found`);
  return 0;
}
