"""A stock Debian 12 machine: its Python 3.11.2, tools/setup-env, and the Makefile's quoting."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import ROOT


# Standard-library names that arrived after Python 3.11.2 (Debian 12), with the version that added them.
NEWER_THAN_3_11_2 = {"data_filter": "3.11.4", "tar_filter": "3.11.4", "fully_trusted_filter": "3.11.4",
                     "batched": "3.12", "splitroot": "3.12", "with_segments": "3.12", "override": "3.12",
                     "getmembers_filtered": "3.11.4"}
EXTRACTING = {"extractall", "extract", "unpack_archive"}


def test_no_standard_library_name_newer_than_debian_12_outside_a_guard():
    """Every attribute the code uses that Python 3.11.2 lacks must sit under a hasattr() guard."""
    found = []
    for path in sorted([ROOT / "build.py", *(ROOT / "signoff").glob("*.py"), *(ROOT / "tests").glob("*.py")]):
        if path.name == "test_setup.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {node.args[1].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and getattr(node.func, "id", None) == "hasattr" and len(node.args) == 2
                   and isinstance(node.args[1], ast.Constant)}
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in NEWER_THAN_3_11_2 and node.attr not in guarded:
                found.append(f"{where}:{node.lineno}: {node.attr} (Python {NEWER_THAN_3_11_2[node.attr]})")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in EXTRACTING \
                    and any(k.arg == "filter" for k in node.keywords) and "data_filter" not in guarded:
                found.append(f"{where}:{node.lineno}: {node.func.attr}(filter=…) (Python 3.11.4)")
    assert found == []


# tools/setup-env, run on a copy against stub commands: a PATH without /sbin (as a normal user has it), the
# libraries found as the real machine has them, apt-get, sudo, id and Python replaced by scripts that log.
REAL_TOOLS = ("dirname", "grep", "cat", "mktemp", "rm", "env", "seq", "mkdir", "chmod")


@pytest.fixture
def machine(tmp_path):
    project = tmp_path / "project"
    (project / "tools").mkdir(parents=True)
    shutil.copy2(ROOT / "tools" / "setup-env", project / "tools" / "setup-env")
    (project / "requirements.txt").write_text("Jinja2==3.1.6\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REAL_TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "calls.log"

    def stub(name: str, body: str) -> None:
        path = bin_dir / name
        path.write_text(f'#!/bin/sh\necho "{name} $* DEBIAN_FRONTEND=${{DEBIAN_FRONTEND:-}}" >> "{log}"\n{body}\n')
        path.chmod(0o755)

    stub("id", "echo 1000")
    stub("fc-list", "echo '/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC'")
    stub("pdftotext", "exit 0")
    stub("apt-get", "exit 0")
    venv_python = project / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/bin/sh\necho "venv-python $*" >> "{log}"\nseq 1 200\n')
    venv_python.chmod(0o755)

    def run(python: str = sys.executable) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", str(project / "tools" / "setup-env"), python], capture_output=True,
                              text=True, env={"PATH": str(bin_dir), "HOME": str(tmp_path), "TMPDIR": str(tmp_path)})

    return SimpleNamespace(project=project, stub=stub, run=run, venv_python=venv_python,
                           calls=lambda: log.read_text().splitlines() if log.exists() else [])


def test_setup_env_without_root_names_the_one_command_and_finds_libraries_without_ldconfig_on_path(machine):
    result = machine.run()
    assert result.returncode == 3
    assert result.stderr == ("signoff: missing system packages; as root run: apt-get update && apt-get install -y "
                             "qpdf (or: sudo sh -c 'apt-get update && apt-get install -y qpdf')\n")
    assert not any(call.startswith("apt-get") for call in machine.calls())


def test_setup_env_as_root_prints_one_line_per_step_and_keeps_the_noise_out_of_sight(machine):
    machine.stub("id", "echo 0")
    machine.stub("apt-get", "seq 1 280")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["signoff: installing system packages: qpdf",
                                          "signoff: installing Python packages (pinned, requirements.txt)"]
    assert result.stdout == ""
    calls = machine.calls()
    assert "apt-get update DEBIAN_FRONTEND=" in calls
    assert "apt-get install -y qpdf DEBIAN_FRONTEND=noninteractive" in calls
    assert any(call.startswith("venv-python -m pip install") and call.endswith("-r requirements.txt")
               for call in calls)


def test_setup_env_uses_sudo_without_a_password(machine):
    machine.stub("sudo", '[ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"')
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y qpdf DEBIAN_FRONTEND=" in machine.calls()
    assert "apt-get install -y qpdf DEBIAN_FRONTEND=noninteractive" in machine.calls()


def test_setup_env_shows_the_package_managers_output_when_it_fails(machine):
    machine.stub("id", "echo 0")
    machine.stub("apt-get", '[ "$1" = update ] && exit 0; echo "E: Unable to locate package qpdf" >&2; exit 100')
    result = machine.run()
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "signoff: installing system packages: qpdf", "E: Unable to locate package qpdf",
        "signoff: could not install system packages; as root run: apt-get update && apt-get install -y qpdf"]


def test_setup_env_creates_the_venv_and_shows_pips_output_only_when_it_fails(machine):
    machine.stub("qpdf", "exit 0")
    shutil.rmtree(machine.project / ".venv")
    python = machine.project.parent / "bin" / "python3"
    python.write_text(f'#!/bin/sh\n[ "$1" = -m ] && [ "$2" = venv ] || exit 0\nmkdir -p "$3/bin"\n'
                      f'printf \'#!/bin/sh\\necho "Collecting x"\\necho "ERROR: no matching distribution" >&2\\n'
                      f'exit 1\\n\' > "$3/bin/python"\nchmod +x "$3/bin/python"\n')
    python.chmod(0o755)
    result = machine.run(str(python))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "signoff: creating .venv", "signoff: installing Python packages (pinned, requirements.txt)",
        "Collecting x", "ERROR: no matching distribution",
        "signoff: could not install the Python packages of requirements.txt (its output is above)"]


def test_setup_env_refuses_a_python_older_than_3_11(machine):
    python = machine.project.parent / "bin" / "python3"
    python.write_text('#!/bin/sh\ncase "$2" in *platform*) echo 3.10.12 ;; *) exit 1 ;; esac\n')
    python.chmod(0o755)
    result = machine.run(str(python))
    assert result.returncode == 3
    assert result.stderr == (f"signoff: Python 3.11 or newer is needed, {python} is 3.10.12; install python3.11 "
                             "(or newer) and python3.11-venv, then run: make PYTHON=python3.11\n")


# The Makefile, run on a copy whose tools/setup-env and .venv/bin/python only log their arguments.
@pytest.fixture
def makefile(tmp_path):
    project = tmp_path / "project"
    (project / "tools").mkdir(parents=True)
    (project / ".venv" / "bin").mkdir(parents=True)
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    (project / "requirements.txt").write_text("")
    log = tmp_path / "argv.log"
    logger = f"#!{sys.executable}\nimport json, sys\nopen({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    for stub in (project / "tools" / "setup-env", project / ".venv" / "bin" / "python"):
        stub.write_text(logger)
        stub.chmod(0o755)

    def run(*args: str) -> list[list[str]]:
        log.unlink(missing_ok=True)
        result = subprocess.run(["make", "-s", *args], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return SimpleNamespace(run=run, project=project, tmp_path=tmp_path)


HOSTILE = ["x; touch {tmp}/pwned", "$(shell touch {tmp}/pwned)", "x' ; touch {tmp}/pwned; '", "`touch {tmp}/pwned`",
           "$$(touch {tmp}/pwned)", "a b"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_make_passes_every_variable_as_one_word_and_runs_none_of_it(makefile, hostile):
    value = hostile.format(tmp=makefile.tmp_path)
    assert makefile.run(f"PYTHON={value}", "check") == [[value], ["build.py", "check", "--data", "data"]]
    assert makefile.run(f"DATA={value}", f"OUT={value}", f"JOBS={value}", "build")[-1] == [
        "build.py", "build", "--data", value, "--out", value, "-j", value]
    assert makefile.run(f"BASE={value}", f"DATA={value}", "diff")[-1] == [
        "build.py", "diff", "--base", value, "--data", value]
    assert makefile.run(f"DATA={value}", f"OUT={value}", "ALLOW_DIRTY=1", "bundle")[-1] == [
        "build.py", "bundle", "--data", value, "--out", value, "--allow-dirty"]
    assert makefile.run(f"DIR={value}", f"LOCALE={value}", "init")[-1] == ["build.py", "init", value, "--locale",
                                                                           value]
    assert makefile.run(f"BENCH=--quick {value}", "bench")[-1][:2] == ["bench/run", "--quick"]
    makefile.run(f"OUT={value}", "clean")
    assert not (makefile.tmp_path / "pwned").exists()


def test_make_defaults_and_the_other_targets(makefile):
    assert makefile.run("build")[-1] == ["build.py", "build", "--data", "data", "--out", "output"]
    assert makefile.run("JOBS=2", "build")[-1][-2:] == ["-j", "2"]
    assert makefile.run("bundle")[-1] == ["build.py", "bundle", "--data", "data", "--out", "output"]
    assert makefile.run("fuzz")[-1] == ["-m", "pytest", "-q", "tests/test_generated.py", "--fuzz"]
    assert makefile.run("formats")[-1] == ["tools/write-formats"]
    assert makefile.run("init", "DIR=../new")[-1] == ["build.py", "init", "../new"]
    assert makefile.run("bench", "BENCH=--quick --runs 2")[-1] == ["bench/run", "--quick", "--runs", "2"]
    missing = subprocess.run(["make", "-s", "diff"], cwd=makefile.project, capture_output=True, text=True)
    assert missing.returncode == 2 and "BASE=<rev> is required" in missing.stderr
    no_tests = subprocess.run(["make", "-s", "test"], cwd=makefile.project, capture_output=True, text=True)
    assert no_tests.returncode == 2 and "make test: no tests/ here (a project made by init)" in no_tests.stderr  # a project made by init
    (makefile.project / "tests").mkdir()
    assert makefile.run("test")[-1] == ["-m", "pytest", "-q", "-n", "auto", "--dist", "loadfile",
                                        "--no-loadscope-reorder"]


# ---- The GitHub workflows: what a user's repository runs, and this repository's tests on Debian 12 ------------------
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_zizmor_finds_nothing_above_informational_in_the_workflows():
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.is_file(), "zizmor is pinned in requirements.txt: run make"
    result = subprocess.run([str(zizmor), "--offline", "--format", "json", str(ROOT / ".github")],
                            capture_output=True, text=True)
    findings = json.loads(result.stdout)
    serious = [f"{finding['ident']}: {finding['desc']}" for finding in findings
               if finding["determinations"]["severity"] not in ("Informational", "Unknown")]
    assert serious == [] and result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_pins_actions_keeps_no_credentials_and_puts_no_expression_in_a_script(path):
    text = path.read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"].get("contents") == "read", name
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
            assert "${{" not in step.get("run", ""), (name, step.get("name"))


def test_tests_run_on_the_runner_and_in_a_stock_debian_12_container():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text())["jobs"]
    assert [step.get("run") for step in jobs["runner"]["steps"]][-1] == "make test"
    debian = jobs["debian-12"]
    assert debian["container"] == "debian:12"
    runs = [step.get("run", "") for step in debian["steps"]]
    assert "apt-get install -y -qq git make ca-certificates" in runs[0] and runs[-1] == "make test"


def test_a_machine_without_semaphores_is_an_environment_problem_not_a_traceback(tmp_path, monkeypatch):
    """In a chroot or container without /dev/shm, multiprocessing cannot make a lock (seen on Debian 12)."""
    import concurrent.futures

    from signoff import pipeline
    from signoff.errors import EnvironmentProblem

    def no_semaphores(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_semaphores)
    with pytest.raises(EnvironmentProblem, match=r"cannot start parallel renderers \(Permission denied\): make "
                                                 r"/dev/shm writable, or build with -j 1 \(make JOBS=1\)"):
        pipeline.build(ROOT / "examples" / "pass-en", tmp_path / "out", jobs=2, only=("confirmation", "report"),
                       force=True, report=lambda problems: None, say=lambda line: None)
    assert list(tmp_path.rglob("*.pdf")) == [] and list(tmp_path.rglob("*.partial")) == []


@pytest.mark.parametrize("variable", ["DATA", "OUT", "PYTHON", "BASE", "BENCH"])
def test_make_refuses_a_line_break_in_a_variable_and_an_empty_calendar_folder(makefile, variable):
    """A line break in a value ended the recipe's line inside its quotes, and the rest ran as a command
    (`make -i check "DATA=x<newline>touch …"` made the file; found by an attacker). `make calendar OUT=` wrote
    the calendar into /."""
    target = {"DATA": "check", "OUT": "build", "PYTHON": "check", "BASE": "diff", "BENCH": "bench"}[variable]
    pwned = makefile.tmp_path / "pwned"
    result = subprocess.run(["make", "-s", "-i", target, f"{variable}=x\ntouch {pwned} #"], cwd=makefile.project,
                            capture_output=True, text=True)
    assert result.returncode == 2 and f"{variable} holds a line break; give it on one line" in result.stderr
    assert not pwned.exists()
    empty = subprocess.run(["make", "-s", "calendar", "OUT="], cwd=makefile.project, capture_output=True, text=True)
    assert empty.returncode == 2 and "OUT is empty" in empty.stderr
