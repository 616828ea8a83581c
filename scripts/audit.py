"""Dependency and static security scans: ``make audit``.

1. ``pip-audit`` checks every pin in requirements.txt against a vulnerability
   service (PyPI's JSON API, then OSV). The pins are complete (uv compiles
   them), so it runs with ``--no-deps --disable-pip``: nothing is installed.
   A known vulnerability fails the audit unless its id is in ``ACCEPTED``
   below with the reason. A package the service could not check fails it too
   (what ``--strict`` does), except when the service answered for no package
   at all: then the service is out of reach, the audit says so plainly and
   does not fail on it, unless ``AUDIT_REQUIRE_SERVICE=1``.
2. ``bandit`` scans the project's packages (import-linter's root packages). Every accepted finding carries its
   reason on the line (``# noqa: S... - reason  # nosec B...``), so any new
   finding fails.

Exit status: 0 when both are clean (or the vulnerability service is out of
reach and not required), 1 otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's own packages: the root packages import-linter knows, so a new
# app is scanned without anyone remembering to add it here.
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]

# Vulnerability ids accepted after review, with the reason. Empty: none.
ACCEPTED: dict[str, str] = {}

# Lowest versions allowed whatever the service says (checked offline), with why.
FLOORS: dict[str, tuple[str, str]] = {
    "daphne": ("4.2.2", "older versions have no bound on WebSocket frame buffering"),
}


def pip_audit(service: str) -> tuple[str, list[dict[str, object]], str]:
    """Run pip-audit with ``service``; return (outcome, dependencies, error text).

    outcome is "ok", "vulnerable" or "unreachable".
    """
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(ROOT / "requirements.txt"),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            report.name,
        ]
        for vuln_id in ACCEPTED:
            command += ["--ignore-vuln", vuln_id]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        text = Path(report.name).read_text()
    if not text.strip():
        # pip-audit stopped before writing a report: the service could not be reached.
        return "unreachable", [], (result.stderr.strip().splitlines() or ["no output"])[-1]
    dependencies = json.loads(text)["dependencies"]
    if dependencies and all("skip_reason" in dep for dep in dependencies):
        return "unreachable", dependencies, dependencies[0]["skip_reason"]
    vulnerable = any(dep.get("vulns") for dep in dependencies)
    return ("vulnerable" if vulnerable else "ok"), dependencies, ""


def audit_dependencies() -> bool:
    """Return whether the dependency audit passes; print what it found."""
    reasons = []
    for service in ("pypi", "osv"):
        outcome, dependencies, error = pip_audit(service)
        if outcome == "unreachable":
            reasons.append(f"{service}: no package could be looked up. Last answer: {error}")
            continue
        audited = [dep for dep in dependencies if "skip_reason" not in dep]
        skipped = [dep for dep in dependencies if "skip_reason" in dep]
        print(f"pip-audit ({service}): {len(audited)} pinned packages checked.")
        for dep in dependencies:
            for vuln in dep.get("vulns", []):
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
                print(
                    f"  VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})"
                )
        for dep in skipped:
            print(f"  NOT CHECKED {dep['name']}: {dep['skip_reason']}")
        return outcome == "ok" and not skipped
    print("pip-audit: NO VULNERABILITY SERVICE REACHABLE - dependencies were NOT audited.")
    for reason in reasons:
        print(f"  {reason}")
    if os.environ.get("AUDIT_REQUIRE_SERVICE") == "1":
        return False
    print("  (set AUDIT_REQUIRE_SERVICE=1 to make this a failure)")
    return True


def audit_floors() -> bool:
    """Return whether every pin in requirements.txt is at or above its floor."""
    from packaging.version import Version

    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if version and not line.startswith((" ", "#")):
            pins[name.strip().lower()] = version.strip()
    ok = True
    for name, (floor, why) in FLOORS.items():
        pinned = pins.get(name)
        if pinned is not None and Version(pinned) < Version(floor):
            print(f"  TOO OLD {name} {pinned}: needs {floor} or later ({why})")
            ok = False
    print(f"Version floors: {'met' if ok else 'NOT met'} ({', '.join(FLOORS)}).")
    return ok


def audit_code() -> bool:
    command = [sys.executable, "-m", "bandit", "-r", *APPS, "-c", "pyproject.toml", "--quiet"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    print(result.stdout.rstrip() or "bandit: no issues.")
    if result.returncode != 0:
        print(result.stderr.rstrip())
    return result.returncode == 0


def main() -> int:
    dependencies_ok = audit_dependencies()
    floors_ok = audit_floors()
    code_ok = audit_code()
    return 0 if dependencies_ok and floors_ok and code_ok else 1


if __name__ == "__main__":
    sys.exit(main())
