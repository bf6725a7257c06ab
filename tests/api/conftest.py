"""The same small municipality as the report tests."""

from tests.reports.conftest import town  # noqa: F401
