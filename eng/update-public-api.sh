#!/usr/bin/env bash
# Refreshes PublicAPI.Unshipped.txt of every src/ project from the analyzer's own diagnostics:
# RS0016 (public symbol not declared) adds the line, RS0017 (declared symbol gone) removes it.
# One rebuild of the src/ projects (warnings not fatal, so every project compiles and reports).
# Run it after changing public API on purpose, then review the diff like any other change.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
# Contracts first, then core, then the adapters: each build reads the one before it.
for proj in src/ModelRetraining.Abstractions/*.csproj src/ModelRetraining/*.csproj $(ls src/*/*.csproj | grep -v -e "src/ModelRetraining/" -e Abstractions); do
  dotnet build "$proj" --no-incremental --no-dependencies -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false >>"$log" 2>&1 || true
done
python3 - "$log" <<'PY'
import re, sys, pathlib
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for proj in sorted(pathlib.Path("src").iterdir()):
    path = proj / "PublicAPI.Unshipped.txt"
    if not path.exists():
        continue
    mine = f"{proj.name}.csproj]"
    own = [l for l in text.splitlines() if l.rstrip().endswith(mine)]
    add = {m for l in own for m in re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", l)}
    remove = {m for l in own for m in re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API", l)}
    lines = [l for l in path.read_text().splitlines() if l and l != "#nullable enable"]
    lines = sorted((set(lines) | add) - remove)
    path.write_text("#nullable enable\n" + "".join(l + "\n" for l in lines))
    print(f"{proj.name}: +{len(add)} -{len(remove)}")
PY
rm -f "$log"
