"""The report renders in a real browser: headless Chromium (Debian's `chromium`, installed by
`make chromium` / scripts/ensure_chromium.sh), with no network, draws every chart it declares and
logs no error.

How: a copy of the page gets a probe script first in <head> (it records console.error, uncaught
errors, failed resource loads and unhandled promise rejections before any other script runs) and a
check script last in <body> (after load, it writes what drew into a <pre> as JSON). Chromium's
--dump-dom prints the DOM once the page has loaded and its virtual time budget has run out.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.report import build_report
from orchestration.report.build import CHART_IDS, render
from orchestration.report.data import empty_report_data
from orchestration.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

PROBE = """<script>
window.__probe = {errors: []};
(function () {
  function record(kind, text) { window.__probe.errors.push(kind + ": " + text); }
  var originalError = console.error;
  console.error = function () {
    record("console.error", Array.prototype.map.call(arguments, String).join(" "));
    return originalError.apply(console, arguments);
  };
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      record("resource failed", target.src || target.href);
    } else {
      record("uncaught", event.message);
    }
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    record("unhandled rejection", String(event.reason));
  });
})();
</script>"""

CHECK = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var charts = Array.prototype.map.call(document.querySelectorAll("figure.chart"), function (figure) {
      var plot = figure.querySelector(".plotly-graph-div");
      // Drawn marks: bar, funnel and line paths with a real shape (Plotly draws an empty bar as M0,0Z).
      var paths = plot ? plot.querySelectorAll(".main-svg g.trace path") : [];
      var marks = Array.prototype.filter.call(paths, function (path) {
        var d = path.getAttribute("d");
        return d && d !== "M0,0Z";
      });
      return {
        id: figure.getAttribute("data-chart-id"),
        main_svg: plot ? plot.querySelectorAll(".main-svg").length : 0,
        traces: plot ? plot.querySelectorAll(".main-svg g.trace").length : 0,
        marks: marks.length,
        title: plot ? (plot.querySelector(".gtitle") || {}).textContent || "" : ""
      };
    });
    var requests = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
    // Every table fits its box, or its box scrolls sideways and itself fits the page.
    var tables = Array.prototype.map.call(document.querySelectorAll("table"), function (table) {
      var box = table.parentElement, section = table.closest("section");
      return {
        section: section && section.querySelector("h2") ? section.querySelector("h2").textContent : "",
        fits: table.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1,
        box_scrolls: ["auto", "scroll"].indexOf(getComputedStyle(box).overflowX) >= 0,
        box_in_page: box.getBoundingClientRect().right <= document.documentElement.clientWidth
      };
    });
    var headline = document.getElementById("headline");
    var firstChart = document.querySelector("figure.chart");
    var asOf = document.querySelector(".as-of");
    var velocity = document.getElementById("velocity-trend");
    var result = {
      declared: Number(document.body.getAttribute("data-chart-count")),
      plot_divs: document.querySelectorAll(".plotly-graph-div").length,
      charts: charts,
      errors: window.__probe.errors,
      requests: requests,
      images: document.querySelectorAll("img").length,
      tables: tables,
      page_scrolls_sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
      as_of_text: asOf ? asOf.innerText : "",
      headline_tiles: headline ? headline.querySelectorAll(".tile").length : 0,
      headline_top: headline ? headline.getBoundingClientRect().top : null,
      first_chart_top: firstChart ? firstChart.getBoundingClientRect().top : null,
      viewport_height: window.innerHeight,
      velocity_x: velocity && velocity.data ? [].concat.apply([], velocity.data.map(function (t) { return t.x; })) : [],
      conversion_ticks: []
    };
    function write() {
      var out = document.createElement("pre");
      out.id = "browser-probe";
      out.textContent = JSON.stringify(result);
      document.body.appendChild(out);
    }
    // The conversion chart's y tick labels as drawn, for its first cut and after each menu choice.
    var conversion = document.getElementById("segment-conversion");
    if (!conversion || !conversion.layout) { write(); return; }
    function ticks() {
      return Array.prototype.map.call(conversion.querySelectorAll(".ytick text"), function (t) { return t.textContent; });
    }
    result.conversion_ticks.push(ticks());
    var chain = Promise.resolve();
    (conversion.layout.updatemenus[0].buttons || []).forEach(function (button) {
      chain = chain.then(function () { return Plotly.update(conversion, button.args[0], button.args[1]); })
        .then(function () { result.conversion_ticks.push(ticks()); });
    });
    chain.catch(function (error) { result.errors.push("menu: " + error); }).then(write);
  }, 500);
});
</script>"""


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "chromium not found on PATH (looked for " + ", ".join(CHROMIUM_NAMES) + "): run `make chromium` "
        "(scripts/ensure_chromium.sh installs Debian's chromium) before this test"
    )


