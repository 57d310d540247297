"""Plotly figures drawn from `disclosure.Table`s, as plain JSON-safe dicts.

The same dict goes to the browser (``json_script`` + ``static/js/reporting-charts.js``)
and to kaleido for the PDF's SVG. Rules, for every chart:

* figures are built from table cells only (the protected numbers: counts changed by the
  cell-key method, shares computed from them), and a hidden cell has no value, so a
  figure can never carry a hidden number; a hidden value is drawn as its marker text
  ("<5" with the municipality's threshold), never as a bar or a point;
* women purple (#7b3294), men green (#008837): a pair colour-blind readers can tell
  apart, and never the only carrier of meaning: men's bars are hatched, points use
  different symbols, every trace is named in the legend;
* intervals are drawn as error bars; "n" is in the title; a gap that is not
  significant is labelled as such on the axis.
"""

from __future__ import annotations

import textwrap

from django.utils.translation import gettext as _

from ligestilling.lib import disclosure
from ligestilling.lib import formatting as fmt

WOMEN_COLOUR = "#7b3294"
MEN_COLOUR = "#008837"
OTHER_COLOUR = "#5a6169"
UNKNOWN_COLOUR = "#a0a7ae"
COLOURS = (WOMEN_COLOUR, MEN_COLOUR, OTHER_COLOUR, UNKNOWN_COLOUR)
PATTERNS = ("", "/", ".", "x")
SYMBOLS = ("circle", "square", "diamond", "triangle-up")
DASHES = ("solid", "dash", "dot", "dashdot")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
TOP_GAPS = 10


def _n_text(table: disclosure.Table, n_text: str | None = None) -> str:
    if n_text:
        return n_text
    if table.n is None:
        # The grand total is hidden: show its own marker ("<5"), never a number.
        grand = table.cells[-1][-1] if table.cells and (table.total_row or table.total_column) else None
        if grand is not None and grand.suppressed:
            return f"n = {grand.display()}"
        return "n = –"
    return f"n = {fmt.fmt_int(table.n)}"


def _layout(table: disclosure.Table, n_text: str | None = None, **extra) -> dict:
    # The heading above the chart names it; the chart's own title carries "n".
    layout = {
        "title": {"text": _n_text(table, n_text), "x": 0, "xanchor": "left", "font": {"size": 13}},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "separators": ",.",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        "annotations": [],
        "shapes": [],
    }
    layout.update(extra)
    return layout


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "gridcolor": "#e3e6e8", "zerolinecolor": "#6c757d",
            "automargin": True, **extra}


def _marker_annotation(x, y, text: str, **extra) -> dict:
    return {"x": x, "y": y, "text": text, "showarrow": False, "font": {"size": 11, "color": "#212529"},
            "yanchor": "bottom", **extra}


