#!/usr/bin/env bash
# Refreshes PublicAPI.Unshipped.txt of every src/ project from the analyzer's own diagnostics:
# RS0016 (public symbol not declared) adds the line, RS0017 (declared symbol gone) removes it.
# Run it after changing public API on purpose, then review the diff like any other change.
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in src/*/; do
  name=$(basename "$proj")
  log=$(mktemp)
  dotnet build "$proj" --no-incremental -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
  python3 - "$log" "$proj" <<'PY'
import re, sys, pathlib
log, proj = sys.argv[1], pathlib.Path(sys.argv[2].rstrip("/"))
text = open(log, encoding="utf-8", errors="replace").read()
mine = f"{proj.name}.csproj]"
own = [l for l in text.splitlines() if l.rstrip().endswith(mine)]
add = {m for l in own for m in re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", l)}
remove = {m for l in own for m in re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API", l)}
path = proj / "PublicAPI.Unshipped.txt"
lines = [l for l in path.read_text().splitlines() if l and l != "#nullable enable"]
lines = sorted((set(lines) | add) - remove)
path.write_text("#nullable enable\n" + "".join(l + "\n" for l in lines))
print(f"{proj.name}: +{len(add)} -{len(remove)}")
PY
  rm -f "$log"
done
