"""The documented container route (Dockerfile, docker-compose.yml), checked where no
Docker engine runs. An outside review found: .env baked into the image, a health check
that production settings answer with 400 or 301, `migrate` in every web container, no
restart policies, nothing scheduling the daily jobs, and an unlocked dependency tree.
`make prodcheck` runs the same topology without Docker; these tests pin the files."""

import fnmatch
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LONG_RUNNING = ["db", "cache", "web", "worker", "scheduler", "backup", "lb"]


def dockerignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; "!" re-includes."""
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern) \
                or path.startswith(pattern + "/"):
            ignored = not negate
    return ignored


def env_files(service: dict) -> list[str]:
    files = service.get("env_file", [])
    return [files] if isinstance(files, str) else files


def test_no_secret_goes_into_the_image():
    for secret in [".env", ".env.db", ".env.production", "deploy/tls/key.pem", "var/db.sqlite3"]:
        assert dockerignored(secret), secret
    assert not dockerignored(".env.example") and not dockerignored("manage.py")


def test_web_and_worker_never_see_the_owner_or_superuser_credentials():
    for name in ["web", "worker"]:
        assert env_files(SERVICES[name]) == [".env"], name
    for name in ["migrate", "scheduler"]:
        assert env_files(SERVICES[name])[-1] == ".env.db", name
    example = (ROOT / ".env.example").read_text()
    assert "DATABASE_URL=postgres://ligestilling_app:" in example  # the runtime role


def test_migrations_run_once_as_the_owner_before_web_and_worker():
    assert "migrate" in SERVICES["migrate"]["command"] and "grant_runtime_role" in SERVICES["migrate"]["command"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ["web", "worker", "scheduler"]:
        assert "migrate" not in str(SERVICES[name]["command"]), name
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_long_running_service_restarts_and_images_are_pinned():
    for name in LONG_RUNNING:
        assert SERVICES[name]["restart"] == "unless-stopped", name
        image = SERVICES[name].get("image", "")
        if name not in ("web", "worker", "scheduler"):
            assert re.search(r":\d+\.\d+", image), f"{name}: pin the image version ({image})"


def test_the_health_check_is_the_one_that_passes_with_production_settings():
    assert SERVICES["web"]["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
    assert (ROOT / "deploy" / "healthcheck.py").exists()  # tested in test_deploy_healthcheck.py


def test_the_daily_jobs_are_scheduled():
    assert SERVICES["scheduler"]["command"] == ["sh", "deploy/scheduler.sh"]
    script = (ROOT / "deploy" / "scheduler.sh").read_text()
    for job in ["purge_expired", "refresh_summary", "expire_stale_jobs", "prune_db_task_results"]:
        assert f"run {job}" in script, job
    assert "pg_dump" in (ROOT / "deploy" / "backup.sh").read_text()
    assert SERVICES["backup"]["volumes"][0].startswith("backups:")


def test_the_lock_file_pins_what_pyproject_pins_and_the_image_installs_it_with_hashes():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lock = (ROOT / "requirements.lock").read_text()
    locked = {m.group(1).lower().replace("_", "-"): m.group(2)
              for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\", lock, re.M)}
    for requirement in pyproject["project"]["dependencies"]:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", requirement).groups()
        assert locked.get(name.lower().replace("_", "-")) == version, f"{name}: run `make lock`"
    assert "--hash=sha256:" in lock and len(locked) > len(pyproject["project"]["dependencies"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps -e ." in dockerfile
