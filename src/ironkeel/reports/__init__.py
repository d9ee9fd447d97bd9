"""Reports (layer 6): the self-contained HTML report of a run folder and its terminal
headline table. Contents: docs/analytics.md."""

from ironkeel.reports.html import Report, build_report, write_report
from ironkeel.reports.stress import StressResults, read_stress
from ironkeel.reports.terminal import print_headline

__all__ = [
    "Report",
    "StressResults",
    "build_report",
    "print_headline",
    "read_stress",
    "write_report",
]
