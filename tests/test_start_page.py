"""index.html: every run folder has one page to start from, linking what the run wrote for people."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import write_town_case
from transport.pipeline import run, write_run_folder
from transport.scenarios import load_scenario

HOSTILE = "<script>window.__pwned = 1</script> & more"


class _Links(HTMLParser):
    """The page's links and, for each, the text of the paragraph that follows it."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.notes: dict[str, list[str]] = {}
        self._in_p = self._in_li = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "li":
            self._in_li = True
        elif tag == "a":
            self.links.append(dict(attrs)["href"])
        elif tag == "p" and self._in_li:
            self._in_p = True
            self.notes[self.links[-1]] = [""]
        elif tag == "br" and self._in_p:
            self.notes[self.links[-1]].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_p = False
        elif tag == "li":
            self._in_li = False

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self.notes[self.links[-1]][-1] += data


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = write_town_case(tmp_path_factory.mktemp("start-page"))
    toml = (folder / "baseline.toml").read_text(encoding="utf-8")
    (folder / "baseline.toml").write_text(f'description = "{HOSTILE}"\n' + toml, encoding="utf-8")
    result = run(load_scenario(folder / "baseline.toml"))
    write_run_folder(result, folder / "with-map")
    write_run_folder(result, folder / "without-map", write_map=False)
    return {"with": folder / "with-map", "without": folder / "without-map"}


def _parsed(folder: Path) -> _Links:
    parser = _Links()
    parser.feed((folder / "index.html").read_text(encoding="utf-8"))
    return parser


def test_the_start_page_links_the_map_budget_route_sheets_eligibility_and_summary(folders: dict[str, Path]) -> None:
    out = folders["with"]
    page = _parsed(out)
    assert page.links == ["map.html", "route_sheets/index.html", "budget.xlsx", "eligibility.csv", "stops.csv", "summary.json"]
    for link in page.links:
        assert (out / link).is_file(), link
        lines = page.notes[link]
        assert len(lines) == 2 and all(len(line.strip()) > 20 for line in lines), (link, lines)
    assert "index.html" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_a_folder_without_a_map_does_not_link_one(folders: dict[str, Path]) -> None:
    page = _parsed(folders["without"])
    assert "map.html" not in page.links and not (folders["without"] / "map.html").exists()
    assert "route_sheets/index.html" in page.links


def test_the_start_page_escapes_the_scenario_text(folders: dict[str, Path]) -> None:
    text = (folders["with"] / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in text and "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; more" in text
