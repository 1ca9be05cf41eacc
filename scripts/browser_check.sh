#!/usr/bin/env bash
# Browser checks in headless Chromium against a throw-away Essor instance (see
# tests/browser/README.md): accessibility (axe-core and a few structural checks) of every
# public page, then a member's proposal going through moderation end to end, then an event
# from the admin to registrations, the waiting list and its PDF documents (event.mjs), then the
# monthly letter from subscription to sending to one-click unsubscribe (letters.mjs).
#
#   bash scripts/browser_check.sh --can-run   exit 0 if the check can run here, after trying
#                                             to install what is missing; says what is missing
#   bash scripts/browser_check.sh             build the instance, serve it, run the check
#
# Environment: ESSOR_BROWSER_SCREENSHOTS=DIR saves screenshots of the home page there.
set -u
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
BROWSER_DIR="$ROOT/tests/browser"
CHROMIUM=/usr/bin/chromium
MIN_NODE_MAJOR=20   # playwright-core's own floor (see tests/browser/package.json)

say() { echo "browser_check: $*"; }

# --- prerequisites ------------------------------------------------------------------------
source scripts/debian.sh

ensure_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  command -v apt-get >/dev/null 2>&1 || { say "manquant : $CHROMIUM (paquet Debian chromium), et apt-get est absent"; return 1; }
  say "Chromium absent : installation du paquet Debian chromium…"
  if apt_install chromium; then
    [ -x "$CHROMIUM" ] && return 0
  fi
  say "manquant : $CHROMIUM — l'installation du paquet Debian chromium a échoué (apt-get install chromium)"
  return 1
}

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      say "node ou npm absent : installation des paquets Debian nodejs et npm…"
      apt_install nodejs npm
    fi
  fi
  if ! command -v node >/dev/null 2>&1; then say "manquant : node (Node.js >= $MIN_NODE_MAJOR)"; return 1; fi
  if ! command -v npm >/dev/null 2>&1; then say "manquant : npm"; return 1; fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    say "manquant : Node.js >= $MIN_NODE_MAJOR (trouvé : $(node --version))"; return 1
  fi
}

lock_digest() { sha256sum "$BROWSER_DIR/package-lock.json" | cut -d' ' -f1; }

ensure_node_modules() {  # npm ci when node_modules is missing or older than the lock file
  local stamp="$BROWSER_DIR/node_modules/.essor-lock-sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(lock_digest)" ] \
     && [ -d "$BROWSER_DIR/node_modules/playwright-core" ] && [ -d "$BROWSER_DIR/node_modules/axe-core" ]; then
    return 0
  fi
  say "installation des paquets npm (npm ci dans tests/browser)…"
  # Never let anything fetch a browser: Chromium is Debian's.
  if (cd "$BROWSER_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error); then
    lock_digest >"$stamp"; return 0
  fi
  say "manquant : les paquets npm de tests/browser (npm ci a échoué)"
  return 1
}

ensure_all() {
  local ok=0
  [ -x "$BIN/essor" ] || { say "manquant : $BIN/essor (lancez make install)"; ok=1; }
  ensure_chromium || ok=1
  if ensure_node; then ensure_node_modules || ok=1; else ok=1; fi
  return $ok
}

if [ "${1:-}" = "--can-run" ]; then
  if ensure_all; then say "prêt (Chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}'), Node $(node --version))"; exit 0; fi
  exit 1
