#!/usr/bin/env bash
# Regenerates the transcript in docs/cli.md: runs the quick start into a fresh registry, then mrt's read
# commands against it (the built tool, Debug), and prints the session as markdown.
#   bash eng/cli-transcript.sh > /tmp/transcript.md
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build examples/QuickStart -nologo -v q >/dev/null
dotnet build src/ModelRetraining.Cli -nologo -v q >/dev/null
registry=$(mktemp -d)/models
dotnet examples/QuickStart/bin/Debug/net10.0/QuickStart.dll "$registry" >/dev/null
mrt() { dotnet src/ModelRetraining.Cli/bin/Debug/net10.0/ModelRetraining.Cli.dll "$@" --registry "$registry"; }
show() {
  echo '```'; echo "\$ mrt $(printf '%q ' "$@")--registry models" | sed -E 's/[0-9a-f]{32}/run-id-xxxxxxxxxxxxxxxxxxxxxxxxx/g'
  local text code=0
  text=$(mrt "$@" 2>&1) || code=$?
  sed -E "s|$PWD/||g" <<<"$text" | sed -E 's/[0-9a-f]{64}/fingerprint-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/g; s/[0-9a-f]{32}/run-id-xxxxxxxxxxxxxxxxxxxxxxxxx/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}Z/yyyy-mm-dd hh:mm:ssZ/g'
  echo "(exit $code)"; echo '```'; echo
}
show models list
show versions list flight-delays
show aliases history flight-delays
show versions diff flight-delays 1 2
show promote flight-delays 2 --expected 2 --reason "stale expected version"
# runs cancel/resume need a host to act; with none running, a finished run's cancel shows the refusal.
run=$(mrt runs list flight-delays --json | grep -o '"id": *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{32\}')
show runs cancel "$run" --reason "wrong data window"

# drift and profile read data files, no registry: two months of the example's flights.
data=$(dirname "$registry")
zcat examples/data/flights-2001/flights-2001-250k.csv.gz | awk -F, -v d="$data" 'NR==1{print > d"/january.csv"; print > d"/june.csv"} $1 ~ /^2001-01/ {print >> d"/january.csv"} $1 ~ /^2001-06/ {print >> d"/june.csv"}'
showdata() {
  echo '```'; echo "\$ mrt $(printf '%q ' "$@" | sed -E "s|$data/||g")"
  local text code=0
  text=$(cd "$data" && dotnet "$OLDPWD/src/ModelRetraining.Cli/bin/Debug/net10.0/ModelRetraining.Cli.dll" "$@" 2>&1) || code=$?
  sed -E "s|$data/||g" <<<"$text"
  echo "(exit $code)"; echo '```'; echo
}
showdata drift "$data/january.csv" "$data/june.csv" --time date --out reports
showdata profile "$data/january.csv" --time date --out january.profile.json
rm -rf "$data"
