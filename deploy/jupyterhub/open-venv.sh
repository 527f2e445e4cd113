#!/bin/sh
# open-venv.sh VENV: make the users' environment usable by every user, and nothing else.
# Everything inside VENV becomes readable (and its folders and programs searchable / runnable);
# the folders above it get only the search bit (a+x: pass through, not list), so
# CLASSROOM_VENV=/srv/venv never opens the rest of /srv.
set -eu
venv=${1:?usage: open-venv.sh VENV}
[ -d "$venv" ] || { echo "open-venv.sh: $venv is not a folder" >&2; exit 1; }
venv=$(cd "$venv" && pwd -P)
chmod -R a+rX "$venv"
d=$(dirname "$venv")
while [ "$d" != / ]; do
  chmod a+x "$d"
  d=$(dirname "$d")
done
