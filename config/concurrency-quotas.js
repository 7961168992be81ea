// The stage's concurrency quotas (config/<stage>.yml `concurrency`, each unset quota defaulting to maxConcurrency)
// as the one JSON text the config manager reads (CONCURRENCY_QUOTAS). An environment variable holds only text,
// and worker group names may hold any character, so the map travels as JSON. The local runtime calls
// `fromStageFile` on the same stage file, so local and deployed quotas cannot drift.
function concurrencyQuotasOf(stage) {
  const fallback = stage.maxConcurrency;
  const quotas = stage.concurrency ?? {};
  return JSON.stringify({
    glue: quotas.glue ?? fallback,
    emr: quotas.emr ?? fallback,
    ecs: quotas.ecs ?? fallback,
    runner: quotas.runner ?? fallback,
    workerGroups: quotas.workerGroups ?? {},
  });
}

module.exports = async ({ resolveVariable }) =>
  concurrencyQuotasOf(await resolveVariable('self:custom.stage'));
module.exports.fromStageFile = concurrencyQuotasOf;
