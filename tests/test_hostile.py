"""Hostile input, bad parameters and faults: each case gets the right value or a clear message.

Every figure below is made up for the test; none enters data/raw.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.atomic import replace_folder, restore_interrupted_swap
from ipindicators.cli import main
from ipindicators.data.build import OUTPUT_FILES
from ipindicators.data.readers import read_observations
from ipindicators.errors import DataError, UsageError
from ipindicators.models.series import Scale
from ipindicators.output import render
from ipindicators.params import as_of_date, check_jobs, check_paths, check_seed

WIDE = "# indicator: {indicator}\n# unit: {unit}\n# source_url: https://example.org/t\n"
TIDY = "region,indicator,period_start,period_end,value,unit,as_printed,source_url\n"


def _wide(tmp_path: Path, body: str, indicator="valid_invention_patents", unit="件") -> Path:
    path = tmp_path / "wide.csv"
    path.write_text(WIDE.format(indicator=indicator, unit=unit) + body, encoding="utf-8")
    return path


def _tidy(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "tidy.csv"
    path.write_text(TIDY + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _refused(path: Path) -> DataError:
    with pytest.raises(DataError) as info:
        read_observations(path)
    return info.value


# --- readers that never guess ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "line", "field", "fragment"),
    [
        ('region,2012\nchina,"0,8"\n', 5, "2012", "not a thousands separator"),
        ('region,2012\nchina,"3,2"\n', 5, "2012", "not a thousands separator"),
        ('region,2012\nchina,"1,2345"\n', 5, "2012", "not a thousands separator"),
        ("region,2012,2012\nchina,1,2\n", 4, "2012", "column appears twice"),
        ("region,2012\nchina,1\nchina,1,2\n", 6, None, "more than the header"),
        ("region,2012\nchina,about 5\n", 5, "value", "expected a number"),
        ("region,2012\nchina,1e5\n", 5, "value", "expected a number"),
        ("region,2012\nchina,inf\n", 5, "value", "expected a number"),
        ("region,2012\ngotham,5\n", 5, "region", "unknown region"),
        ("region,2012\nchina,-3\n", 5, "value", "negative value"),
        ("region,2099\nchina,5\n", 5, "period_end", "after today"),
    ],
)
def test_wide_cells_are_read_unambiguously_or_refused(tmp_path, body, line, field, fragment):
    error = _refused(_wide(tmp_path, body))
    assert (error.entry, error.field) == (line, field)
    assert fragment in str(error) and "wide.csv" in str(error)


def test_thousands_separators_in_groups_of_three_are_read(tmp_path):
    frame = read_observations(_wide(tmp_path, 'region,2012,2013\nchina,"1,234,567","12,000.5"\n'))
    assert frame["value"].tolist() == [1234567.0, 12000.5]
    assert frame["as_printed"].tolist() == ["1,234,567", "12,000.5"]


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        (
            "hangzhou,ip_admin_case_closure_rate,2015-01-01,2015-12-31,150,%,150%,https://x.org",
            "value",
            "outside 0-100",
        ),
        (
            "hangzhou,ip_admin_case_closure_rate,2015-01-01,2015-12-31,-1,%,-1%,https://x.org",
            "value",
            "outside 0-100",
        ),
        (
            "china,valid_invention_patents,,2019-02-30,5,件,5件,https://x.org",
            "period_end",
            "impossible date",
        ),
        (
            "china,valid_invention_patents,,2015/06/30,5,件,5件,https://x.org",
            "period_end",
            "expected a date",
        ),
        (
            "china,valid_invention_patents,,2015-06-30,5,箱,5箱,https://x.org",
            "unit",
            "unknown unit",
        ),
        (
            "china,valid_invention_patents,,2015-06-30,5,亿元,5亿元,https://x.org",
            "unit",
            "cannot convert",
        ),
        (
            "china,technology_market_turnover,,2015-12-31,5,亿元,5亿元,https://x.org",
            "period_start",
            "give period_start",
        ),
        (
            "china,valid_invention_patents,,2015-06-30,5,件,5件,",
            "source_url",
            "empty required value",
        ),
        ("china,cats,,2015-06-30,5,件,5件,https://x.org", "indicator", "unknown indicator"),
    ],
)
def test_tidy_rows_are_checked_at_the_door(tmp_path, row, field, fragment):
    error = _refused(_tidy(tmp_path, row))
    assert (error.entry, error.field) == (2, field) and fragment in str(error)


@pytest.mark.parametrize("value", ["0", "100", "93.5"])
def test_rates_at_the_edges_are_accepted(tmp_path, value):
    path = _tidy(
        tmp_path,
        f"hangzhou,ip_admin_case_closure_rate,2015-01-01,2015-12-31,{value},%,{value}%,https://x.org",
    )
    assert read_observations(path)["value"].tolist() == [float(value)]


def test_files_that_are_not_tables_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in str(_refused(empty))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((TIDY + "hangzhou,有效发明专利,,2015-12-31,5,件,5件,u\n").encode("gb18030"))
    assert "GBK" in str(_refused(gbk))
    other = tmp_path / "figures.ods"
    other.write_text("x", encoding="utf-8")
    assert "unsupported file type" in str(_refused(other))
    header_only = _tidy(tmp_path)
    assert "no rows" in str(_refused(header_only))


def _workbook(tmp_path: Path, rows: list[list[object]], name: str = "book.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


HEADER = [
    "region",
    "indicator",
    "period_start",
    "period_end",
    "value",
    "unit",
    "as_printed",
    "source_url",
]


def test_a_line_longer_than_any_table_line_is_refused_by_line(tmp_path):
    path = _wide(tmp_path, "region,2012\nchina," + "9" * 5_000_000 + "\n")
    error = _refused(path)
    assert error.entry == 5 and "bytes long" in str(error)
    assert len(str(error)) < 500


def test_a_number_with_more_digits_than_a_float_holds_is_refused_and_cut_in_the_message(tmp_path):
    error = _refused(_wide(tmp_path, "region,2012\nchina," + "9" * 400 + "\n"))
    assert error.field == "value" and "(400 characters)" in str(error)


def test_a_sheet_with_a_stray_cell_on_its_last_row_is_refused_naming_the_cell(tmp_path):
    path = _workbook(tmp_path, [HEADER, ["china", "valid_invention_patents"]])
    book = openpyxl.load_workbook(path)
    book.active["A1048576"] = "x"
    book.save(path)
    error = _refused(path)
    assert "A1048576" in str(error) or "1,048,576 rows" in str(error)


def test_a_workbook_that_expands_past_the_limit_is_refused_unread(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    assert path.stat().st_size < 1_000_000
    assert "expands to" in str(_refused(path))


def test_an_encrypted_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert "password-protected" in str(_refused(path))


def test_excel_formula_without_a_stored_value_is_refused_by_cell(tmp_path):
    path = _workbook(
        tmp_path,
        [
            HEADER,
            [
                "china",
                "valid_invention_patents",
                None,
                "2015-12-31",
                "=1+1",
                "件",
                "2件",
                "https://x.org",
            ],
        ],
    )
    error = _refused(path)
    assert "cell E2" in str(error) and "formula =1+1 without a stored value" in str(error)
    assert error.entry == 2


def test_excel_merged_cells_are_refused_by_range(tmp_path):
    path = _workbook(
        tmp_path,
        [
            HEADER,
            [
                "china",
                "valid_invention_patents",
                None,
                "2015-12-31",
                5,
                "件",
                "5件",
                "https://x.org",
            ],
        ],
    )
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("F2:G2")
    book.save(path)
    assert "merged cells (F2:G2)" in str(_refused(path))


def test_excel_date_and_number_cells_read_as_they_show(tmp_path):
    path = _workbook(
        tmp_path,
        [
            HEADER,
            [
                "china",
                "valid_invention_patents",
                None,
                dt.datetime(2015, 6, 30),
                5.0,
                "件",
                "5件",
                "https://x.org",
            ],
        ],
    )
    frame = read_observations(path)
    assert frame[["period_end", "value_as_printed"]].values.tolist() == [["2015-06-30", "5"]]
    with_time = _workbook(
        tmp_path,
        [
            HEADER,
            [
                "china",
                "valid_invention_patents",
                None,
                dt.datetime(2015, 6, 30, 9, 30),
                5,
                "件",
                "5件",
                "https://x.org",
            ],
        ],
        "time.xlsx",
    )
    assert "time of day" in str(_refused(with_time))


# --- every parameter validated once, the same way --------------------------------------------
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (0, "not 0"),
        (99999, "not 99999"),
        (3000, "not 3000"),
        (1984, "not 1984"),
        ("2015-13-01", "not a real date"),
        ("soon", "not 'soon'"),
        (True, "not True"),
        (dt.date(2999, 1, 1), "not 2999-01-01"),
    ],
)
def test_as_of_outside_the_knowable_range_is_refused(value, fragment):
    with pytest.raises(UsageError, match="as_of") as info:
        as_of_date(value)
    assert fragment in str(info.value)


def test_as_of_accepts_a_year_a_date_and_iso_strings():
    today = dt.date(2026, 12, 1)
    assert as_of_date(2015, today) == dt.date(2015, 12, 31)
    assert as_of_date("2015", today) == dt.date(2015, 12, 31)
    assert as_of_date("2015-06-30", today) == dt.date(2015, 6, 30)
    assert as_of_date(2026, today) == today  # a year not over yet ends today
    assert as_of_date(None, today) == today


@pytest.mark.parametrize(
    ("check", "value", "fragment"),
    [
        (check_seed, -1, "seed must be an integer from 0"),
        (check_seed, 2**64, "seed must"),
        (check_seed, 1.5, "seed must"),
        (check_paths, 5, "n_paths must be an integer from 10"),
        (check_paths, 10**9, "n_paths must"),
        (check_paths, "many", "n_paths must"),
        (check_jobs, 0, "jobs must be an integer from 1"),
        (check_jobs, 10**10, "jobs must"),
        (check_jobs, -1, "jobs must"),
    ],
)
def test_seed_paths_and_jobs_are_bounded(check, value, fragment):
    with pytest.raises(UsageError, match=fragment):
        check(value)


def test_paths_times_year_ends_are_estimated_before_anything_is_allocated():
    with pytest.raises(UsageError, match="GiB"):
        check_paths(1_000_000, 400)
    assert check_paths(2000, 20) == 2000


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_paths_beyond_the_address_space_limit_are_refused_with_a_message(tmp_path):
    """Under ``ulimit -v`` 900 MB, a million paths are refused up front: exit 2, no traceback."""
    code = (
        "import resource, sys; from ipindicators.cli import main; "
        "resource.setrlimit(resource.RLIMIT_AS, (900 * 1024**2, resource.RLIM_INFINITY)); "
        "sys.exit(main(['assess', '--region', 'hunan', '--paths', '1000000']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr[-1500:]
    assert "this process can allocate about" in done.stderr and "Traceback" not in done.stderr


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["assess", "--region", "china", "--as-of", "0"], "as_of must be"),
        (["assess", "--region", "china", "--as-of", "99999"], "as_of must be"),
        (["assess", "--region", "china", "--seed", "-1"], "seed must be"),
        (["assess", "--region", "china", "--paths", "1000000000"], "n_paths must be"),
        (["report", "--region", "china", "--jobs", "10000000000"], "jobs must be"),
        (["report", "--region", "china", "--as-of", "3000"], "as_of must be"),
    ],
)
def test_cli_refuses_bad_parameters_with_exit_2_and_no_traceback(capsys, argv, fragment):
    assert _exit(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_an_unreachable_scheduler_fails_fast_and_says_so(tmp_path, capsys):
    started = time.monotonic()
    code = _exit(
        [
            "report",
            "--region",
            "haidong",
            "--paths",
            "20",
            "--out",
            str(tmp_path),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ]
    )
    assert code == 2 and time.monotonic() - started < 30
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


# --- models at the edges ---------------------------------------------------------------------
def _series(region: str, indicator: str, values: dict[int, float]) -> pd.DataFrame:
    ends = pd.to_datetime([f"{y}-12-31" for y in values])
    starts = pd.to_datetime([f"{y}-01-01" for y in values])  # annual totals and rates
    return pd.DataFrame(
        {
            "region": region,
            "indicator": indicator,
            "period_start": starts,
            "period_end": ends,
            "value": list(values.values()),
            "unit": "%",
            "origin": "user",
            "source_url": "https://example.org/made-up",
        }
    )


def test_a_rate_at_100_percent_meets_its_target_with_finite_numbers():
    rows = _series("hangzhou", "ip_admin_case_closure_rate", {2015: 96.0, 2016: 98.0, 2017: 100.0})
    table = ipi.assess("hangzhou", "2018-06-30", n_paths=200, observations=rows).frame()
    table = table.set_index("target_id")
    row = table.loc["hangzhou-2020-admin-case-closure-rate"]
    assert row["probability"] > 0.5
    assert all(0 <= row[k] <= 100 for k in ("interval_80_low", "interval_80_high"))
    text = render(table.reset_index().to_dict("records"), "json")  # what --format json prints
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))


def test_a_zero_figure_costs_only_its_own_series():
    zero = _series("hangzhou", "technology_market_turnover", {2016: 0.0, 2017: 120.0})
    zero["unit"] = "亿元"
    rate = _series("hangzhou", "ip_admin_case_closure_rate", {2015: 90.0, 2016: 91.0})
    table = ipi.assess(
        "hangzhou",
        "2018-06-30",
        n_paths=200,
        observations=pd.concat([zero, rate], ignore_index=True),
    ).frame()
    table = table.set_index("target_id")
    assert "log scale" in table.loc["hangzhou-2020-technology-market-turnover", "reason"]
    assert pd.notna(table.loc["hangzhou-2020-admin-case-closure-rate", "probability"])


# --- faults: disks, paths, swaps, leftovers --------------------------------------------------
def test_a_build_into_a_folder_with_foreign_files_is_refused_and_deletes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "my-notes.txt").write_text("keep me", encoding="utf-8")
    assert _exit(["data", "build", "--out", str(out)]) == 2
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["my-notes.txt"]


def test_a_half_finished_swap_is_restored_not_rebuilt(tmp_path):
    folder = tmp_path / "processed"
    replace_folder(folder, lambda d: (d / "observations.csv").write_text("v1\n"), OUTPUT_FILES)
    os.replace(folder, tmp_path / ".processed.old")  # a crash between the two renames
    assert restore_interrupted_swap(folder)
    assert (folder / "observations.csv").read_text() == "v1\n"
    (tmp_path / ".processed.new.dead").mkdir()  # a killed run's staging folder
    replace_folder(folder, lambda d: (d / "observations.csv").write_text("v2\n"), OUTPUT_FILES)
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["processed"]
    assert (folder / "observations.csv").read_text() == "v2\n"


def test_a_batch_that_cannot_write_reports_every_region_and_exits_1(tmp_path, capsys):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("", encoding="utf-8")
    code = _exit(["report", "--region", "haidong", "--paths", "20", "--out", str(blocked)])
    out = capsys.readouterr()
    assert code == 1 and "wrote 0 of 1 reports" in out.out and "cannot write" in out.out
    assert "Traceback" not in out.err


def test_a_long_output_path_does_not_break_the_kernels(tmp_path, capsys):
    deep = tmp_path / ("x" * 60) / ("y" * 60) / "reports"
    assert _exit(["report", "--region", "haidong", "--paths", "20", "--out", str(deep)]) == 0
    assert "wrote 1 of 1 reports" in capsys.readouterr().out
    assert (deep / "haidong" / "report.html").is_file()


def _killed_after(argv: list[str], seconds: float) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ipindicators", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)
    process.kill()
    process.wait()


@pytest.mark.parametrize("seconds", [0.3, 0.8, 1.2, 1.6, 2.0, 2.5])
def test_a_killed_build_leaves_the_old_or_the_new_tables(tmp_path, seconds):
    out = tmp_path / "processed"
    assert _exit(["data", "build", "--out", str(out)]) == 0
    before = (out / "observations.csv").read_bytes()
    _killed_after(["data", "build", "--out", str(out)], seconds)
    restore_interrupted_swap(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert (out / "observations.csv").read_bytes() == before  # same raw: old and new agree
    assert _exit(["data", "build", "--out", str(out)]) == 0
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["processed"]


def test_concurrent_user_builds_queue_and_readers_see_a_whole_build(tmp_path):
    """Three ``data build --raw`` into one user folder at once all succeed, one after another;
    a reader meanwhile always finds a whole build (never an error, never the embedded data
    once the first build is in place)."""
    mine = _tidy(tmp_path, "hunan,valid_invention_patents,,2015-12-31,5,件,5件,https://e.org/x")
    env = {**os.environ, "IPINDICATORS_USER_DIR": str(tmp_path / "user")}
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "ipindicators", "data", "build", "--raw", str(mine)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    reader = (
        "from ipindicators.paths import data_in_use; import ipindicators as ipi\n"
        "seen = set()\n"
        "for _ in range(40):\n"
        "    kind = data_in_use().kind; ipi.observations(); seen.add(kind)\n"
        "    if kind == 'user build': break\n"
        "for _ in range(40):\n"
        "    assert data_in_use().kind == 'user build'; ipi.observations()\n"
        "print(sorted(seen))"
    )
    while builds[0].poll() is None and builds[1].poll() is None and builds[2].poll() is None:
        time.sleep(0.05)  # the first build is in place: the reader must never lose it
    read = subprocess.run([sys.executable, "-c", reader], env=env, capture_output=True, text=True)
    errors = [b.communicate()[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0, 0], errors
    assert read.returncode == 0, read.stderr[-2000:]
    assert "user build" in read.stdout
    assert not [p for p in (tmp_path / "user").iterdir() if p.name.startswith(".processed.new")]


@pytest.mark.parametrize("seconds", [1.0, 3.0, 5.0])
def test_a_killed_batch_leaves_no_half_written_file(tmp_path, seconds):
    out = tmp_path / "reports"
    _killed_after(
        [
            "report",
            "--region",
            "haidong",
            "--region",
            "chengdu",
            "--paths",
            "20",
            "--out",
            str(out),
        ],
        seconds,
    )
    kept = {".inputs.json", ".overview-inputs.json"}  # the incremental runs' keys
    for path in out.rglob("*"):
        if path.is_file():
            assert path.name in kept or not path.name.startswith("."), f"leftover {path}"
            if path.suffix == ".html":
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
            if path.suffix == ".ipynb":
                json.loads(path.read_text(encoding="utf-8"))


def test_reports_are_byte_identical_between_runs(tmp_path):
    out = tmp_path / "reports"
    args = ["report", "--region", "haidong", "--paths", "20", "--out", str(out)]
    assert _exit(args) == 0
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert _exit(args) == 0
    second = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    changed = [p for p in first if first[p] != second[p]]
    assert changed == [], _first_difference(first, second, changed)


def _first_difference(first: dict, second: dict, changed: list) -> str:
    """The first differing lines of each changed file, for the failure message."""
    parts = []
    for path in changed:
        before = first[path].decode("utf-8", "replace").splitlines()
        after = second[path].decode("utf-8", "replace").splitlines()
        diff = difflib.unified_diff(before, after, lineterm="", n=1)
        parts.append(f"{path.name}:\n" + "\n".join(list(diff)[:30]))
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        ({"region": ["hunan"]}, "a region is given by its id or name"),
        ({"region": "hunan", "n_paths": 5}, "n_paths must be"),
        ({"region": "hunan", "as_of": [2020]}, "as_of must be"),
        ({"region": "hunan", "downloads": 0}, "downloads must be a path or None"),
    ],
)
def test_notebook_parameters_get_the_command_line_messages(tmp_path, parameters, fragment):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ipindicators.paths import notebooks_dir

    with pytest.raises(PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(notebooks_dir() / "region_report.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters=parameters,
            progress_bar=False,
            cwd=str(tmp_path),
        )
    assert info.value.ename == "UsageError" and fragment in info.value.evalue
    assert info.value.source.startswith("%matplotlib")  # the first cell after the parameters


@pytest.mark.parametrize("with_panel", [False, True])
def test_a_rate_falling_from_its_bound_does_not_collapse_to_the_other_edge(with_panel):
    rows = _series("hangzhou", "ip_admin_case_closure_rate", {2024: 100.0, 2025: 95.0})
    observations = pd.concat([ipi.observations(), rows]) if with_panel else rows
    fc = ipi.forecast(observations, "hangzhou", "ip_admin_case_closure_rate", "2026-06-30", 2028)
    assert fc.model_names == (("rw_shrunk",) if with_panel else ("rw",))
    median = np.median(fc.at(2028))
    assert 95.0 <= median <= 100.0  # within the last two figures' range
    assert ((fc.paths >= 0) & (fc.paths <= 100)).all()
    assert 0.3 < (fc.at(2028) >= 93.0).mean() < 0.95


def test_the_share_scale_is_finite_at_its_bounds_and_censors_paths_beyond_them():
    scale = Scale("angle")
    shares = np.array([0.0, 0.5, 37.2, 95.0, 100.0])
    assert scale.back(scale.forward(shares)) == pytest.approx(shares)
    assert np.isfinite(scale.forward(shares)).all()
    beyond = scale.back(np.array([-0.3, np.pi / 2 + 0.3, np.pi]))
    assert beyond.tolist() == [0.0, 100.0, 100.0]
    latent = np.linspace(-1, 3, 50)
    assert (np.diff(scale.back(latent)) >= 0).all()  # monotone: quantiles carry over
