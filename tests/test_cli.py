"""Command-line conventions: version, exit statuses, closed pipes, no heavy imports to list."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from ipindicators.cli import main


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ipindicators", *args], capture_output=True, text=True, **kwargs
    )


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ipindicators {version('ipindicators')}"


def _exit_code(argv: list[str]) -> int:
    """What ``ipindicators ARGV`` exits with (argparse exits by itself on usage errors)."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["regions", "--level", "planet"], "invalid choice"),
        (["targets", "--region", "atlantis"], "unknown region 'atlantis'"),
        (["assess", "--region", "china", "--models", "oracle"], "unknown model 'oracle'"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_a_message(capsys, argv, fragment):
    assert _exit_code(argv) == 2
    assert fragment in capsys.readouterr().err


def test_bad_data_exits_1_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "mine.csv"
    bad.write_text(
        "region,indicator,period_end,value,unit,source_url\n"
        "hangzhou,invention_patents_per_10k,2020-12-31,forty,件/万人,https://x\n",
        encoding="utf-8",
    )
    assert main(["data", "build", "--raw", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "mine.csv" in err and "as_printed" in err and "missing column" in err
    assert not (tmp_path / "out").exists()


def test_a_closed_pipe_ends_quietly():
    # `ipindicators targets | head -0`: the reader has gone before anything is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ipindicators", "targets"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert b"Traceback" not in done.stderr and b"BrokenPipeError" not in done.stderr


def test_listing_the_catalog_imports_no_modelling_or_report_stack():
    probe = (
        "import sys; from ipindicators.cli import main; main(['regions']); "
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'papermill', 'nbconvert', "
        "'distributed', 'scipy') if m in sys.modules]; print(heavy, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip() == "[]"
    assert "hangzhou" in done.stdout
