"""The scheduled crawl container without a Docker engine: its entrypoint run as a script with environment
variables against the stand-in, once per exit code, and the Dockerfile and manifests checked as far as
the tools here allow (yamllint, shellcheck when installed, and the keys a scheduler needs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from jobspiders.standin import Route, StandinServer
from tests.conftest import FIXTURES, NOW_ISO, ROOT
from tests.test_crawl_offline import GH

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
GOOD = (FIXTURES / "greenhouse" / "ugly.json").read_bytes()


def entrypoint_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment a scheduler would give the container, with this checkout's scrapy."""
    base = {k: v for k, v in os.environ.items() if k not in ("JOBS_NOW", "ATS_MIRROR", "REDIS_URL")}
    return {
        **base,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "JOBS_DB": str(tmp_path / "jobs.db"),
        "OUTPUT_DIR": str(tmp_path / "output"),
        **env,
    }


def run_entrypoint(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRYPOINT), *args],
        cwd="/",  # the entrypoint finds the project itself
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0", "-s", "JOBS_PROGRESS_INTERVAL=0")


@pytest.fixture
def boards(tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "".join(f"- {{name: B{i}, ats: greenhouse, token: b{i}}}\n" for i in range(3))
        + "- {name: Slow, ats: greenhouse, token: slow}\n"
    )
    routes = [
        Route(url=GH.format(f"b{i}"), body=GOOD.replace(b"555000", f"55{i}00".encode())) for i in range(3)
    ]
    routes.append(Route(url=GH.format("slow"), body=GOOD.replace(b"555000", b"55900"), delay=30))
    with StandinServer(routes) as server:
        yield registry, server


