"""Plotly figures to PNG with kaleido and the system's Chromium, one browser per batch.

Kaleido 1.x drives a headless Chromium through choreographer. Starting the
browser takes seconds and each figure then a fraction of one, so a
``ChartRenderer`` starts Chromium once, on its first figure, and renders every
figure of an export batch (or, through ``shared_renderer``, of a whole
process) in it. Kaleido is asynchronous; the renderer runs its event loop in a
thread of its own, so callers (the CLI, Streamlit's script threads) stay
synchronous.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import plotly.graph_objects as go

logger = logging.getLogger(__name__)

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Pixel width of a chart image: 12 px text then prints at about 8.5 pt across a
# 180 mm A4 text column; scale 2 keeps it sharp.
IMAGE_WIDTH = 720
IMAGE_SCALE = 2
FIGURE_TIMEOUT_S = 30.0
START_TIMEOUT_S = 60.0


class ChartsUnavailable(Exception):
    """Charts cannot be drawn here; ``reason`` says why, in words for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _brief(exc: Exception) -> str:
    """Exception class and the first line of its first argument: enough for a note in a report."""
    first = exc.args[0] if exc.args else ""
    text = str(first).strip().splitlines()[0] if str(first).strip() else ""
    text = text if len(text) <= 100 else text[:99] + "…"
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def find_browser() -> str | None:
    """Chromium's path: ``BROWSER_PATH`` (choreographer's own variable) if set, else the first on PATH."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class ChartRenderer:
    """Renders figures to PNG in one long-lived headless Chromium. Thread-safe; close() when done."""

    def __init__(self, *, browser_path: str | None = None, figure_timeout: float = FIGURE_TIMEOUT_S) -> None:
        self._browser_path = browser_path
        self._figure_timeout = figure_timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        try:
            import kaleido
        except ImportError as exc:
            raise ChartsUnavailable(f"the kaleido package cannot be imported ({exc})") from None
        path = self._browser_path or find_browser()
        if path is None:
            raise ChartsUnavailable("Chromium was not found (install the Debian package chromium, or set BROWSER_PATH)")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

        async def open_browser() -> Any:
            # mathjax=False: the default loads MathJax from a CDN, and reports need no formulas.
            browser = kaleido.Kaleido(path=path, n=1, timeout=self._figure_timeout, mathjax=False)
            await browser.__aenter__()
            return browser

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT_S)
        except FutureTimeout:
            self._stop_loop()
            raise ChartsUnavailable(f"Chromium at {path} did not start within {START_TIMEOUT_S:.0f} s") from None
        except Exception as exc:  # choreographer raises many kinds; all mean "no charts"
            self._stop_loop()
            logger.warning("Chromium at %s could not be started: %r", path, exc)
            raise ChartsUnavailable(f"Chromium at {path} could not be started ({_brief(exc)})") from None
        logger.info("kaleido started with %s", path)

    def render(self, figures: Sequence[go.Figure], *, width: int = IMAGE_WIDTH, scale: int = IMAGE_SCALE) -> list[bytes]:
        """One PNG per figure, in order, each at its own layout height."""
        if not figures:
            return []
        with self._lock:
            if self._kaleido is None:
                self._start()
            assert self._loop is not None
            browser = self._kaleido

            async def render_all() -> list[bytes]:
                images = []
                for fig in figures:
                    opts = {"format": "png", "width": width, "height": int(fig.layout.height or 400), "scale": scale}
                    images.append(await browser.calc_fig(fig, opts=opts))
                return images

            future = asyncio.run_coroutine_threadsafe(render_all(), self._loop)
            try:
                return future.result(self._figure_timeout * (len(figures) + 1))
            except Exception as exc:
                future.cancel()
                # A browser that failed once may be wedged: start afresh next time.
                self._close_locked()
                if isinstance(exc, FutureTimeout):
                    raise ChartsUnavailable(f"rendering {len(figures)} charts timed out") from None
                logger.warning("rendering charts failed: %r", exc)
                raise ChartsUnavailable(f"rendering charts failed ({_brief(exc)})") from None

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._kaleido is not None and self._loop is not None:
            browser, self._kaleido = self._kaleido, None
            try:
                asyncio.run_coroutine_threadsafe(browser.__aexit__(None, None, None), self._loop).result(START_TIMEOUT_S)
            except Exception:  # closing a dead browser: nothing left to save
                logger.info("closing kaleido failed", exc_info=True)
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
        self._loop, self._thread = None, None


_SHARED: ChartRenderer | None = None
_SHARED_LOCK = threading.Lock()


def shared_renderer() -> ChartRenderer:
    """A process-wide renderer, for servers that export often (the browser stays up between exports)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ChartRenderer()
            atexit.register(_SHARED.close)
        return _SHARED
