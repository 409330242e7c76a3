"""The HTML of a document (signoff/render.py): its compiled templates' cache in ~/.cache/signoff is untrusted. A
damaged file, a link or a named pipe in it is no cache (the template compiled again), never a traceback or a
build that waits for ever."""
from __future__ import annotations

import os
import signal

import pytest

from signoff import render


@pytest.mark.parametrize("damage", ["fifo", "garbage", "link"])
def test_a_damaged_compiled_template_is_compiled_again(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = render.make_environment().get_template("acceptance_letter.html.j2").root_render_func
    cached = sorted((tmp_path / "cache" / "signoff" / "templates").iterdir())
    assert cached
    for path in cached:
        path.unlink()
        if damage == "fifo":
            os.mkfifo(path)  # a plain open() for reading waits for a writer
        elif damage == "garbage":
            path.write_bytes(b"j2\x00not a compiled template")
        else:
            (tmp_path / "elsewhere").write_bytes(b"j2")
            path.symlink_to(tmp_path / "elsewhere")

    def hung(*_):
        raise AssertionError("the template cache blocked")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        template = render.make_environment().get_template("acceptance_letter.html.j2")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert template.root_render_func.__code__.co_code == expected.__code__.co_code  # the same compiled code