def test_exit_0_published(boards, tmp_path):
    registry, server = boards
    registry.write_text("\n".join(registry.read_text().splitlines()[:3]) + "\n")  # without the slow one
    env = entrypoint_env(tmp_path, JOBS_COMPANIES=str(registry), ATS_MIRROR=server.base_url, JOBS_NOW=NOW_ISO)
    started = time.monotonic()
    result = run_entrypoint(env, "--ats", "greenhouse", *FAST)
    print(f"entrypoint, 3 boards: {time.monotonic() - started:.1f}s; {result.stdout.splitlines()[-1]}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published" in result.stdout
    out = tmp_path / "output"
    assert json.loads((out / "jobs.json").read_text())["count"] == 6
    summary = json.loads((out / "crawl-summary.json").read_text())
    assert (summary["exit_code"], summary["outcome"], summary["published"]) == (0, "published", 6)
    assert summary["ats"]["greenhouse"]["boards"] == {
        "total": 3,
        "ok": 3,
        "empty": 0,
        "missing": 0,
        "failed": 0,
    }
    assert summary["ats"]["greenhouse"]["jobs"]["new"] == 6
    assert summary["totals"]["jobs"]["seen"] == 6


def test_exit_1_crawl_failed_when_stopped_mid_crawl(boards, tmp_path):
    """`docker stop` sends SIGTERM: scrapy (exec'd by the entrypoint) stops gracefully, nothing is
    published and the exit code says the crawl failed."""
    registry, server = boards
    env = entrypoint_env(tmp_path, JOBS_COMPANIES=str(registry), ATS_MIRROR=server.base_url, JOBS_NOW=NOW_ISO)
    process = subprocess.Popen(
        [str(ENTRYPOINT), "--ats", "greenhouse", *FAST, "-s", "DOWNLOAD_TIMEOUT=5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while server.count(GH.format("slow")) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr[-3000:]
    assert "crawl failed: greenhouse" in stderr
    assert not (tmp_path / "output" / "jobs.json").exists()
    summary = json.loads((tmp_path / "output" / "crawl-summary.json").read_text())
    assert (summary["exit_code"], summary["ats"]["greenhouse"]["finish_reason"]) == (1, "shutdown")


def test_exit_2_publish_refused_when_most_boards_fail(boards, tmp_path):
    registry, server = boards
    registry.write_text("\n".join(registry.read_text().splitlines()[:3]) + "\n")
    for i in (1, 2):
        server.add(Route(url=GH.format(f"b{i}"), status=500))
    env = entrypoint_env(tmp_path, JOBS_COMPANIES=str(registry), ATS_MIRROR=server.base_url, JOBS_NOW=NOW_ISO)
    result = run_entrypoint(env, "--ats", "greenhouse", *FAST)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "publish refused" in result.stderr
    summary = json.loads((tmp_path / "output" / "crawl-summary.json").read_text())
    assert summary["outcome"] == "publish refused"
    assert summary["ats"]["greenhouse"]["boards"]["failed"] == 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JOBS_COMPANIES": "/nonexistent/companies.yml"}, "JOBS_COMPANIES=/nonexistent"),
        ({"JOBS_DB": "mysql://db/jobs"}, "JOBS_DB must be a file path or a postgresql:// URL"),
        ({"JOBS_DB": "postgresql://jobs@127.0.0.1:1/jobs"}, "the PostgreSQL store is not available"),
        ({"JOBS_MAX_AGE_DAYS": "soon"}, "JOBS_MAX_AGE_DAYS must be a whole number"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "Redis cannot be reached"),
        ({"OUTPUT_DIR": "/proc/jobs/output"}, "OUTPUT_DIR=/proc/jobs/output cannot be created"),
    ],
)
def test_exit_3_bad_configuration(env, message, tmp_path):
    result = run_entrypoint(entrypoint_env(tmp_path, **env))
    assert result.returncode == 3, result.stderr[-3000:]
    assert message in result.stderr


def test_settings_come_from_the_environment_and_test_settings_stay_unset(tmp_path):
    env = entrypoint_env(
        tmp_path, JOBS_DRY_RUN="1", JOBS_COMPANIES=str(ENTRYPOINT), JOBS_NOW="", JOBS_NORMALIZE_WORKERS="0"
    )
    command = run_entrypoint(env).stdout.split()
    assert command[:2] == ["scrapy", "crawlall"]
    assert f"JOBS_DB={tmp_path / 'jobs.db'}" in command
    assert "JOBS_NORMALIZE_WORKERS=0" in command
    assert f"JOBS_COMPANIES={ENTRYPOINT}" in command
    assert not any(arg.startswith(("JOBS_NOW=", "ATS_MIRROR=")) for arg in command)
    worker = run_entrypoint(env, "crawl", "greenhouse").stdout.split()
    assert (worker[:2], worker[-1]) == (["scrapy", "crawl"], "greenhouse")


# --- the Dockerfile and the manifests -------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)  # continuation lines
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_dockerfile_is_slim_non_root_runtime_only():
    instructions = dockerfile_instructions()
    known = {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "VOLUME", "ENTRYPOINT", "CMD", "ARG", "LABEL"}
    assert {name for name, _ in instructions} <= known
    (base,) = [value for name, value in instructions if name == "FROM"]
    assert re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*", base), base  # a pinned slim tag, not latest
    users = [value for name, value in instructions if name == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert instructions.index(("USER", users[-1])) > max(
        i for i, (name, _) in enumerate(instructions) if name == "RUN"
    )
    copied = [value.split()[:-1] for name, value in instructions if name == "COPY"]
    sources = [source.rstrip("/") for sources in copied for source in sources]
    assert set(sources) == {
        "requirements.txt",
        "scrapy.cfg",
        "jobspiders",
        "templates",
        "docker/entrypoint.sh",
    }
    for source in sources:
        assert (ROOT / source).exists(), source
    runs = " ".join(value for name, value in instructions if name == "RUN")
    assert "-r requirements.txt" in runs
    assert "requirements-dev" not in runs
    assert "--no-cache-dir" in runs
    (entrypoint,) = [json.loads(value) for name, value in instructions if name == "ENTRYPOINT"]
    assert entrypoint == ["/app/docker/entrypoint.sh"]  # exec form: signals reach the crawl
    assert os.access(ENTRYPOINT, os.X_OK)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", "demo", "output", ".venv", ".git"} <= set(ignored)


def test_shell_scripts_pass_shellcheck():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run(
        ["shellcheck", str(ENTRYPOINT), str(ROOT / ".ci" / "services")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


YAMLLINT = "{extends: default, rules: {line-length: {max: 120}, document-start: disable}}"


def test_manifests_pass_yamllint():
    pytest.importorskip("yamllint")
    files = [str(ROOT / "deploy" / "docker-compose.yml"), str(ROOT / "deploy" / "k8s" / "cronjob.yaml")]
    result = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-d", YAMLLINT, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def valid_cron(schedule: str) -> bool:
    field = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"
    return bool(re.fullmatch(r"\s+".join([field] * 5), schedule.strip()))


def test_kubernetes_cronjob_has_what_a_scheduler_needs():
    manifest = yaml.safe_load((ROOT / "deploy" / "k8s" / "cronjob.yaml").read_text())
    assert (manifest["apiVersion"], manifest["kind"]) == ("batch/v1", "CronJob")
    assert manifest["metadata"]["name"]
    spec = manifest["spec"]
    assert valid_cron(spec["schedule"])
    assert spec["concurrencyPolicy"] == "Forbid"  # two crawls of one store at once are not the plan
    job = spec["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["image"]
    env = {item["name"]: item for item in container["env"]}
    assert env["JOBS_DB"]["valueFrom"]["secretKeyRef"]  # the database URL holds a password
    assert {"OUTPUT_DIR", "JOBS_COMPANIES"} <= set(env)
    assert not {"JOBS_NOW", "ATS_MIRROR"} & set(env)
    # exit codes 2 and 3 are not worth a retry
    (rule,) = job["podFailurePolicy"]["rules"]
    assert rule["action"] == "FailJob"
    assert rule["onExitCodes"]["containerName"] == container["name"]
    assert sorted(rule["onExitCodes"]["values"]) == [2, 3]
    mounts = {mount["name"] for mount in container["volumeMounts"]}
    assert mounts <= {volume["name"] for volume in pod["volumes"]}


def test_compose_runs_the_crawl_on_postgres():
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "crawl", "redis", "enqueue", "worker", "publish"} <= set(services)
    crawl = services["crawl"]
    assert crawl["build"]["context"] == ".."
    assert (ROOT / "deploy" / crawl["build"]["context"] / crawl["build"]["dockerfile"]).is_file()
    assert crawl["environment"]["JOBS_DB"].startswith("postgresql://")
    assert "@postgres:5432/" in crawl["environment"]["JOBS_DB"]
    assert crawl["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]
    assert services["worker"]["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert services["worker"]["command"] == ["crawlall", "--no-publish"]
    assert services["enqueue"]["command"] == ["enqueue"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose["volumes"], (name, volume)


def test_crontab_lines_are_valid():
    lines = [
        line
        for line in (ROOT / "deploy" / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert lines
    for line in lines:
        fields = line.split()
        assert valid_cron(" ".join(fields[:5])), line
        assert "deploy/docker-compose.yml" in line or "entrypoint.sh" in line