def render_in_chromium(page: str, work_dir: Path, width: int = 1200) -> dict:
    """Open `page` in headless Chromium with the network cut off and return what the check saw."""
    instrumented = page.replace("<head>", "<head>" + PROBE, 1).replace("</body>", CHECK + "</body>", 1)
    assert PROBE in instrumented and CHECK in instrumented, "the page has no <head> / </body> to instrument"
    work_dir.mkdir(parents=True, exist_ok=True)
    page_file = work_dir / "instrumented_report.html"
    page_file.write_text(instrumented, encoding="utf-8")
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",  # runs as root in containers; the page is our own local file
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # No network: every host resolves to nothing and any proxy use goes to a closed port.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={work_dir / 'chromium-profile'}",
        f"--window-size={width},900",
        "--virtual-time-budget=20000",
        "--dump-dom",
        page_file.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    match = re.search(r'<pre id="browser-probe">(.*?)</pre>', done.stdout, re.S)
    assert match, (
        f"chromium exited {done.returncode} without the page's check result (scripts did not run?); "
        f"stderr tail: {done.stderr[-2000:]}"
    )
    return json.loads(html.unescape(match.group(1)))


def _charts_that_did_not_draw(result: dict) -> list[dict]:
    return [c for c in result["charts"] if not (c["main_svg"] >= 1 and c["traces"] >= 1 and c["marks"] >= 1)]


@pytest.fixture(scope="module")
def demo_page(built_demo: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of a copy of the demo warehouse whose ledger carries markup that would run (and
    log an error) if any part of the page put it into the DOM unescaped."""
    work = tmp_path_factory.mktemp("browser_report")
    warehouse = work / "copy.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            update loader.ledger
            set source_file = '<img src=x onerror="console.error(1)">=HYPERLINK(1).csv',
                message = '<script>console.error(2)</script>'
            where source_file like '%Lead.csv'
            """
        )
    return build_report(warehouse, work / "report.html").read_text(encoding="utf-8")


def test_every_declared_chart_draws_in_headless_chromium_offline_without_errors(
    demo_page: str, tmp_path: Path
) -> None:
    result = render_in_chromium(demo_page, tmp_path)
    assert result["errors"] == [], result["errors"]
    # The demo has data for every chart, so the page declares all of them and each one drew.
    assert result["declared"] == len(CHART_IDS)
    assert [c["id"] for c in result["charts"]] == list(CHART_IDS)
    assert result["plot_divs"] == result["declared"]
    assert _charts_that_did_not_draw(result) == []
    assert all(c["title"] for c in result["charts"]), "every chart has a title"
    assert [r for r in result["requests"] if not r.startswith(("file:", "data:", "blob:"))] == []
    assert result["images"] == 0  # the ledger's <img> stayed text

    # The as-of and the headline tiles open the page, in the first screen, above every chart.
    assert re.match(r"Data as of \d{4}-\d{2}-\d{2} \(end of day\)", result["as_of_text"]), result[
        "as_of_text"
    ]
    assert result["headline_tiles"] >= 7
    assert result["headline_top"] < min(result["first_chart_top"], result["viewport_height"])
    # Every table fits or scrolls in its own box; the stale deals (cut off before) fit outright.
    assert _tables_cut_off(result) == [] and not result["page_scrolls_sideways"]
    assert [t["fits"] for t in result["tables"] if t["section"] == "Stale deals"] == [True, True]
    # The conversion axis, as drawn for each cut of its menu: no tick label twice.
    assert len(result["conversion_ticks"]) > 2
    for labels in result["conversion_ticks"]:
        assert (
            len(labels) >= 3 and len(set(labels)) == len(labels) and all(t.endswith("%") for t in labels)
        ), labels
    # The demo's as-of is a month end: its last month is complete and drawn.
    assert any(x.startswith("2025-06-01") for x in result["velocity_x"])


