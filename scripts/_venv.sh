# Shared by scripts/run and scripts/test: make .venv with exactly the pinned packages.
# Usage: source scripts/_venv.sh; ensure_venv [dev]
set -euo pipefail

ensure_venv() {
  local extras="${1:-}"
  local python="${PYTHON:-}"
  if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        python="$candidate"; break
      fi
    done
  fi
  if [ -z "$python" ]; then
    echo "Frontdesk needs Python 3.11 (python3.11 on PATH, or set PYTHON=/path/to/python3.11)" >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $python"
    "$python" -m venv .venv
  fi
  local digest="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
  local wanted="${digest}-${extras}"
  local stamp=.venv/.frontdesk-installed
  local installed="$(cat "$stamp" 2>/dev/null)"
  # an install with the dev tools also serves the plain run
  if [ "$installed" != "$wanted" ] && ! { [ -z "$extras" ] && [ "$installed" = "${digest}-dev" ]; }; then
    echo "installing Frontdesk and its pinned dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    local target="."
    [ -n "$extras" ] && target=".[${extras}]"
    .venv/bin/python -m pip install --quiet -c constraints.txt -e "$target"
    echo "$wanted" > "$stamp"
  fi
}
