#!/usr/bin/env bash
# A stand-in for a cluster's submit command: record the job, then run its jobscript in a fresh
# bash process (synchronously, which the cluster-generic executor accepts as a finished job).
set -euo pipefail
echo "$$ $(basename "$1")" >> "${GTFLOW_SUBMIT_LOG:?}"
exec bash "$1"
