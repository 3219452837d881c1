"""The webhooks extra: the library and ``shopdb.webhooks.verify`` need no httpx; the
dispatcher without it says which extra to install (httpx hidden by ``sys.modules``)."""

from __future__ import annotations

import subprocess
import sys


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_library_and_verify_import_no_httpx() -> None:
    done = _python(
        "import sys\nimport shopdb, shopdb.database, shopdb.components, shopdb.webhooks\n"
        "from shopdb.webhooks import sign, verify\n"
        "body = b'{}'\nassert verify('s' * 16, sign('s' * 16, body), body) > 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'httpx'))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_the_dispatcher_without_httpx_names_the_webhooks_extra() -> None:
    done = _python(
        "import sys\nsys.modules['httpx'] = None\nfrom shopdb.extras import MissingExtra\n"
        "try:\n    import shopdb.webhooks.dispatcher\nexcept MissingExtra as exc:\n    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "the webhook dispatcher needs the webhooks extra: pip install 'shopdb[webhooks]'"
    )
    assert "not installed: httpx" in done.stdout