def count_bar_figure(table: disclosure.Table, *, axis_title: str, n_text: str | None = None) -> dict:
    """One bar per column of the first row (the total column left out)."""
    row = table.cells[0]
    columns = table.column_labels[:-1] if table.total_column else table.column_labels
    data, annotations = [], []
    for j, label in enumerate(columns):
        cell = row[j]
        k = j % len(COLOURS)
        data.append({
            "type": "bar", "name": label, "x": [label], "y": [cell.value],
            "text": [cell.display() if not cell.suppressed else ""], "textposition": "outside",
            "hovertext": [f"{label}: {cell.display()}"], "hoverinfo": "text",
            "marker": {"color": COLOURS[k], "pattern": {"shape": PATTERNS[k], "fgcolor": "#ffffff", "fillmode": "overlay",
                                                   "fgopacity": 0.7},
                       "line": {"color": COLOURS[k], "width": 1}},
            "cliponaxis": False,
        })
        if cell.suppressed:
            annotations.append(_marker_annotation(label, 0, cell.display()))
    layout = _layout(table, n_text, barmode="group", showlegend=False,
                     xaxis=_axis(""), yaxis=_axis(axis_title, rangemode="tozero"))
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def gap_figure(table: disclosure.Table, *, significant: tuple[bool, ...], n_text: str | None = None) -> dict:
    """Largest gaps as points with interval bars, women − men in percentage points.

    Points right of zero: women higher (purple circles); left: men higher (green
    squares). Filled = significant; open = not significant, also written on the axis.
    """
    gap_col = len(table.column_labels) - 1
    rows = list(zip(table.row_labels, table.cells, significant, strict=True))[:TOP_GAPS]
    rows.reverse()  # plotly draws the first category at the bottom
    labels, hidden = [], []
    not_significant = _("not significant")
    series = {True: {"x": [], "y": [], "plus": [], "minus": [], "symbol": [], "text": []},
              False: {"x": [], "y": [], "plus": [], "minus": [], "symbol": [], "text": []}}
    for label, cells, sig in rows:
        cell = cells[gap_col]
        tick = label if sig or cell.suppressed or cell.value is None else f"{label} ({not_significant})"
        labels.append(tick)
        if cell.suppressed or cell.value is None:
            hidden.append((tick, cell.display()))
            continue
        women_higher = cell.value > 0
        s = series[women_higher]
        s["x"].append(cell.value)
        s["y"].append(tick)
        s["plus"].append((cell.high - cell.value) if cell.high is not None else 0)
        s["minus"].append((cell.value - cell.low) if cell.low is not None else 0)
        shape = "circle" if women_higher else "square"
        s["symbol"].append(shape if sig else f"{shape}-open")
        s["text"].append(f"{label}: {cell.display()} ({cell.display_interval()})"
                         + ("" if sig else f", {not_significant}"))
    data = []
    for women_higher, name, colour in ((True, _("Women higher"), WOMEN_COLOUR),
                                       (False, _("Men higher"), MEN_COLOUR)):
        s = series[women_higher]
        data.append({
            "type": "scatter", "mode": "markers", "name": name, "x": s["x"], "y": s["y"],
            "orientation": "h",
            "error_x": {"type": "data", "array": s["plus"], "arrayminus": s["minus"], "color": colour,
                        "thickness": 1.5, "width": 4},
            "marker": {"color": colour, "size": 11, "symbol": s["symbol"], "line": {"color": colour, "width": 2}},
            "hovertext": s["text"], "hoverinfo": "text",
        })
    height = 140 + 34 * max(len(labels), 1)
    layout = _layout(
        table, n_text, height=height,
        xaxis=_axis(_("Difference in percentage points (women − men)"), zeroline=True, zerolinewidth=2),
        yaxis=_axis("", categoryorder="array", categoryarray=labels, type="category"),
    )
    layout["annotations"] = [_marker_annotation(0, tick, text, xanchor="left", yanchor="middle", xshift=6)
                             for tick, text in hidden]
    return {"data": data, "layout": layout}


def _wrap(label: str, width: int = 26, max_lines: int = 3) -> str:
    """Break a long category label into lines (plotly's <br>) so it never needs rotating."""
    lines = textwrap.wrap(label, width) or [label]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return "<br>".join(lines)


def _body_rows(table: disclosure.Table):
    rows = list(zip(table.row_labels, table.cells, strict=True))
    return rows[:-1] if table.total_row else rows


def trend_figure(table: disclosure.Table, *, axis_title: str, columns: int = 2, n_text: str | None = None) -> dict:
    """Lines per sex over the rows (months); hidden months are gaps with a marker text."""
    rows = _body_rows(table)
    x = [label for label, _ in rows]
    data, annotations = [], []
    for j in range(columns):
        name = table.column_labels[j]
        ys = []
        for label, cells in rows:
            cell = cells[j]
            ys.append(cell.value)
            if cell.suppressed:
                # Upright text at the foot of the month, women left, men right: no overlap.
                annotations.append(_marker_annotation(
                    label, 0, cell.display(), textangle=-90, xshift=-7 if j == 0 else 7, yshift=2,
                    font={"size": 9, "color": COLOURS[j]}))
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": ys,
            "connectgaps": False,
            "line": {"color": COLOURS[j], "dash": DASHES[j], "width": 2},
            "marker": {"color": COLOURS[j], "symbol": SYMBOLS[j], "size": 8},
            "hovertext": [f"{name}, {label}: {cells[j].display()}" for label, cells in rows], "hoverinfo": "text",
        })
    layout = _layout(table, n_text, xaxis=_axis("", type="category", tickangle=-45),
                     yaxis=_axis(axis_title, rangemode="tozero"))
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def share_bar_figure(table: disclosure.Table, *, axis_title: str, columns: int = 2,
                     n_text: str | None = None) -> dict:
    """Grouped bars of shares (in per cent) with Wilson intervals as error bars."""
    return value_bar_figure(table, axis_title=axis_title, columns=columns, n_text=n_text, percent=True)


