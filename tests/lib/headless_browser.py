"""Debian's chromium, headless, for the tests of Loom's web pages (the live
view's test in tests/fabric and the replay page's in tests/experiment share
it). As root it needs --no-sandbox; each call gets its own throw-away
profile and no network of its own beyond the page."""
import html.parser
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def chromium(url, *extra, timeout=120):
    """Run chromium on url with extra options; the CompletedProcess (text),
    raising CalledProcessError if it fails."""
    profile = tempfile.mkdtemp(prefix="loom-chromium-")
    try:
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--user-data-dir=" + profile, *extra, url],
                              capture_output=True, text=True, timeout=timeout, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Elements(html.parser.HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def dom_elements(url, budget_ms=4000):
    """The page's elements after its scripts ran for budget_ms of virtual time."""
    p = Elements()
    p.feed(chromium(url, "--dump-dom", "--virtual-time-budget=%d" % budget_ms).stdout)
    return p.elements
