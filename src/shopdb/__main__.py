"""`python -m shopdb` and the `shopdb` console script: the command line, or one line saying
which extra to install when the plain library (``pip install shopdb``) is all there is."""

from __future__ import annotations

import sys

from shopdb.extras import MissingExtra


def main() -> None:
    """Run the `shopdb` command; without the cli extra, print what to install and exit 1."""
    try:
        from shopdb.cli import main as commands
    except MissingExtra as exc:
        sys.exit(str(exc))  # the message on stderr, exit code 1, no traceback
    commands(prog_name="shopdb")


if __name__ == "__main__":
    main()
