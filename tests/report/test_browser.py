"""The report as a person sees it: rendered by headless Chromium.

Chromium is driven through chromedriver's W3C WebDriver HTTP API with ``urllib`` only
(no selenium). When ``chromium`` or ``chromedriver`` is missing, the session fixture
installs the Debian packages (``apt-get update && apt-get install -y chromium
chromium-driver``; needs root, as in CI) and fails with the installer's output if that
does not work.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

from oversmooth.experiments import Store, report_inputs
from oversmooth.report import build_report
from oversmooth.report.html import SECTIONS
from tests.report._stores import make_record, ten_model_store

CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--window-size=1280,900"]


def _find(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def _install() -> None:
    if os.geteuid() != 0:
        pytest.fail("chromium/chromedriver are missing and this user cannot install them: "
                    "run `apt-get install -y chromium chromium-driver` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "chromium",
                     "chromium-driver"]):
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` failed (exit {done.returncode}): "
                        f"{(done.stderr or done.stdout)[-2000:]}")


class WebDriver:
    """The few W3C WebDriver calls the test needs, over HTTP on localhost."""

    def __init__(self, driver: str, browser: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    raise RuntimeError("chromedriver did not start") from None
                time.sleep(0.1)
        caps = {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": browser, "args": CHROME_ARGS}}
        self.session = self.call("POST", "/session",
                                 {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def s(self, method: str, path: str, body: dict | None = None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def open(self, path: Path) -> None:
        self.s("POST", "/url", {"url": path.resolve().as_uri()})

    def script(self, source: str):
        return self.s("POST", "/execute/sync", {"script": source, "args": []})

    def console(self) -> list[dict]:
        return self.s("POST", "/se/log", {"type": "browser"})

    def screenshot(self) -> bytes:
        return base64.b64decode(self.s("GET", "/screenshot"))

    def close(self) -> None:
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    chromium = _find("chromium", "chromium-browser")
    driver = _find("chromedriver")
    if not chromium or not driver:
        _install()
        chromium, driver = _find("chromium", "chromium-browser"), _find("chromedriver")
        if not chromium or not driver:
            pytest.fail("apt-get installed chromium/chromium-driver but the binaries are "
                        "still not on PATH")
    web = WebDriver(driver, chromium)
    yield web
    web.close()


INSPECT = """
return {
  headings: Array.from(document.querySelectorAll('section > h2')).map(h => h.textContent),
  sectionIds: Array.from(document.querySelectorAll('section')).map(s => s.id),
  images: Array.from(document.images).map(i => ({w: i.naturalWidth, complete: i.complete,
                                                 src: i.src.slice(0, 22)})),
  resources: performance.getEntriesByType('resource').map(e => e.name),
  links: Array.from(document.querySelectorAll('[src],[href]'))
           .map(e => e.getAttribute('src') || e.getAttribute('href')),
  missing: document.querySelectorAll('.missing').length,
  height: document.documentElement.scrollHeight,
};
"""


def png_is_not_blank(data: bytes) -> bool:
    """Decode an 8-bit RGB(A) PNG (what Chromium writes) and check that its pixels are
    not all one colour."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6)
    raw = zlib.decompress(idat)
    channels = 3 if colour == 2 else 4
    stride = width * channels + 1
    # distinct byte values over a sample of rows, filter byte excluded: a blank page has
    # one colour, so after filtering almost every byte is zero
    values = set()
    for row in range(0, height, max(1, height // 50)):
        values.update(raw[row * stride + 1:(row + 1) * stride])
    return len(values) > 20


def check_page(web: WebDriver, page: Path, tmp_path: Path) -> dict:
    web.console()  # drop messages of earlier pages
    web.open(page)
    found = web.script(INSPECT)
    found["console"] = [m for m in web.console() if m.get("level") in ("SEVERE", "ERROR")]
    shot = web.screenshot()
    (tmp_path / "screenshot.png").write_bytes(shot)
    found["screenshot_ok"] = png_is_not_blank(shot)
    return found


def test_full_report_in_chromium(browser, tmp_path):
    path = ten_model_store(tmp_path / "ten.db")
    with Store(path) as store:
        store.save(make_record("g", label="GCN", depth=128, test_acc=0.2, grads=True))
    # with propagation and the rewiring comparison, both measured on Cora
    result = build_report(report_inputs(path), tmp_path / "report.html")
    found = check_page(browser, result.html, tmp_path)
    assert found["headings"] == [title for _, title in SECTIONS]
    assert found["sectionIds"] == [sid for sid, _ in SECTIONS]
    # accuracy, layers, spectral, backward, squashing; the claims acc-table, acc-peak and cosine-0.5
    assert len(found["images"]) == 8
    assert all(i["complete"] and i["w"] > 0 for i in found["images"]), found["images"]
    assert all(not r.startswith(("http:", "https:", "ws:")) for r in found["resources"])
    assert all(link.startswith(("data:", "#")) for link in found["links"]), found["links"]
    assert found["console"] == []
    assert found["screenshot_ok"]


def test_empty_report_in_chromium(browser, tmp_path):
    Store(tmp_path / "empty.db").close()
    result = build_report(report_inputs(tmp_path / "empty.db", spectral=False),
                          tmp_path / "report.html")
    found = check_page(browser, result.html, tmp_path)
    assert found["headings"] == [title for _, title in SECTIONS]
    assert found["images"] == [] and found["missing"] >= 6
    assert found["console"] == [] and found["screenshot_ok"]


def test_harness_detects_broken_pages(browser, tmp_path):
    """The checks above can fail: a page with a broken image, a network request and a
    script error is caught by every one of them."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><h2>Only</h2>'
                    '<img src="data:image/png;base64,AAAA">'
                    '<img src="http://127.0.0.1:9/x.png">'
                    '<script>console.error("boom")</script></body></html>')
    found = check_page(browser, page, tmp_path)
    assert any(i["w"] == 0 for i in found["images"])
    assert any(r.startswith("http://127.0.0.1:9") for r in found["resources"]) or \
        any(link.startswith("http:") for link in found["links"])
    assert any("boom" in m.get("message", "") for m in found["console"])
