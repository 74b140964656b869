"""What a hostile email and a hostile page could try inside the real app window, checked against a real
HTTP server on 127.0.0.1 that counts every request it gets (issue 8):

- an HTML email full of ways to reach out (remote images, CSS imports and url(), frames, forms, media,
  SVG, prefetch hints, a meta refresh, a <base>) makes no request when its formatted version is shown;
  after "Load remote images" only its pictures are fetched, nothing else (which also proves the server
  was reachable from the window all along);
- the page itself cannot fetch, load a remote script or eval (the CSP), and cannot reach any Tauri
  permission the UI does not use: no shell, no file system, no reading images from a path, no paths,
  no windows, menus or tray icons made from the page (the capability file).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import text_of, timeline

# A 1x1 transparent GIF: what the counting server answers to everything.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


class CountingServer:
    """An HTTP server on 127.0.0.1 that records the path of every request."""

    def __init__(self) -> None:
        seen = self.paths = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(PIXEL)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(PIXEL)

            do_GET = do_POST = do_HEAD = do_OPTIONS = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def requests_after(self, quiet: float = 1.5) -> list[str]:
        """The paths requested so far, once no new request has come for `quiet` seconds."""
        count = -1
        while count != len(self.paths):
            count = len(self.paths)
            time.sleep(quiet)
        return list(self.paths)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_server():
    server = CountingServer()
    yield server
    server.close()


def hostile_mail(base: str) -> bytes:
    """Every path says what tried to load it; only the ones under /img/ are pictures the owner can ask for."""
    html = f"""<html><head>