fi
[ $# -eq 0 ] || { echo "usage: $0 [--can-run]" >&2; exit 2; }
ensure_all || { say "impossible de lancer le contrôle (voir ci-dessus)"; exit 1; }

# --- throw-away instance ------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/essor-browser.XXXXXX")"
SERVER_PID=""
WORKER_PID=""
cleanup() {
  if [ -n "$WORKER_PID" ]; then kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Only the temp dir: no DATABASE_URL, STATIC_ROOT or MEDIA_ROOT from the caller's shell.
unset DATABASE_URL STATIC_ROOT MEDIA_ROOT REDIS_URL ESSOR_BENCHMARK_ROUTES
export ESSOR_VAR_DIR="$WORK/var" ESSOR_ENV=development ESSOR_DEBUG=0 ALLOWED_HOSTS=127.0.0.1
export PYTHONUNBUFFERED=1

run() {  # run COMMAND... — its output is shown only when it fails
  if ! "$@" >"$WORK/step.log" 2>&1; then
    say "échec : $*"; tail -n 40 "$WORK/step.log"; exit 1
  fi
}
say "instance jetable dans $ESSOR_VAR_DIR"
run "$BIN/essor" migrate --no-input -v 0
run "$BIN/essor" territories_import
if "$BIN/essor" help demo >/dev/null 2>&1; then
  run "$BIN/essor" demo
else
  say "commande « essor demo » absente : contrôle sur le site sans données de démonstration"
fi

# Accounts for the moderation scenario (tests/browser/moderation.mjs): a member user attached
# to Caen's authority and an editor, with a password known only to this throw-away instance.
MODERATION_PASSWORD="moderation-navigateur-$(date +%s)"
export ESSOR_MODERATION_MEMBER=moderation-membre@navigateur.essor.localhost
export ESSOR_MODERATION_EDITOR=moderation-editeur@navigateur.essor.localhost
export ESSOR_MODERATION_PASSWORD="$MODERATION_PASSWORD"
run "$BIN/essor" shell -c "
import os
from essor.accounts.services import account_create
from essor.core.roles import Role
from essor.members.services import authority_upsert_for_territory, member_user_attach
from essor.territories.models import Territory
password = os.environ['ESSOR_MODERATION_PASSWORD']
caen = authority_upsert_for_territory(Territory.objects.get(kind='commune', code='14118'))
member = account_create(os.environ['ESSOR_MODERATION_MEMBER'], role=Role.MEMBER, password=password, first_name='Marie')
member_user_attach(member, caen)
account_create(os.environ['ESSOR_MODERATION_EDITOR'], role=Role.EDITOR, password=password, first_name='Élise')
# The month's news for the letter scenario (tests/browser/letters.mjs): one article dated today.
from django.utils import timezone
from essor.core.editorial import content_publish
from essor.news.models import Article, Rubric
rubric = Rubric.objects.order_by('sort_order').first() or Rubric.objects.create(name='Actualités du réseau', slug='actualites-du-reseau')
content_publish(Article(title='Article du jour pour la lettre', rubric=rubric, date=timezone.localdate(), summary='Un article publié aujourd’hui, que la lettre du mois reprend.'))
"

# Mails go to files the letter scenario reads (confirmation link, the letter, its headers).
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$WORK/mail"
PORT="$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
"$BIN/essor" runserver "127.0.0.1:$PORT" --noreload --insecure >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
# The background tasks (the events' PDF documents) run beside the server, as in production.
"$BIN/essor" db_worker >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!

if ! "$BIN/python" - "$BASE/" "$SERVER_PID" <<'PY'
import os, sys, time, urllib.error, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("le serveur s'est arrêté")
    try:
        urllib.request.urlopen(url, timeout=5).close()
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # it answers, even if with an error status: the check will report it
    except OSError:
        time.sleep(0.25)
sys.exit("le serveur ne répond pas après 60 s")
PY
then
  say "le serveur de test n'a pas démarré :"; tail -n 40 "$WORK/server.log"; exit 1
fi

status=0
node "$BROWSER_DIR/check.mjs" "$BASE" || status=$?
node "$BROWSER_DIR/moderation.mjs" "$BASE" || status=$?
node "$BROWSER_DIR/event.mjs" "$BASE" || status=$?
node "$BROWSER_DIR/letters.mjs" "$BASE" || status=$?
if [ $status -ne 0 ] && grep -q "Traceback" "$WORK/server.log"; then
  say "erreurs du serveur :"; grep -B2 -A25 "Traceback" "$WORK/server.log" | tail -n 60
fi
if [ $status -ne 0 ] && grep -q "Traceback" "$WORK/worker.log"; then
  say "erreurs des tâches de fond :"; grep -B2 -A25 "Traceback" "$WORK/worker.log" | tail -n 60
fi
exit $status
