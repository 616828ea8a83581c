#!/usr/bin/env bash
# Install the Debian packages Threshold needs and a fresh machine lacks:
# Chromium (browser tests), PostgreSQL, Redis and nginx (scale-out), the libraries
# WeasyPrint uses for PDFs, and the load and fault tools the benchmarks and
# fault tests drive (wrk, hey, stress-ng, iproute2's ip and tc). Installs only what is missing; safe to re-run.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v hey >/dev/null 2>&1 || need+=(hey)
command -v stress-ng >/dev/null 2>&1 || need+=(stress-ng)
command -v tc >/dev/null 2>&1 || [ -x /usr/sbin/tc ] || need+=(iproute2)
# Read the lists whole: `grep -q` on a pipe can stop early, and under
# pipefail the writer's SIGPIPE would count as "missing".
libraries=$(ldconfig -p 2>/dev/null || true)
fonts=$(fc-list 2>/dev/null || true)
grep -q libpango-1.0 <<<"$libraries" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
grep -qi liberation <<<"$fonts" || need+=(fonts-liberation)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "These Debian packages are missing and this user cannot install them: ${need[*]}" >&2
    echo "Install them as root (apt-get install ${need[*]}) and run the command again." >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's postgresql package may start a cluster of its own; the project
# runs a private one on its own port, so the system one is not needed.
