"""Drive Debian's headless Chromium over the DevTools protocol (websocket-client), and start the app server.

Used by the real-browser test and the benchmark. No browser download: it runs ``/usr/bin/chromium``
(``bash scripts/browser.sh`` installs it) with the flags below and a fresh profile directory.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars", "--remote-allow-origins=*"]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def start_app(store_dir: Path, port: int, decisions: Path, app: Path | None = None) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:*port* against the embedded store in *store_dir* (never Neo4j)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(PLANGRAPH_STORE=str(store_dir), PLANGRAPH_DECISIONS=str(decisions), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "streamlit", "run", str(app or ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    # usage statistics: off through the project's .streamlit/config.toml (cwd=ROOT), which the tests check
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Browser:
    """Just enough of the Chrome DevTools protocol: navigate, evaluate, wait, screenshot."""

    def __init__(self, width: int = 1600, height: int = 1500, executable: str = CHROMIUM):
        import websocket  # websocket-client

        self.profile = tempfile.mkdtemp(prefix="plangraph-chromium-")
        self.proc = subprocess.Popen([executable, *FLAGS, f"--user-data-dir={self.profile}",
                                      f"--window-size={width},{height}", "--remote-debugging-port=0", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = None
        end = time.time() + 30
        while time.time() < end and port is None:
            line = self.proc.stderr.readline()
            if "DevTools listening on ws://" in line:
                port = int(line.split("ws://")[1].split("/")[0].rsplit(":", 1)[1])
            elif not line and self.proc.poll() is not None:
                break
        if port is None:
            self.close()
            raise RuntimeError("Chromium did not open its DevTools endpoint")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []  # protocol events seen while waiting for answers (e.g. Network.requestWillBeSent)
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method: str, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if "method" in msg and "id" not in msg:
                if len(self.events) < 20000:
                    self.events.append(msg)
                continue
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expr: str):
        res = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error: {res['exceptionDetails'].get('text')}")
        return res["result"].get("value")

    def wait_js(self, expr: str, timeout: float = 60.0, interval: float = 0.05):
        end = time.time() + timeout
        while time.time() < end:
            try:
                value = self.js(expr)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError(f"timed out waiting for: {expr}")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001
                pass
        stop(self.proc)
        shutil.rmtree(self.profile, ignore_errors=True)


def page_ready_js(title: str) -> str:
    """True once the page's script finished and its title is on screen (what a person sees as 'rendered')."""
    t = json.dumps(title, ensure_ascii=False)
    return ("(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
            " const h = document.querySelector('[data-testid=\"stMain\"] h1');"
            f" return !!(app && app.getAttribute('data-test-script-state') === 'notRunning' && h && h.innerText.trim() === {t}); }})()")


class Clicker:
    """Real mouse clicks (Input.dispatchMouseEvent at an element's centre) that count themselves, so a test
    can say "answered in ≤ 3 clicks" and mean what a person does; typing is keyboard input, not a click."""

    def __init__(self, browser: Browser):
        self.b = browser
        self.clicks = 0

    def click(self, find_js: str, timeout: float = 60.0) -> None:
        """*find_js*: an expression returning the element to click (waited for until it exists and has a size)."""
        rect = self.b.wait_js(f"""(() => {{ const el = {find_js}; if (!el) return null;
            el.scrollIntoView({{block: 'center'}}); const r = el.getBoundingClientRect();
            return (r.width && r.height) ? {{x: r.left + r.width / 2, y: r.top + r.height / 2}} : null; }})()""", timeout)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.b.call("Input.dispatchMouseEvent", type=kind, x=rect["x"], y=rect["y"], button="left",
                        clickCount=0 if kind == "mouseMoved" else 1)
        self.clicks += 1

    def type(self, text: str, enter: bool = True) -> None:
        self.b.call("Input.insertText", text=text)
        if enter:
            for kind in ("keyDown", "keyUp"):
                self.b.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13)


def by_text_js(selector: str, text: str) -> str:
    """JS for the first *selector* element whose text contains *text* (e.g. a nav link or a button)."""
    return (f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".find(e => e.innerText && e.innerText.includes({json.dumps(text, ensure_ascii=False)}))")


def script_done_js() -> str:
    return ("(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
            " return !!app && app.getAttribute('data-test-script-state') === 'notRunning'; })()")
