#!/usr/bin/env bash
# A stand-in for a cluster's submit command: record the job (and, when the command passes them
# before the jobscript, its rule, memory and runtime), then run the jobscript in a fresh bash
# process (synchronously, which the cluster-generic executor accepts as a finished job).
set -euo pipefail
jobscript="${@: -1}"
echo "$$ $(basename "$jobscript") ${*:1:$#-1}" >> "${GTFLOW_SUBMIT_LOG:?}"
exec bash "$jobscript"
