"""Small HTML tables for the panels' readouts (all chapters)."""

import html

__all__ = ["table"]


def table(header, rows):
    """An HTML table: ``header`` is a list of column titles, ``rows`` lists of cells.

    Cells are escaped; numbers should be formatted by the caller so that the
    readout shows the precision the chapter talks about.
    """
    def cells(tag, values):
        return "".join(f'<{tag} style="padding:1px 10px;text-align:right">{html.escape(str(v))}</{tag}>'
                       for v in values)

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (f'<table style="font-family:monospace;font-size:12px;border-collapse:collapse">'
            f"<tr>{cells('th', header)}</tr>{body}</table>")
