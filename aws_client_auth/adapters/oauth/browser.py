"""The user's web browser, through the standard library's ``webbrowser`` (which honours ``BROWSER``)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping

from aws_client_auth.application.ports.browser_sign_in import Browser

log = logging.getLogger(__name__)


def _has_display(environ: Mapping[str, str]) -> bool:
    """Whether a graphical browser can be opened here. On Linux and the BSDs without a display and without
    ``BROWSER``, ``webbrowser`` falls back to text browsers (lynx, w3m) that would take over this terminal."""
    if sys.platform in ("win32", "darwin") or environ.get("BROWSER"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


class SystemBrowser(Browser):
    """Opens URLs in the user's browser without waiting for it.

    ``webbrowser`` waits for a command named in ``BROWSER`` to exit; that command may follow the URL to the
    loopback listener, which answers only once this process receives the redirect, so the call runs in a
    background thread while the caller listens.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        opener: Callable[[str], bool] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._opener = opener or (lambda url: webbrowser.open(url, new=2))

    def open(self, url: str) -> bool:
        if not _has_display(self._environ):
            log.info("No display and no BROWSER set: the sign-in URL is only shown")
            return False
        thread = threading.Thread(target=self._open, args=(url,), name="client-auth-browser", daemon=True)
        thread.start()
        return True

    def _open(self, url: str) -> None:
        try:
            opened = self._opener(url)
        except Exception as error:  # noqa: BLE001 - a browser that fails to start leaves the URL to the user
            log.warning("The browser could not be started (%s): open the URL shown by hand", type(error).__name__)
            return
        if not opened:
            log.warning("No browser could be started: open the URL shown by hand")
