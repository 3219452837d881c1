"""The ops tests run the observability tests' slow queries."""

from tests.observability.conftest import slow

__all__ = ["slow"]
