#!/usr/bin/env bash
# The system libraries Essor's Python packages load at run time, installed from Debian when
# missing: Pango and HarfBuzz (with its subsetter, which keeps PDF fonts small) for WeasyPrint.
# Never fatal: without apt-get or root, it says what to install and the set-up goes on.
set -u
cd "$(dirname "$0")/.."
source scripts/debian.sh

LIBRARIES=(libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libharfbuzz-subset.so.0:libharfbuzz-subset0)
missing=()
for entry in "${LIBRARIES[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "${entry%%:*}" || missing+=("${entry##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Bibliothèques système manquantes pour WeasyPrint : ${missing[*]} — installation…"
apt_install "${missing[@]}" || echo "Installation impossible : installez ${missing[*]} (apt-get install ${missing[*]})."
exit 0