<base href="{base}/base/">
<meta http-equiv="refresh" content="0; url={base}/refresh">
<link rel="stylesheet" href="{base}/link-stylesheet.css">
<link rel="prefetch" href="{base}/link-prefetch"><link rel="preload" as="image" href="{base}/link-preload">
<link rel="dns-prefetch" href="{base}/dns-prefetch"><link rel="icon" href="{base}/link-icon.ico">
<style>@import url("{base}/css-import.css"); body {{ background: url({base}/css-background.gif); }}
@font-face {{ font-family: x; src: url({base}/css-font.woff); }}</style>
<script src="{base}/script-src.js"></script>
</head>
<body background="{base}/body-background.gif">
<p>Where is my <b>order 4817</b>? Tracking says it left on Monday.</p>
<p style="background-image: url({base}/style-attribute.gif)">Styled paragraph</p>
<table background="{base}/table-background.gif"><tr><td background="{base}/td-background.gif">cell</td></tr></table>
<img src="{base}/img/pixel.gif" alt="pixel">
<img srcset="{base}/img/srcset.gif 1x" alt="srcset">
<picture><source srcset="{base}/picture-source.gif"><img alt="picture"></picture>
<input type="image" src="{base}/input-image.gif">
<video poster="{base}/video-poster.gif" src="{base}/video-src.mp4" autoplay></video>
<audio src="{base}/audio-src.mp3" autoplay></audio>
<iframe src="{base}/iframe"></iframe><frame src="{base}/frame">
<object data="{base}/object"></object><embed src="{base}/embed">
<form action="{base}/form" method="post"><input name="q" value="x" autofocus onfocus="this.form.submit()"></form>
<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg-image.gif" width="1" height="1"/>
<use href="{base}/svg-use.svg#x"/><script>fetch("{base}/svg-script")</script></svg>
<a href="{base}/link-clicked" ping="{base}/a-ping">track my parcel</a>
<img src="x" onerror="fetch('{base}/onerror')">
</body></html>"""
    return (
        "From: Mallory <mallory@example.net>\r\nTo: shop@example.com\r\nSubject: Parcel question\r\n"
        "Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMessage-ID: <reaching-out@example.net>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + html.replace("\n", "\r\n") + "\r\n"
    ).encode()


def test_a_hostile_html_email_makes_no_request_and_remote_images_load_only_when_asked(app, tmp_path, counting_server):
    eml = tmp_path / "reaching-out.eml"
    eml.write_bytes(hostile_mail(counting_server.base))
    app.invoke("import_mail", {"paths": [str(eml)]})
    app.go("#/case/1001")
    app.wait_for_text("case-number", r"#1001")
    message = next(e for e in timeline(app, "message") if "order 4817" in text_of(e))
    assert counting_server.requests_after() == [], "the text version alone reached out"

    app.click(app.one("message-show-html", message))
    frame = app.wait_for("message-html-frame")
    app.driver.switch_to.frame(frame)
    try:
        assert "Where is my order 4817?" in app.driver.find_element("tag name", "body").text
    finally:
        app.driver.switch_to.default_content()
    assert counting_server.requests_after() == [], "showing the formatted version reached out"

    app.click(app.one("message-remote-images", message))
    app.wait_until(lambda _: counting_server.paths, "the pictures were asked for but never requested")
    requested = counting_server.requests_after()
    assert "/img/pixel.gif" in requested, requested
    assert all(path.startswith("/img/") for path in requested), f"more than the pictures was requested: {requested}"
    app.screenshot("mail-hostile-html-remote-images")


def page_try(app, script: str):
    """Runs `script` (an async function body) in the page; what it returns or the error it threw."""
    return app.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"(async () => {{ {script} }})().then(v => done({{ok: v ?? null}}), e => done({{err: String(e)}}));"
    )


def test_the_page_can_neither_reach_out_nor_use_permissions_the_ui_does_not_need(app, counting_server):
    app.wait_for("nav-queue")
    base = counting_server.base
    fetched = page_try(app, f"const r = await fetch('{base}/page-fetch'); return r.status;")
    assert "err" in fetched, f"the page could fetch from the network: {fetched}"
    loaded = page_try(app, f"""
        return await new Promise(resolve => {{
            const s = document.createElement('script');
            s.src = '{base}/page-script.js';
            s.onload = () => resolve('loaded'); s.onerror = () => resolve('blocked');
            document.head.appendChild(s);
        }});""")
    assert loaded == {"ok": "blocked"}, loaded
    evaluated = page_try(app, "return window.eval('6 * 7');")
    assert "err" in evaluated, f"eval ran in the page: {evaluated}"
    assert counting_server.requests_after() == [], "the page reached the network"

    # Permissions the UI never uses: each is refused by the capability file, whatever its arguments.
    for command, args in [
        ("plugin:shell|open", {"path": "https://example.org"}),
        ("plugin:shell|execute", {"program": "sh", "args": ["-c", "true"], "options": {}}),
        ("plugin:fs|read_file", {"path": "/etc/passwd"}),
        ("plugin:image|from_path", {"path": "/etc/passwd"}),
        ("plugin:path|resolve_directory", {"directory": 11}),
        ("plugin:window|set_title", {"label": "main", "value": "PWNED"}),
        ("plugin:webview|create_webview_window", {"options": {"label": "evil", "url": base}}),
        ("plugin:menu|new", {"kind": "Menu", "options": {}}),
        ("plugin:tray|new", {"options": {}}),
        ("plugin:app|app_hide", {}),
    ]:
        answer = page_try(app, f"return await window.__TAURI_INTERNALS__.invoke({command!r}, {args!r});".replace("True", "true"))
        assert "err" in answer, f"{command} was allowed: {answer}"
        assert "not allowed" in answer["err"] or "not found" in answer["err"], f"{command}: {answer['err']}"
    assert app.driver.title == "Shopdesk"
    assert counting_server.requests_after(0.5) == []

    # What the UI does use still works: its own commands and events.
    assert app.invoke("app_info")["db_path"]
    listened = page_try(app, "const off = await window.__TAURI_INTERNALS__.invoke('plugin:event|listen', "
                             "{event: 'shopdesk-test', target: {kind: 'Any'}, handler: 0}); return typeof off;")
    assert listened == {"ok": "number"}, listened
