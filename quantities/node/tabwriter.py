"""Go's ``text/tabwriter``, as kubectl's describers configure it, for byte-identical tables.

kubectl describe writes everything through one ``tabwriter.Writer`` set up
with ``minwidth=0, tabwidth=8, padding=2, padchar=' ', flags=0``. Its rules:

* A line is split into cells at each tab; only *tab-terminated* cells are
  aligned. The text after a line's last tab is written as is.
* Column *j* is aligned over a *block*: a maximal run of consecutive lines
  that all have a tab-terminated cell *j*; blocks of column *j+1* are found
  only inside a block of column *j*. A line without a tab ends every block.
* A column is as wide as its widest cell (in runes, not bytes or terminal
  cells) plus the padding; cells are left-aligned and padded with spaces.
  Empty columns are kept (kubectl does not set ``DiscardEmptyColumns``).

>>> print(tabulate("a\\tbb\\tc\\nxxx\\ty\\tz\\n"), end="")
a    bb  c
xxx  y   z
"""

from __future__ import annotations

__all__ = ["tabulate"]


def _format(
    lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str], padding: int
) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, widths, line0, this, out)
        line0 = this
        width = 0
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, out, padding)
        widths.pop()
        line0 = this
    _write_lines(lines, widths, line0, line1, out)


def _write_lines(lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str]) -> None:
    for index in range(line0, line1):
        cells = lines[index]
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell)
            if j < len(widths):
                parts.append(" " * (widths[j] - len(cell)))
        out.append("".join(parts))


def tabulate(text: str, padding: int = 2) -> str:
    """Align ``text`` as a Go ``tabwriter`` with ``padding`` and space padding would, flushed at the end."""
    raw_lines = text.split("\n")
    lines = [line.split("\t") for line in raw_lines]
    out: list[str] = []
    _format(lines, [], 0, len(lines), out, padding)
    return "\n".join(out)
