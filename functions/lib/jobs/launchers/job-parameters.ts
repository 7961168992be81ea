// Job parameters that change what code runs, or as whom, rather than what a table extracts. A table's `arguments`
// reach Glue's StartJobRun as `--<key>`, and Glue reads some `--<key>` itself: `--scriptLocation` replaces the job's
// script, `--extra-py-files`/`--extra-jars`/`--additional-python-modules` add code, `--conf` sets Spark. A config
// author could then run their own code under an allowed job's role. So these keys are refused unless the stage
// config allows one by name (glue.allowedSpecialArguments), and the same holds for EMR spark-submit options.
import { TableJobError } from '../../errors';

/**
 * Glue's special parameters: the AWS Glue developer guide, "Using job parameters in AWS Glue jobs" (job parameter
 * reference), and the arguments it says Glue "uses internally and you should never use" (--conf, --debug, --mode,
 * --JOB_NAME). Compared without case, so that `--tempdir` cannot slip past `--TempDir`.
 */
export const GLUE_SPECIAL_PARAMETERS = [
  'additional-python-modules',
  'auto-scale-within-microbatch',
  'class',
  'conf',
  'continuous-log-conversionPattern',
  'continuous-log-logGroup',
  'continuous-log-logStreamPrefix',
  'customer-driver-env-vars',
  'customer-executor-env-vars',
  'datalake-formats',
  'debug',
  'disable-proxy-v2',
  'enable-auto-scaling',
  'enable-continuous-cloudwatch-log',
  'enable-continuous-log-filter',
  'enable-glue-datacatalog',
  'enable-job-insights',
  'enable-lakeformation-fine-grained-access',
  'enable-metrics',
  'enable-observability-metrics',
  'enable-rename-algorithm-v2',
  'enable-s3-parquet-optimized-committer',
  'enable-spark-ui',
  'encryption-type',
  'executor-cores',
  'extra-files',
  'extra-jars',
  'extra-py-files',
  'job-bookmark-option',
  'job-language',
  'JOB_NAME',
  'mode',
  'pip-install',
  'python-modules-installer-option',
  's3-py-modules',
  'scriptLocation',
  'spark-event-logs-path',
  'TempDir',
  'use-postgres-driver',
  'user-jars-first',
  'working-dir',
  'write-shuffle-files-to-s3',
  'write-shuffle-spills-to-s3',
];

const SPECIAL = new Set(GLUE_SPECIAL_PARAMETERS.map((name) => name.toLowerCase()));

/** Refuses a table argument Glue would read as one of its own parameters, unless the stage allows it. */
export function refuseGlueSpecialArguments(argumentKeys: string[], allowed: string[]): void {
  const allowedSet = new Set(allowed.map((name) => name.toLowerCase()));
  for (const key of argumentKeys) {
    const name = key.replace(/^--/, '').toLowerCase();
    if (SPECIAL.has(name) && !allowedSet.has(name)) {
      throw new TableJobError(
        `arguments.${key.replace(/^--/, '')}: is a Glue special job parameter (it changes the code or settings the job runs with); the stage config must allow it in glue.allowedSpecialArguments`,
      );
    }
  }
}

/**
 * The options a spark-submit parameter string sets, by name: `--conf k=v` as `k`, any other `--option` as itself
 * (`--driver-memory 4g` → `--driver-memory`). Anything that is not an option is refused: EMR passes the string to
 * spark-submit as is.
 */
export function sparkSubmitOptions(parameters: string): string[] {
  const tokens = parameters.trim().split(/\s+/).filter(Boolean);
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--')) {
      throw new TableJobError(`emr.spark_submit_parameters: '${token}' is not a --option`);
    }
    const [option, inline] = token.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? tokens[++i];
    if (option === '--conf') names.push((value ?? '').split('=')[0]!);
    else names.push(option);
  }
  return names;
}

/** Refuses spark-submit options and `--conf` keys the stage does not allow by name (emr.allowedSparkSubmitParameters). */
export function refuseSparkSubmitParameters(parameters: string, allowed: string[]): void {
  for (const name of sparkSubmitOptions(parameters)) {
    if (!allowed.includes(name)) {
      throw new TableJobError(
        `emr.spark_submit_parameters: ${name} is not allowed by the stage config (emr.allowedSparkSubmitParameters: ${allowed.join(', ') || 'none'}); spark-submit options can add code (--jars, --py-files, spark.jars) that runs as the EMR job role`,
      );
    }
  }
}
