"""The built wheel does the main job outside the checkout, from its own package data.

The wheel is installed without dependencies into a new virtual environment in a temporary
folder; the dependencies come from the environment running the tests (its site-packages is
put on the new environment's path, after the wheel, and without the checkout's editable-install
hook). Everything the commands read must therefore come from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A venv outside the repository with only the wheel installed, and its environment."""
    base = tmp_path_factory.mktemp("wheel")
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(base / "dist"),
            str(REPO),
        ]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (base / "dist").glob("ipindicators-*.whl")
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)])
    assert done.returncode == 0, done.stderr
    work = base / "work"
    work.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IPINDICATORS_")}
    environment |= {
        "IPINDICATORS_USER_DIR": str(base / "user"),
        # nbconvert's HTML templates are data files of the dependency environment
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    return {
        "bin": env_dir / "bin",
        "site": site,
        "work": work,
        "env": environment,
        "user": base / "user",
    }


def _cli(installed: dict, *args: str) -> subprocess.CompletedProcess:
    return _run(
        [str(installed["bin"] / "ipindicators"), *args],
        cwd=installed["work"],
        env=installed["env"],
    )


def test_the_package_is_imported_from_the_wheel(installed):
    done = _run(
        [
            str(installed["bin"] / "python"),
            "-c",
            "import ipindicators.paths as p; print(p.PACKAGE_DIR); print(p.is_checkout())",
        ],
        cwd=installed["work"],
        env=installed["env"],
    )
    package_dir, checkout = done.stdout.split()
    assert Path(package_dir).is_relative_to(installed["site"]) and checkout == "False"


def test_wheel_assesses_and_reports_from_its_embedded_data(installed):
    assessed = _cli(installed, "assess", "--region", "china", "--paths", "200", "--format", "csv")
    assert assessed.returncode == 0, assessed.stderr
    assert "china-2015-invention-patents-per-10k" in assessed.stdout
    out = installed["work"] / "reports"
    reported = _cli(
        installed, "report", "--region", "hangzhou", "--paths", "200", "--out", str(out)
    )
    assert reported.returncode == 0, reported.stderr
    assert "wrote 1 of 1 reports" in reported.stdout
    assert "杭州" in (out / "hangzhou" / "report.html").read_text(encoding="utf-8")


def test_a_user_build_goes_to_the_user_directory_not_into_the_package(installed):
    mine = installed["work"] / "mine.csv"
    mine.write_text(
        "# indicator: invention_patents_per_10k\n# unit: 件/万人\n"
        "# source_url: https://example.org/my-table\n"
        "region,2024\nhaidong,1.5\n",
        encoding="utf-8",
    )
    before = sorted(
        p.relative_to(installed["site"])
        for p in installed["site"].rglob("*")
        if "__pycache__" not in p.parts
    )
    built = _cli(installed, "data", "build", "--raw", str(mine))
    assert built.returncode == 0, built.stderr
    assert (installed["user"] / "processed" / "observations.csv").is_file()
    after = sorted(
        p.relative_to(installed["site"])
        for p in installed["site"].rglob("*")
        if "__pycache__" not in p.parts
    )
    assert after == before
    coverage = _cli(installed, "data", "coverage", "--region", "haidong", "--format", "csv")
    assert coverage.returncode == 0 and "invention_patents_per_10k" in coverage.stdout
