#!/usr/bin/env bash
# The sample's runner command (approved in local/sample/runner-commands.yml as `write-sample-csv`): writes a small
# CSV for the table it is given to $TMPDIR/extract-pipeline-local/<run id>/<table>.csv. The table's values arrive
# as EXTRACT_* environment variables; nothing from the config is ever read as shell code.
set -euo pipefail
out="${TMPDIR:-/tmp}/extract-pipeline-local/${EXTRACT_RUN_ID}"
mkdir -p "$out"
printf 'id,name,source\n1,Ada,%s\n2,Grace,%s\n' "$EXTRACT_SOURCE_TYPE" "$EXTRACT_SOURCE_TYPE" >"$out/$EXTRACT_TABLE.csv"
echo "${EXTRACT_TABLE}: wrote $out/$EXTRACT_TABLE.csv (rows changed after ${EXTRACT_LAST_WATERMARK:-the beginning})"
# A watermark table reports its new high-water mark: here, the time this extract ran.
if [[ -n "${EXTRACT_WATERMARK_FILE:-}" ]]; then date -u +%Y-%m-%dT%H:%M:%SZ >"$EXTRACT_WATERMARK_FILE"; fi
