"""Bad input never yields a wrong document: every case of tests/corpus/cases.yaml, with its exact outcome (SPEC §3)."""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import ROOT, run_build, start_build
from signoff import pipeline
from signoff.errors import DataError, EnvironmentProblem
from signoff.pdf import RenderError

CASES = yaml.safe_load((Path(__file__).parent / "corpus" / "cases.yaml").read_text(encoding="utf-8"))


# Contents too large or too binary to write in the table: `gen: NAME` in a patch.
def _png_bomb(path: Path) -> None:
    Image.new("1", (10_000, 10_000)).save(path)  # 100 million pixels, a few kB on disk


def _truncated_png(path: Path) -> None:
    data = (ROOT / "data" / "assets" / "sig-lina.png").read_bytes()
    path.write_bytes(data[: len(data) // 2])


GENERATORS = {
    "remove": lambda path: path.unlink(),
    "rmtree": lambda path: shutil.rmtree(path),
    "png_bomb": _png_bomb,
    "truncated_png": _truncated_png,
    "huge_file": lambda path: path.write_bytes(path.read_bytes() + b"#" * (8 * 1024 * 1024) + b"\n"),
    "nested_lists": lambda path: path.write_text(path.read_text(encoding="utf-8") + "deep: " + "[" * 100_000
                                                 + "]" * 100_000 + "\n", encoding="utf-8"),
    "nested_maps": lambda path: path.write_text(path.read_text(encoding="utf-8") + "".join(
        "  " * n + f"k{n}:\n" for n in range(40)) + "  " * 40 + "x: 1\n", encoding="utf-8"),
    "alias_bomb": lambda path: path.write_text(path.read_text(encoding="utf-8") + "a0: &a0 [lol, lol, lol]\n" + "".join(
        f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}]\n" for n in range(1, 4)), encoding="utf-8"),
    "long_text": lambda path: path.write_text(path.read_text(encoding="utf-8").replace(
        "summary: |", "summary: " + "长" * 100_000 + "\nold_summary: |", 1), encoding="utf-8"),
    "brackets": lambda path: path.write_text(path.read_text(encoding="utf-8").replace(
        "description: 楼宇月度能耗报表表头单位为 kWh，实际数值按 MWh 统计，相差 1000 倍。",
        'description: "' + "[" * 990 + "BRACKETS" + "]" * 990 + '"', 1), encoding="utf-8"),
    "quotes": lambda path: path.write_text(path.read_text(encoding="utf-8").replace(
        "description: 单次导出 5 万行能耗明细，5 次平均 42 秒，超过 30 秒的指标；导出期间页面无进度提示。",
        'description: "' + ">" * 300 + ' DEEPQUOTE"', 1), encoding="utf-8"),
}


def apply(data: Path, patch: dict) -> None:
    """One patch of the table to the copied data folder."""
    target = data / patch["file"]
    kind = patch.get("op", "replace")
    if kind == "replace":
        raw = target.read_bytes()
        old = patch["old"].encode("utf-8")
        assert old in raw, f"{patch['old']!r} not in {target}"
        new = patch["new"].encode(patch.get("encoding", "utf-8"))
        target.write_bytes(raw.replace(old, new, 1))
    elif kind == "write":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(patch["text"].encode(patch.get("encoding", "utf-8")))
    elif kind == "append":
        target.write_bytes(target.read_bytes() + patch["text"].encode("utf-8"))
    elif kind == "encode":  # the whole file, re-encoded
        target.write_bytes(target.read_text(encoding="utf-8").encode(patch["encoding"]))
    elif kind == "symlink":
        target.symlink_to(patch["to"].replace("{data}", str(data)))
    elif kind == "gen":
        GENERATORS[patch["gen"]](target)
    else:
        raise AssertionError(f"unknown patch op {kind}")


def prepare(tmp_path: Path, case: dict) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / case.get("base", "data"), data)
    (tmp_path / "outside.png").write_bytes((ROOT / "data" / "assets" / "logo.png").read_bytes())
    for patch in case["patches"]:
        apply(data, patch)
    return data


def _ids(cases):
    return [case["name"] for case in cases]


CHECKED = [c for c in CASES if c.get("run", "inprocess") == "inprocess"]
COMMANDS = [c for c in CASES if c.get("run") in ("check", "facts")]
RENDERED = [c for c in CASES if c.get("run") == "render"]


def test_corpus_is_large_and_named_once():
    names = _ids(CASES)
    assert len(names) >= 50 and len(names) == len(set(names))


@pytest.mark.parametrize("case", CHECKED, ids=_ids(CHECKED))
def test_checked_in_process(case, tmp_path, monkeypatch):
    data = prepare(tmp_path, case)
    monkeypatch.chdir(tmp_path)  # problems name files relative to the working folder: data/…
    try:
        pipeline.check(Path("data"))
    except DataError as exc:
        lines, code = _errors([p.format() for p in exc.problems], tmp_path), exc.exit_code
    else:
        lines, code = [], 0
    assert (code, lines) == (case["exit"], case.get("lines", []))


def _errors(lines: list[str], tmp_path: Path) -> list[str]:
    """The error lines, the temporary folder shown as <tmp>; warnings (the holiday calendar's) vary by year."""
    return [line.replace(str(tmp_path), "<tmp>") for line in lines if ": error: " in line]


@pytest.mark.parametrize("case", COMMANDS, ids=_ids(COMMANDS))
def test_command_end_to_end(case, tmp_path):
    prepare(tmp_path, case)
    done = run_build(case["run"], "--data", "data", *(["--json"] if case["run"] == "facts" else []), cwd=tmp_path)
    assert "Traceback" not in done.stderr
    lines = _errors(done.stderr.splitlines(), tmp_path)
    assert (done.returncode, lines) == (case["exit"], case.get("lines", [])), done.stderr
    if case["run"] == "facts":
        import json

        facts = json.loads(done.stdout)
        for dotted, expected in case["facts"].items():
            value = facts
            for part in dotted.split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
            assert value == expected, dotted


@pytest.fixture(scope="module")
def rendered_text(tmp_path_factory):
    """Every text case patched into one data folder, its issue log built once, read back as text."""
    tmp = tmp_path_factory.mktemp("render")
    data = prepare(tmp, {"patches": [p for case in RENDERED for p in case["patches"]]})
    done = run_build("build", "--data", str(data), "--out", str(tmp / "out"), "--only", "issue_log", "-j", "1",
                     "--force", cwd=tmp)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    (pdf,) = (tmp / "out").glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # table cells break lines anywhere


@pytest.mark.parametrize("case", RENDERED, ids=_ids(RENDERED))
def test_text_prints_literally(case, rendered_text):
    for literal in case["prints"]:
        assert "".join(literal.split()) in rendered_text
    for absent in case.get("absent", []):
        assert absent not in rendered_text


def test_twenty_kilobytes_of_nested_brackets_are_text_not_links():
    """The corpus prints 2 KB of nested brackets in the issue log (nested-brackets-2-kb); the limit of a text
    field is 20,000 characters, and at that length Markdown's link patterns are what could blow up (they did:
    minutes), so the whole length is taken through Markdown here. Laying out 20 KB of one unbroken word in a
    table cell costs WeasyPrint 28 s (its line breaking is quadratic in a word's length): not done in every run."""
    from signoff.markup import render_markdown

    text = "[" * 9_990 + "BRACKETS" + "]" * 9_990
    assert str(render_markdown(text)) == f"<p>{text}</p>"


# ---- the output folder: invalid data, an unwritable folder, a full disk, an interrupted build ---------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The confirmation letter of data/, built once; tests copy the output folder before breaking things."""
    tmp = tmp_path_factory.mktemp("built")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp / "out"
    done = run_build("build", "--data", str(data), "--out", str(out), "--only", "confirmation", "-j", "1",
                     cwd=tmp)
    assert done.returncode == 0, done.stderr
    return data, out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy_built(built, tmp_path) -> tuple[Path, Path]:
    data, out = built
    shutil.copytree(data, tmp_path / "data")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "data", tmp_path / "out"


@pytest.mark.parametrize("patch", [
    {"file": "report.yaml", "old": "conclusion: conditional", "new": "conclusion: pass"},
    {"file": "criteria.yaml", "op": "gen", "gen": "nested_lists"},
    {"file": "project.yaml", "op": "gen", "gen": "alias_bomb"},
], ids=["wrong-conclusion", "deep-nesting", "alias-bomb"])
def test_invalid_data_leaves_output_unchanged(built, tmp_path, patch):
    data, out = _copy_built(built, tmp_path)
    before = _snapshot(out)
    apply(data, patch)
    done = run_build("build", "--data", str(data), "--out", str(out), "--only", "confirmation", "--force",
                     cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.rstrip().endswith("error(s); nothing was written")
    assert _snapshot(out) == before


def test_unwritable_output_is_exit_3(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "blocker").write_text("a file where the output folder's parent should be\n")
    done = run_build("build", "--data", "data", "--out", "blocker/out", "--only", "confirmation", "-j", "1",
                     cwd=tmp_path)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("signoff: error: cannot create blocker/out:")


def _build_in_process(data: Path, out: Path) -> list[Path]:
    return pipeline.build(data, out, jobs=1, only=("confirmation",), force=True, report=lambda _: None,
                          say=lambda _: None)


def test_disk_full_is_environment_problem_and_keeps_previous(built, tmp_path, monkeypatch):
    data, out = _copy_built(built, tmp_path)
    before = _snapshot(out)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    import signoff.cache
    import signoff.pdf
    monkeypatch.setattr(signoff.cache.os, "replace", full)
    monkeypatch.setattr(signoff.pdf.os, "replace", full)
    with pytest.raises(EnvironmentProblem) as caught:
        _build_in_process(data, out)
    assert caught.value.exit_code == 3
    assert "No space left on device" in str(caught.value)
    assert _snapshot(out) == before


@pytest.mark.parametrize("interruption", [RenderError("the renderer failed part-way"), KeyboardInterrupt()],
                         ids=["render-error", "keyboard-interrupt"])
def test_interrupted_build_keeps_previous_pdfs(built, tmp_path, monkeypatch, interruption):
    data, out = _copy_built(built, tmp_path)
    before = _snapshot(out)
    import signoff.pipeline

    real = signoff.pipeline._layout_one

    def half_then_fail(job, stamp):
        real(job, stamp)  # the partial files exist now, in the build's scratch folder
        assert job.partial.is_file()
        raise interruption

    monkeypatch.setattr(signoff.pipeline, "_layout_one", half_then_fail)
    with pytest.raises(type(interruption)):
        _build_in_process(data, out)
    assert _snapshot(out) == before
    assert not list(out.glob("*.partial")) and not list(out.glob(".*.partial"))
    assert not list(out.glob(".signoff-tmp-*"))


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_interrupting_a_build_exits_130_or_143_and_keeps_previous_pdfs(built, tmp_path, signum, code):
    data, out = _copy_built(built, tmp_path)
    before = _snapshot(out)
    # As from a terminal: the run has Python's Ctrl-C handler, as a Python started from a terminal has, even when
    # this test run was started in the background with SIGINT ignored (`make test &`, some CI runners), which a
    # Python started from it would inherit: the launcher gives each run a terminal's signal dispositions.
    child = start_build("build", "--data", str(data), "--out", str(out), "-j", "1", "--force", cwd=tmp_path)
    lines = child.lines()
    # "  rendered …": the build is inside the renderer now
    assert any("rendered" in line for line in lines), "the build ended before it rendered anything"
    os.kill(child.pid, signum)
    rest = "".join(lines)
    assert child.wait() == code
    assert "Traceback" not in rest
    assert rest.splitlines()[-1].startswith("signoff: interrupted;")
    assert _snapshot(out) == before
    assert not [p for p in out.rglob("*") if ".signoff-tmp-" in p.name or p.name.endswith(".partial")]


def test_sigterm_to_a_parallel_build_alone_does_not_wait_for_a_long_layout(tmp_path):
    """SIGTERM sent to the build alone (a cancelled CI job, `timeout`), not to its process group, while its
    workers laid out a document that takes minutes (a project name of 4,900 letters in one word), waited 140 s
    for that layout to end. The interrupted build now ends its workers: it is gone in seconds, exit 143, with no
    traceback and no PDF written. (Ending them and then shutting the pool down hung Debian's Python 3.11.2.)"""
    import time

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(ROOT / "examples" / "pass-en", data)
    project = data / "project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace(
        "  name: Harbour Yard Management System", "  name: " + "Harbour" * 700, 1), encoding="utf-8")
    child = start_build("build", "--data", str(data), "--out", str(out), "-j", "2", cwd=tmp_path)
    lines = child.lines()
    assert any("rendered" in line for line in lines), "the build ended before it rendered anything"
    os.kill(child.pid, signal.SIGTERM)
    sent = time.monotonic()
    rest = "".join(lines)
    assert child.wait() == 143
    assert time.monotonic() - sent < 30, "the build waited for its workers' layouts"
    assert "Traceback" not in rest and rest.splitlines()[-1].startswith("signoff: interrupted;"), rest
    assert not list(out.glob("*.pdf")) and not [p for p in out.rglob("*") if ".signoff-tmp-" in p.name]


def test_a_truncated_image_is_refused_after_the_renderer_is_imported(tmp_path):
    import weasyprint  # noqa: F401  (it sets PIL's ImageFile.LOAD_TRUNCATED_IMAGES for the whole process)
    from signoff.assets import asset_problem

    data = prepare(tmp_path, {"patches": [{"file": "assets/sig-lina.png", "op": "gen", "gen": "truncated_png"}]})
    assert asset_problem("assets/sig-lina.png", data) == (
        "'assets/sig-lina.png' is a corrupt image (image file is truncated)")
