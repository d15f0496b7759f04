"""The HTML report: one self-contained, inert file whose links resolve; rendered for real in headless Chromium.

The browser test drives Chromium over the DevTools protocol on a pipe (``--remote-debugging-pipe``):
it records every network request, console message, exception and dialog, reads the DOM after the
scripts ran, and takes a screenshot. It skips when Chromium is not installed (Debian: ``chromium``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from storyline.model import Account, Citation
from storyline.report.html import render_html
from storyline.report.view import Footnotes

from .conftest import XSS_ATTR, XSS_SCRIPT

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def parse(page: str) -> Any:
    return lxml_html.document_fromstring(page)


def test_the_page_is_self_contained_behind_a_no_network_policy(story):
    page = render_html(story.account, story.articles, story.annotations)
    doc = parse(page)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert len(csp) == 1 and csp[0].startswith(CSP)
    assert page.index("Content-Security-Policy") < page.index("<script")
    assert not doc.xpath("//*[@src]") and not doc.xpath("//link[@rel='stylesheet']")
    assert [s.get("type") for s in doc.xpath("//script")] == ["application/json", "application/json", None, None]
    assert "topojson" in doc.xpath("//script")[2].text  # the vendored client is inlined
    atlas = json.loads(doc.get_element_by_id("atlas-data").text)
    assert len(atlas["objects"]["countries"]["geometries"]) > 150
    assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]


def test_every_citation_link_lands_on_a_highlighted_passage(story):
    doc = parse(render_html(story.account, story.articles, story.annotations))
    brief = doc.get_element_by_id("brief")
    assert [a.get("href") for a in brief.xpath(".//a")] == ["#cite-1", "#cite-2", "#cite-3", "#cite-4"]
    ids = {el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")}
    hrefs = {a.get("href")[1:] for a in doc.xpath("//a[starts-with(@href, '#')]")}
    assert hrefs <= ids
    # The marks of each number spell out exactly the cited passage.
    notes = {n.number: n.citation for n in Footnotes(story.account, story.articles).notes}
    for number, citation in notes.items():
        marks = doc.xpath(f"//mark[contains(concat(' ', translate(@title, '[],', '   '), ' '), ' {number} ')]")
        assert "".join(m.text_content() for m in marks) == citation.text, number
        assert doc.get_element_by_id(f"cite-{number}") is not None


def test_overlapping_passages_keep_both_anchors_and_unknown_articles_link_to_sources(story):
    article = story.articles[1]
    inner = Citation(article.id, 0, 4, "Kyiv", article.outlet)
    outer = Citation(article.id, 0, 18, "Kyiv said its troo", article.outlet)
    missing = Citation("ffffffffffffffff", 0, 3, "abc", "Elsewhere")
    story.account.timeline[0].citations += [inner, outer, missing]
    doc = parse(render_html(story.account, story.articles))
    numbers = [a.text for a in doc.get_element_by_id("timeline").xpath(".//li[1]//a")]
    assert numbers == ["[2]", "[5]", "[6]", "[7]"]  # numbered in reading order: timeline before figures
    first = doc.get_element_by_id("cite-5")
    assert first.tag == "mark" and first.get("class") == "multi" and first.text == "Kyiv"
    assert doc.get_element_by_id("cite-6").getnext() is first  # both passages start there
    assert doc.xpath("//a[@href='#note-7']")  # no highlighted passage to go to: its entry under Sources
    assert not doc.xpath("//*[@id='cite-7']")


def test_sections_show_places_timeline_figures_quotes_claims_and_discrepancies(story):
    doc = parse(render_html(story.account, story.articles, story.annotations))
    places = json.loads(doc.get_element_by_id("places-data").text)
    assert {p["name"]: p["articles"] for p in places} == {"Izium": 2, "Kharkiv": 1, "Kyiv": 1, "Ukraine": 1}
    items = doc.xpath("//li[contains(@class, 'tl-item')]")
    assert [(li.get("class"), li.xpath("time")[0].text_content()) for li in items] == [
        ("tl-item uncertain", "2022-09-09 date uncertain"), ("tl-item", "2022-09-10")]
    chart = doc.xpath("//figure[@class='chart']")[0]
    assert len(chart.xpath(".//g[@class='pt']")) == 3
    assert "agree within rounding" in chart.text_content()
    assert "2022-09-11 (dated by published)" in chart.xpath(".//table")[0].text_content()
    speaker = doc.xpath("//div[@class='speaker']")[0]
    assert speaker.xpath("h3")[0].text == "the commander" and len(speaker.xpath(".//blockquote")) == 2
    claims = doc.xpath("//li[contains(@class, 'claim')]")
    assert claims[1].get("class") == "claim single hedged" and "cannot be independently verified" in \
        claims[1].text_content()
    sides = doc.xpath("//div[@class='side']")
    assert [s.xpath("div[@class='value']")[0].text for s in sides] == ["Saturday", "Friday"]


def test_article_text_renders_inert(hostile_story):
    page = render_html(hostile_story.account, hostile_story.articles, hostile_story.annotations)
    assert XSS_SCRIPT not in page and "<img" not in page
    assert page.count("<script") == 4 and "alert(1)" not in "".join(parse(page).xpath("//script[not(@type)]/text()"))
    doc = parse(page)
    assert not doc.xpath("//img") and not doc.xpath("//a[starts-with(@href, 'javascript')]")
    assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert doc.xpath("//h1")[0].text == "Izium retaken " + XSS_SCRIPT + " " + XSS_ATTR
    assert XSS_SCRIPT in doc.get_element_by_id("cite-3").text_content()
    places = json.loads(doc.get_element_by_id("places-data").text)  # the JSON survives intact, as data
    assert f"Izium {XSS_SCRIPT} {XSS_ATTR}" in [p["name"] for p in places]


def test_an_empty_account_renders():
    doc = parse(render_html(Account("s0", ""), []))
    assert doc.xpath("//h1")[0].text == "Untitled story"
    assert doc.xpath("//p[@class='empty']")


# --------------------------------------------------------------------------- in a real browser


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


class DevTools:
    """A headless Chromium driven over the DevTools protocol on fds 3 (commands) and 4 (replies)."""

    def __init__(self, exe: str, profile: Path, log: Path) -> None:
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()

        def child_fds() -> None:
            # Move both ends out of the way first: a pipe may already sit on fd 3 or 4, and dup2 onto
            # the same number would leave it close-on-exec.
            high_in, high_out = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome, from_chrome))
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
                "--v=0", "--window-size=1280,2400", "--remote-debugging-pipe", "about:blank"]
        self._log = log.open("wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                     preexec_fn=child_fds, close_fds=False)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def call(self, method: str, timeout: float = 20, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply, keeping the events that arrive meanwhile."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self._next, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, timeout: float = 20) -> dict[str, Any]:
        """Wait for an event (it may already have arrived)."""
        found = [e for e in self.events if e["method"] == method]
        return found[0] if found else self._until(lambda m: m.get("method") == method, timeout)

    def _until(self, wanted: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                    if message["method"] == "Page.javascriptDialogOpening":  # never leave a page blocked
                        self.call("Page.handleJavaScriptDialog", accept=False)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)
        self._log.close()


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, raw unfiltered rows) of an 8-bit, non-interlaced RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert head is not None
    width, height, depth, colour, _, _, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, head
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        out += row
        prev = row
    return width, height, bpp, bytes(out)


PROBE = """JSON.stringify({
  drawn: document.getElementById('map-svg').getAttribute('data-drawn'),
  countries: document.querySelectorAll('#map-svg path.country').length,
  filled: [...document.querySelectorAll('#map-svg path.country')].filter(p => p.getAttribute('d').length > 20).length,
  named: document.querySelectorAll('#map-svg path.country.named').length,
  places: [...document.querySelectorAll('#map-svg circle.place')].map(c => c.textContent),
  labels: [...document.querySelectorAll('#map-svg text.place-label')].map(t => t.textContent),
  mapBox: document.getElementById('map-svg').getBoundingClientRect().height,
  timeline: [...document.querySelectorAll('.tl-item')].map(li => li.getBoundingClientRect().height > 0),
  brief: [...document.querySelectorAll('#brief .sentence')].map(s => s.textContent.trim().slice(0, 30)),
  marks: document.querySelectorAll('mark[id^=cite-]').length,
  images: document.images.length,
  scripts: document.scripts.length,
})"""


def outside_requests(events: list[dict[str, Any]], page: Path) -> list[str]:
    """URLs requested other than the page itself and data: URLs."""
    urls = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    return [u for u in urls if u != page.as_uri() and not u.startswith("data:")]


def console_problems(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exceptions, dialogs, and console or log entries (CSP violations among them) at warning level or above."""
    return [e for e in events if e["method"] in ("Runtime.exceptionThrown", "Page.javascriptDialogOpening")
            or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning", "assert"))
            or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))]


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (Debian package: chromium)")
def test_the_page_renders_offline_in_headless_chromium(hostile_story, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(hostile_story.account, hostile_story.articles, hostile_story.annotations), "utf-8")
    exe = chromium()
    assert exe is not None
    browser = DevTools(exe, tmp_path / "profile", tmp_path / "chromium.log")
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        browser.session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable")
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=2400, deviceScaleFactor=1, mobile=False)
        browser.events.clear()
        browser.call("Page.navigate", url=page.as_uri())
        browser.wait_event("Page.loadEventFired")
        found = json.loads(browser.call("Runtime.evaluate", expression=PROBE, returnByValue=True)["result"]["value"])
        shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
        small = base64.b64decode(browser.call("Page.captureScreenshot", format="png", clip={
            "x": 0, "y": 0, "width": 1280, "height": 2400, "scale": 0.125})["data"])
        seen = list(browser.events)
        # Control: the same page with one remote image must be caught, or the checks above prove nothing.
        control = tmp_path / "control.html"
        control.write_text(page.read_text("utf-8").replace("<main>", '<main><img src="https://example.invalid/x.png">'))
        browser.events.clear()
        browser.call("Page.navigate", url=control.as_uri())
        browser.wait_event("Page.loadEventFired")
        browser.call("Runtime.evaluate", expression="0")
    finally:
        browser.close()
    (tmp_path / "report.png").write_bytes(shot)

    assert outside_requests(seen, page) == [] and console_problems(seen) == []
    assert outside_requests(browser.events, control) or console_problems(browser.events)

    assert int(found["drawn"]) > 150 and found["countries"] == int(found["drawn"]) and found["filled"] > 150
    assert found["named"] == 1  # Ukraine, named as a country
    assert len(found["places"]) == 3 and "Kharkiv" in found["labels"] and found["mapBox"] > 300
    assert found["timeline"] == [True, True]
    assert found["brief"] == ["Ukrainian forces retook Izium.", "Kyiv said more than 3,000 squa"]
    assert found["marks"] >= 8 and found["images"] == 0 and found["scripts"] == 4

    width, height, bpp, pixels = png_pixels(small)
    assert (width, height) == (160, 300)
    grey = [sum(pixels[i:i + 3]) / 3 for i in range(0, len(pixels), bpp)]
    mean = sum(grey) / len(grey)
    assert sum((g - mean) ** 2 for g in grey) / len(grey) > 200  # text, map and charts, not a blank page
    assert len(set(pixels[i:i + 3] for i in range(0, len(pixels), bpp))) > 50
