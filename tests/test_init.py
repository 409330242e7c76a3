"""A new project in one command (`build.py init`), and what `bundle` refuses before it builds anything."""
from __future__ import annotations

import subprocess
import sys

from test_bundle import make_repo


def test_bundle_refuses_a_dirty_tree_before_building(tmp_path):
    repo = make_repo(tmp_path / "repo")
    with (repo / "data" / "report.yaml").open("a", encoding="utf-8") as report:
        report.write("# not committed\n")
    result = subprocess.run([sys.executable, "build.py", "bundle", "--out", str(tmp_path / "out")], cwd=repo,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == ("signoff: error: data or the templates have uncommitted changes: commit them, "
                             "or bundle a draft with --allow-dirty (make bundle ALLOW_DIRTY=1)\n")
    assert not (tmp_path / "out").exists()