def _tables_cut_off(result: dict) -> list[dict]:
    return [t for t in result["tables"] if not (t["fits"] or (t["box_scrolls"] and t["box_in_page"]))]


def test_wide_tables_scroll_in_a_narrow_window_and_the_check_sees_it_when_they_do_not(
    demo_page: str, tmp_path: Path
) -> None:
    """At 760 pixels the widest tables no longer fit: each scrolls in its box, the page does not. With the
    box's scrolling taken out of the style, the same check reports them cut off (it can fail)."""
    result = render_in_chromium(demo_page, tmp_path / "narrow", width=760)
    assert [t for t in result["tables"] if not t["fits"]], (
        "nothing too wide at 760 px: the check tests nothing"
    )
    assert _tables_cut_off(result) == [] and not result["page_scrolls_sideways"]

    unboxed, replaced = re.subn(
        r"div\.table \{\{? overflow-x: auto;", "div.table { overflow-x: visible;", demo_page
    )
    assert replaced == 1, "the table style changed: update the pattern"
    result = render_in_chromium(unboxed, tmp_path / "unboxed", width=760)
    assert _tables_cut_off(result) and result["page_scrolls_sideways"]


def test_a_partial_as_of_month_is_not_drawn_in_the_velocity_trend(
    built_demo: Settings, tmp_path: Path
) -> None:
    """The demo with its as-of moved to mid-June: June is partial, left out of the trend and said so."""
    warehouse = tmp_path / "mid_month.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update intermediate.int_as_of set as_of_date = date '2025-06-17'")
    page = build_report(warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    result = render_in_chromium(page, tmp_path)
    assert result["errors"] == []
    assert result["velocity_x"] and not any(x.startswith("2025-06") for x in result["velocity_x"])
    assert any(x.startswith("2025-05-01") for x in result["velocity_x"])
    assert "2025-06 is left out: partial month to 2025-06-17." in result["as_of_text"]


def test_the_browser_check_fails_when_a_chart_is_broken(demo_page: str, tmp_path: Path) -> None:
    """The check above can fail: one chart's drawing call broken on purpose is caught twice, as an
    uncaught error and as a chart that did not draw."""
    broken, replaced = re.subn(
        r'Plotly\.newPlot\(\s*"bottlenecks"', 'Plotly.newPlotMisspelled("bottlenecks"', demo_page
    )
    assert replaced == 1, "Plotly's fragment format changed: update the broken-chart pattern"
    result = render_in_chromium(broken, tmp_path)
    assert any("newPlotMisspelled" in error for error in result["errors"]), result["errors"]
    assert [c["id"] for c in _charts_that_did_not_draw(result)] == ["bottlenecks"]


def test_a_warehouse_without_marts_renders_no_data_notes_without_errors(tmp_path: Path) -> None:
    result = render_in_chromium(render(empty_report_data()), tmp_path)
    assert result["errors"] == []
    assert result["declared"] == 0 and result["charts"] == [] and result["plot_divs"] == 0
