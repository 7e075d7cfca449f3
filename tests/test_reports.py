"""Report notebooks and the papermill batch: real executions, failure isolation, safety."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.cli import main
from ipindicators.errors import UsageError
from ipindicators.reports import overview
from ipindicators.reports.batch import (
    OVERVIEW_NOTEBOOK,
    REGION_NOTEBOOK,
    SUMMARY_COLUMNS,
    notebook_path,
    report,
)
from ipindicators.reports.plots import missing_glyphs, use_cjk_font
from ipindicators.reports.region_report import VERDICTS, read_assessment, verdict_label

PATHS = 200


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = report(
        ["china", "haidong", "nantong_doc003", "no_such_region"],
        as_of=2020,
        out=out,
        jobs=2,
        n_paths=PATHS,
        progress=False,
    )
    return result, out


@pytest.mark.parametrize("name", [REGION_NOTEBOOK, OVERVIEW_NOTEBOOK])
def test_notebooks_have_one_parameters_cell(name):
    notebook = nbformat.read(notebook_path(name), as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "as_of" in tagged[0].source


def test_good_regions_are_written_and_the_unknown_one_is_reported_by_name(batch):
    result, out = batch
    assert not result.ok and result.passed == 3
    assert "wrote 3 of 4 reports" in result.message() and "no_such_region" in result.message()
    for region in ("china", "haidong"):
        assert (out / region / "report.ipynb").is_file() and (
            out / region / "report.html"
        ).is_file()
    assert not (out / "no_such_region").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="china/report.html"' in index and "no_such_region" in index
    assert "中国" in index and (out / "overview.html").is_file()


def test_region_report_has_charts_and_the_attainment_table_without_code(batch):
    _, out = batch
    notebook = nbformat.read(out / "china" / "report.ipynb", as_version=4)
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [
        o["data"]["text/html"] for o in outputs if "<img" in o.get("data", {}).get("text/html", "")
    ]
    assert len(images) >= 2 and all('alt="Chart of ' in image for image in images)
    table = read_assessment(out / "china" / "assessment.csv")
    per_10k = table[table["target_id"] == "china-2020-invention-patents-per-10k-64"].iloc[0]
    # as of 31 December 2020 the 2020 year-end figure is not yet public: a verdict, no outcome
    assert per_10k["as_of"] == "2020-12-31" and per_10k["status"] not in ("achieved", "missed")
    assert per_10k["verdict"] in ("likely", "uncertain", "unlikely")
    page = (out / "china" / "report.html").read_text(encoding="utf-8")
    assert "rr.plan_targets" not in page and "import ipindicators" not in page
    assert "每万人口发明专利拥有量" in page and "probability" in page


def test_summary_has_one_row_per_target_with_the_report_path(batch):
    _, out = batch
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["region"]) == {"china", "haidong", "nantong_doc003"}
    haidong = summary[summary["region"] == "haidong"]
    assert (haidong["report"] == "haidong/report.html").all()
    assert haidong[~haidong["inherited"]]["status"].eq("no_data").all()
    assert summary[summary["region"] == "china"]["probability"].notna().sum() >= 3


def test_a_failing_region_keeps_its_notebook_with_the_error(tmp_path):
    result = report(
        ["china"], as_of=1990, out=tmp_path, n_paths=PATHS, overview=False, progress=False
    )
    assert not result.ok and "wrote 0 of 1 reports" in result.message()
    assert "before any figure" in result.runs[0].error
    notebook = nbformat.read(tmp_path / "china" / "report.ipynb", as_version=4)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "UsageError"
    assert (tmp_path / "summary.csv").read_text().count("report_failed") >= 1
    assert not list(tmp_path.rglob(".run-*"))


def test_same_inputs_give_the_same_numbers(batch, tmp_path):
    _, out = batch
    again = report(
        ["china"], as_of=2020, out=tmp_path, n_paths=PATHS, overview=False, progress=False
    )
    assert again.ok
    first = pd.read_csv(out / "summary.csv")
    second = pd.read_csv(tmp_path / "summary.csv")
    pd.testing.assert_frame_equal(
        first[first["region"] == "china"].reset_index(drop=True), second, check_dtype=False
    )


@pytest.mark.parametrize(
    "region",
    [
        "../escape",
        "/tmp/abs",
        "china/../../x",
        'china"; import os; os.system("touch PWNED") #',
        "",
    ],
)
def test_region_names_cannot_leave_the_output_folder_or_reach_the_notebook(tmp_path, region):
    out = tmp_path / "out"
    code = main(["report", "--region", region, "--out", str(out), "--paths", "20"])
    assert code == 1
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"out/index.html", "out/summary.csv"}
    assert not list(tmp_path.rglob("PWNED")) and not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"as_of": "2020; import os"},
        {"n_paths": "10; import os"},
        {"seed": -1},
        {"models": "pool'); import os #"},
        {"jobs": 0},
    ],
)
def test_bad_parameters_are_refused_before_any_notebook_runs(tmp_path, kwargs):
    with pytest.raises(UsageError):
        report(["china"], out=tmp_path, progress=False, **kwargs)
    assert not any(tmp_path.iterdir())


def test_cli_needs_regions_or_all(capsys):
    assert main(["report"]) == 2
    assert "--all" in capsys.readouterr().err


def _files(out: Path) -> dict[str, bytes]:
    """Every file the batch wrote, the output folder's own path taken out of the overview."""
    return {
        str(path.relative_to(out)): path.read_bytes().replace(str(out).encode(), b"OUT")
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_one_job_two_jobs_and_a_dask_cluster_write_the_same_bytes(tmp_path):
    distributed = pytest.importorskip("distributed")
    regions = ["haidong", "hangzhou", "liaoning"]
    settings = {"as_of": 2021, "n_paths": PATHS, "progress": False}
    one = report(regions, out=tmp_path / "one", jobs=1, **settings)
    two = report(regions, out=tmp_path / "two", jobs=2, **settings)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        dask = report(
            regions, out=tmp_path / "dask", scheduler=cluster.scheduler_address, **settings
        )
    assert one.ok and two.ok and dask.ok, dask.message()
    written = _files(tmp_path / "one")
    # 8 files and the inputs' key a region; summary, index, figure index, overview ×2 and its key
    assert len(written) == 3 * 9 + 6
    assert _files(tmp_path / "two") == written
    assert _files(tmp_path / "dask") == written


def _render(text: str) -> np.ndarray:
    figure = plt.figure(figsize=(1, 1), dpi=50)
    figure.text(0.1, 0.3, text, fontsize=30)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure.savefig(buffer, format="png")
    plt.close(figure)
    buffer.seek(0)
    return plt.imread(buffer)


def test_chinese_labels_render_with_real_glyphs():
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        assert missing_glyphs("专利 patents") == ["专", "利"]
    with matplotlib.rc_context():
        use_cjk_font()
        assert missing_glyphs("每万人口发明专利拥有量 · Invention patents per 10,000 people") == []
        first, second = _render("专"), _render("利")
    assert not np.array_equal(first, second), "two different characters drew the same box"


def test_gap_table_and_regions_lacking_data():
    summary = pd.DataFrame(
        {
            "region": ["a", "a", "b"],
            "target_id": ["t1", "t2", "t3"],
            "indicator": ["x", "y", "z"],
            "target_year": [2020, 2020, 2025],
            "comparator": [">=", "<=", ">="],
            "basis": ["level", "level", "level"],
            "last_period": ["2019-12-31", "2019-12-31", None],
            "last_value": [10.0, 50.0, None],
            "target_value": [20.0, 40.0, 5.0],
            "unit": ["件", "%", "件"],
            "probability": [0.2, 0.9, None],
            "status": ["limited_progress", "on_track", "no_data"],
            "expected_year": [2030, 2020, None],
            "reason": ["", "", "no published figure"],
            "verdict": ["unlikely", "likely", "no data"],
            "inherited": [False, False, False],
            "outcome": [None, None, None],
        }
    )
    gaps = overview.gap_table(summary)
    assert list(gaps["target_id"]) == ["t1", "t2"]
    assert gaps["gap"].tolist() == pytest.approx([1.0, 0.25])
    # a missed target is measured at its target year, not at the latest figure; an inherited
    # target is not the region's to close
    settled = {
        **summary.iloc[0].to_dict(),
        "target_id": "t4",
        "status": "missed",
        "verdict": "missed",
        "last_value": 30.0,
        "last_period": "2023-12-31",
        "outcome": 16.0,
    }
    inherited = {**summary.iloc[0].to_dict(), "target_id": "t5", "inherited": True}
    more = pd.concat([summary, pd.DataFrame([settled, inherited])], ignore_index=True)
    gaps = overview.gap_table(more).set_index("target_id")
    assert "t5" not in gaps.index
    assert gaps.loc["t4", "gap"] == pytest.approx(0.25)
    assert (gaps.loc["t4", "figure"], gaps.loc["t4", "figure_period"]) == (16.0, "2020-12-31")
    lacking = overview.regions_lacking_data(summary)
    assert lacking.to_dict("records") == [
        {
            "region": "b",
            "targets": 1,
            "programme": 0,
            "no_data": 1,
            "other": 0,
            "nothing_assessed": True,
            "indicators": "z",
        }
    ]


def test_charts_and_tables_name_source_classes_never_hosts():
    from ipindicators.reports.plots import SOURCE_CLASS_LABELS, source_labels
    from ipindicators.reports.region_report import data_sources

    obs = ipi.observations()
    labels = source_labels(obs)
    allowed = set(SOURCE_CLASS_LABELS.values())
    allowed |= {"derived from " + v.split(" (")[0] for v in SOURCE_CLASS_LABELS.values()}
    assert set(labels) <= allowed
    assert not labels.str.contains(r"\.(?:com|cn|org|net)", regex=True).any()
    table = data_sources("zhejiang", obs)
    row = table.set_index("indicator").loc["invention_patents_per_10k"]
    assert "official statistics" in row["source_classes"]


def test_fan_chart_sets_up_the_cjk_font_itself():
    import matplotlib

    from ipindicators.models.forecast import forecast
    from ipindicators.reports.plots import fan_chart

    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    obs = ipi.observations("china", "invention_patents_per_10k")
    fc = forecast(obs, "china", "invention_patents_per_10k", 2015, 2020, n_paths=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        ax = fan_chart(fc)
        ax.figure.canvas.draw()
    assert missing_glyphs(ax.get_title()) == []
    plt.close(ax.figure)


def test_every_target_is_either_in_the_attainment_table_or_untracked_never_both():
    from ipindicators.reports.region_report import attainment_table, untracked_targets

    table = ipi.assess("liaoning", n_paths=100).frame()
    shown = set(attainment_table(table)["target_id"])
    missing = set(untracked_targets(table)["target_id"])
    assert shown.isdisjoint(missing) and shown | missing == set(table["target_id"])
    with_probability = set(table.loc[table["probability"].notna(), "target_id"])
    assert with_probability <= shown


def test_stable_notebooks_do_not_depend_on_how_output_was_split():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from ipindicators.reports.batch import stable_notebook

    def run(*texts: str):
        outputs = [new_output("stream", name="stdout", text=t) for t in texts]
        cell = new_code_cell("print(...)", outputs=outputs)
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-01T21:01:02Z"}
        return nbformat.writes(stable_notebook(new_notebook(cells=[cell])))

    assert run("figures used up to 2026-12-01\n") == run("figures used up to ", "2026-12-01\n")


# --- one truth per target, and what a browser shows ---------------------------------------
AGREEING = ["target_id", "region", "probability", "verdict", "status"]


def _agreeing(frame: pd.DataFrame) -> pd.DataFrame:
    chosen = frame[AGREEING].reset_index(drop=True)
    return chosen.assign(probability=pd.to_numeric(chosen["probability"]).astype(float))


def test_summary_reports_and_downloads_agree_on_every_target(batch):
    _, out = batch
    summary = pd.read_csv(out / "summary.csv")
    for region in ("china", "haidong", "nantong_doc003"):
        listed = _agreeing(summary[summary["region"] == region])
        downloaded = _agreeing(pd.read_csv(out / region / "assessment.csv", encoding="utf-8-sig"))
        pd.testing.assert_frame_equal(listed, downloaded, check_dtype=False)
        page = (out / region / "report.html").read_text(encoding="utf-8")
        own = summary[(summary["region"] == region) & ~summary["inherited"].astype(bool)]
        headline = re.search(r"<strong>(\d+) targets of its own plans</strong>", page)
        assert headline and int(headline.group(1)) == len(own)
        for verdict, count in own["verdict"].value_counts().items():
            label = verdict_label(verdict)
            assert f"<strong>{count}</strong> {label}" in page, (region, verdict)
    index = (out / "index.html").read_text(encoding="utf-8")
    china = re.search(r"<tr class=\"ok\"><td>中国[^<]*</td>(.*?)</tr>", index).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", china)
    own = summary[(summary["region"] == "china") & ~summary["inherited"].astype(bool)]
    listed = own["verdict"].value_counts()
    expected = [str(len(own))] + [str(listed.get(v, 0) or "") for v in VERDICTS]
    assert cells[: len(expected)] == expected


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


_CHECK = (
    '<script>window.addEventListener("load",function(){'
    "var w=document.documentElement.scrollWidth;"
    "var noalt=Array.from(document.images).filter(function(i){return !i.alt}).length;"
    'var over=Array.from(document.querySelectorAll(".jp-OutputArea-output"))'
    ".filter(function(e){return e.scrollWidth>e.clientWidth+1}).length;"
    'document.title="ipi-check "+w+" "+noalt+" "+over;});</script>'
)


def _browser_check(page: Path, work: Path) -> tuple[int, int, int]:
    copy = work / page.name
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", _CHECK + "</body>"))
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={work / 'profile'}",
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            copy.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"<title>ipi-check (\d+) (\d+) (\d+)</title>", done.stdout)
    assert found, done.stderr[-500:]
    width, without_alt, overflowing = map(int, found.groups())
    return width, without_alt, overflowing


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._in, self.cells = True, [*self.cells, ""]

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


@pytest.mark.skipif(_chromium() is None, reason="no chromium: apt-get install chromium")
@pytest.mark.parametrize("page", ["china/report.html", "haidong/report.html", "overview.html"])
def test_pages_fit_1280_pixels_with_alt_text_and_clean_cells(batch, tmp_path, page):
    _, out = batch
    width, without_alt, overflowing = _browser_check(out / page, tmp_path)
    assert width <= 1280 and without_alt == 0 and overflowing == 0
    parser = _Cells()
    parser.feed((out / page).read_text(encoding="utf-8"))
    cells = [c.strip() for c in parser.cells]
    assert cells and not [c for c in cells if c in ("None", "NaN", "nan", "NaT")]
    assert not [c for c in cells if re.fullmatch(r"-?[\d,]+\.\d{3,}( %)?", c)]


def test_catalog_text_reaches_the_page_as_text_never_as_html(tmp_path):
    import os
    import sys

    import yaml

    from ipindicators.paths import CATALOG_DIR

    hostile = "<script>alert(1)</script>"
    regions = yaml.safe_load((CATALOG_DIR / "regions.yaml").read_text(encoding="utf-8"))
    regions.append(
        {
            "id": "xss",
            "name_zh": hostile,
            "name_en": "<b>x</b>",
            "level": "province",
            "parent": "china",
        }
    )
    indicators = yaml.safe_load((CATALOG_DIR / "indicators.yaml").read_text(encoding="utf-8"))
    indicators.append(
        {
            "id": "xss_indicator",
            "name_zh": "<script>alert(5)</script>",
            "name_en": "<img src=x onerror=alert(6)>",
            "unit": "件",
            "kind": "stock",
            "measure": "snapshot",
            "higher_is_better": True,
            "publisher": "<script>alert(7)</script>",
            "definition": "<script>alert(8)</script>",
            "aliases_zh": ["<script>alert(9)</script>"],
        }
    )
    documents = yaml.safe_load((CATALOG_DIR / "documents.yaml").read_text(encoding="utf-8"))
    documents.append(
        {
            "id": "<script>alert(10)</script>",
            "region": "xss",
            "issuer": "<script>alert(11)</script>",
            "title": "<img src=x onerror=alert(12)>",
            "issued": "<script>alert(13)</script>",
            "note": "<script>alert(14)</script>",
        }
    )
    targets = [
        {
            "id": "xss-2025-stock",
            "region": "xss",
            "indicator": "xss_indicator",
            "label_zh": "<script>alert(15)</script>",
            "label_en": "<img src=x onerror=alert(16)>",
            "comparator": ">=",
            "value": 10,
            "unit": "件",
            "year": 2025,
            "basis": "level",
            "document": "<script>alert(10)</script>",
            "quote": "<script>alert(17)</script>",
            "source_url": "javascript:alert(18)",
            "note": "<script>alert(19)</script>",
        },
        {
            "id": "xss-2030-per-10k",
            "region": "xss",
            "indicator": "invention_patents_per_10k",
            "label_zh": "<img src=x onerror=alert(2)>",
            "comparator": ">=",
            "value": 10,
            "unit": "件/万人",
            "year": 2030,
            "basis": "level",
            "document": "国办发〔2014〕64号",
            "quote": "<img src=x onerror=alert(3)>每万人口发明专利拥有量达到10件",
            "source_url": "https://example.org/x",
            "unassessable": "<script>alert(4)</script>",
        },
    ]
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "regions.yaml").write_text(yaml.safe_dump(regions, allow_unicode=True), "utf-8")
    (folder / "targets.yaml").write_text(yaml.safe_dump(targets, allow_unicode=True), "utf-8")
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump(indicators, allow_unicode=True), "utf-8"
    )
    (folder / "documents.yaml").write_text(yaml.safe_dump(documents, allow_unicode=True), "utf-8")
    env = {**os.environ, "IPINDICATORS_CATALOG_DIR": str(folder)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ipindicators",
            "report",
            "--region",
            "xss",
            "--paths",
            "50",
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    page = (tmp_path / "out" / "xss" / "report.html").read_text(encoding="utf-8")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for text in (page, index):
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>x</b>" not in text
        assert 'href="javascript:' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for shown in (5, 17):  # the indicator's name and the target's quote are shown as text
        assert f"&lt;script&gt;alert({shown})&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(12)&gt;" in page  # the document's title


def test_a_batch_whose_only_worker_dies_without_a_nanny_fails_in_bounded_time(
    tmp_path, monkeypatch
):
    """No nanny replaces a killed worker: the lanes left fail with the reason, and the batch
    ends, NO_WORKER_SECONDS after the cluster lost its last worker."""
    pytest.importorskip("distributed")
    import socket
    import sys
    import threading
    import time

    from ipindicators.reports import batch

    monkeypatch.setattr(batch, "NO_WORKER_SECONDS", 3.0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    cli = [sys.executable, "-m"]
    scheduler = subprocess.Popen(
        [*cli, "distributed.cli.dask_scheduler", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [*cli, "distributed.cli.dask_worker", address, "--no-nanny", "--nthreads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
        regions = ["haidong", "hangzhou", "liaoning", "sichuan", "china", "hunan"]
        killer = threading.Timer(4.0, worker.kill)
        killer.start()
        started = time.monotonic()
        result = report(regions, out=tmp_path / "out", n_paths=PATHS, scheduler=address)
        elapsed = time.monotonic() - started
        killer.cancel()
    finally:
        worker.kill()
        scheduler.kill()
    assert not result.ok
    failed = [run for run in result.runs if not run.ok]
    assert failed and elapsed < 60
    assert any("no worker for 3 s" in run.error for run in failed)
