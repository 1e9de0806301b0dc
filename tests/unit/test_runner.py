"""gtflow.runner.run_step: input and configuration errors are one line and exit 1; bugs keep
their traceback."""

from __future__ import annotations

import pytest

from gtflow.errors import ConfigError, InputError
from gtflow.runner import run_step


def fail_with(error: Exception):
    def step() -> None:
        raise error
    return step


@pytest.mark.parametrize(("error", "line"), [
    (InputError("data/raw/a.md", "lacks date", line=2), "gtflow: data/raw/a.md, line 2: lacks date"),
    (ConfigError("report.cjk_font", "no such font"),
     "gtflow: config/config.yaml, key 'report.cjk_font': no such font"),
])
def test_reported_errors_are_one_line_in_stderr_and_log(error, line, tmp_path, capsys):
    log = tmp_path / "step.log"
    with pytest.raises(SystemExit) as exit_:
        run_step(fail_with(error), log=log)
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [line]
    assert log.read_text(encoding="utf-8").strip().endswith(line)


def test_a_programming_error_surfaces_as_itself():
    with pytest.raises(ValueError, match="n_boot"):
        run_step(fail_with(ValueError("n_boot must be >= 1")))