def value_bar_figure(table: disclosure.Table, *, axis_title: str, columns: int = 2, n_text: str | None = None,
                     percent: bool = False) -> dict:
    """Grouped bars per row, one series per column (women, men), intervals as error bars.

    ``percent``: the cells are shares (fractions), drawn as per cent.
    """
    scale = 100 if percent else 1
    rows = [(_wrap(label), cells) for label, cells in _body_rows(table)]
    x = [label for label, _ in rows]
    data, annotations = [], []
    for j in range(columns):
        name = table.column_labels[j]
        ys, plus, minus, hover = [], [], [], []
        for label, cells in rows:
            cell = cells[j]
            if cell.suppressed or cell.value is None:
                ys.append(None)
                plus.append(0)
                minus.append(0)
                if cell.suppressed:
                    annotations.append(_marker_annotation(label, 0, f"{name}: {cell.display()}", yshift=14 * j))
            else:
                ys.append(scale * cell.value)
                plus.append(scale * (cell.high - cell.value) if cell.high is not None else 0)
                minus.append(scale * (cell.value - cell.low) if cell.low is not None else 0)
            interval = cell.display_interval() if not cell.suppressed else ""
            hover.append(f"{name}, {label}: {cell.display()}" + (f" ({interval})" if interval else ""))
        data.append({
            "type": "bar", "name": name, "x": x, "y": ys,
            "error_y": {"type": "data", "array": plus, "arrayminus": minus, "color": "#212529", "thickness": 1.2},
            "marker": {"color": COLOURS[j], "pattern": {"shape": PATTERNS[j], "fgcolor": "#ffffff", "fillmode": "overlay",
                                   "fgopacity": 0.7},
                       "line": {"color": COLOURS[j], "width": 1}},
            "hovertext": hover, "hoverinfo": "text",
        })
    yaxis = _axis(axis_title, rangemode="tozero")
    if percent:
        yaxis["ticksuffix"] = " %"
    layout = _layout(table, n_text, barmode="group", xaxis=_axis("", type="category", tickangle=0), yaxis=yaxis)
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def gap_trend_figure(table: disclosure.Table, *, axis_title: str) -> dict:
    """One gap per row (month) as a point with its interval; hidden months carry their marker."""
    x, y, plus, minus, annotations = [], [], [], [], []
    for label, cells in zip(table.row_labels, table.cells, strict=True):
        cell = cells[0]
        x.append(label)
        if cell.suppressed or cell.value is None:
            y.append(None)
            plus.append(0)
            minus.append(0)
            if cell.suppressed:
                annotations.append(_marker_annotation(label, 0, cell.display(), textangle=-90, yshift=4,
                                                      font={"size": 9, "color": "#212529"}))
        else:
            y.append(cell.value)
            plus.append(cell.high - cell.value if cell.high is not None else 0)
            minus.append(cell.value - cell.low if cell.low is not None else 0)
    data = [{
        "type": "scatter", "mode": "lines+markers", "name": table.column_labels[0], "x": x, "y": y,
        "connectgaps": False, "line": {"color": "#495057", "width": 1.5, "dash": "dot"},
        "marker": {"color": "#212529", "size": 8, "symbol": "diamond"},
        "error_y": {"type": "data", "array": plus, "arrayminus": minus, "color": "#495057", "thickness": 1.2},
        "hovertext": [f"{label}: {cells[0].display()} {cells[0].display_interval()}".strip()
                      for label, cells in zip(table.row_labels, table.cells, strict=True)],
        "hoverinfo": "text",
    }]
    layout = _layout(table, " ", showlegend=False, xaxis=_axis("", type="category", tickangle=-45),
                     yaxis=_axis(axis_title, zeroline=True, zerolinewidth=2))
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}
