#!/usr/bin/env bash
# `make test`: ruff, architecture contracts, the suite on SQLite, again on PostgreSQL when
# one is reachable, then the browser checks. Says plainly what it could not run; with
# CI=true, anything it could not run is a failure.
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
POSTGRES_URL="${ESSOR_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
passed=(); failed=(); skipped=()
# The suite runs on one pytest-xdist worker per core (each with its own test database), at
# most 4: every worker migrates and imports the referential first. ESSOR_TEST_WORKERS=0 runs
# it in one process.
WORKERS="${ESSOR_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
[ "$WORKERS" -gt 4 ] 2>/dev/null && WORKERS=4

step() {  # step NAME COMMAND...
  local name="$1"; shift
  echo; echo "=== $name ==="
  if "$@"; then passed+=("$name"); else failed+=("$name"); fi
}

step "ruff (erreurs)" "$BIN/ruff" check .
step "ruff (mise en forme)" "$BIN/ruff" format --check .
step "import-linter (couches)" "$BIN/lint-imports"
step "tests (SQLite)" env -u DATABASE_URL "$BIN/pytest" -q -p no:randomly -n "$WORKERS"

if "$BIN/python" - "$POSTGRES_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgresql://", "postgresql://", 1), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL injoignable ({error})"); sys.exit(1)
PY
then
  step "tests (PostgreSQL)" env DATABASE_URL="$POSTGRES_URL" "$BIN/pytest" -q -n "$WORKERS"
else
  skipped+=("tests (PostgreSQL) : aucun serveur joignable à $POSTGRES_URL")
fi

if bash scripts/browser_check.sh --can-run; then
  step "contrôles navigateur (axe-core)" bash scripts/browser_check.sh
else
  skipped+=("contrôles navigateur : Chromium ou npm indisponible (voir ci-dessus)")
fi

echo; echo "=== Bilan ==="
for s in "${passed[@]}"; do echo "  réussi  : $s"; done
for s in "${failed[@]}"; do echo "  ÉCHEC   : $s"; done
for s in "${skipped[@]}"; do echo "  NON LANCÉ : $s"; done
if [ "${CI:-}" = "true" ] && [ ${#skipped[@]} -gt 0 ]; then
  echo "CI=true : une étape non lancée est un échec."
  failed+=("${skipped[@]}")
fi
echo "steps: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
