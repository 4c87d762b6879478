"""Documents of the back-office shown inside it (the dashboard's figure definitions), read from
the Markdown files kept next to the code so the page and the file never disagree."""

import re
from functools import cache
from pathlib import Path

from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

KPIS = Path(__file__).with_name("KPIS.md")


def _inline(text: str) -> str:
    """The inline Markdown these files use: **bold**, *emphasis* and `code`, escaped first."""
    text = escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@cache
def markdown_to_html(source: str) -> str:
    """Headings, paragraphs and pipe tables: the subset KPIS.md is written in."""
    html, paragraph, table = [], [], []

    def flush():
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if table:
            head, *rows = [r for r in table if not re.fullmatch(r"\|?[\s|:-]+\|?", r)]
            html.append("<table><thead><tr>")
            html.extend(f"<th>{_inline(c)}</th>" for c in _cells(head))
            html.append("</tr></thead><tbody>")
            for row in rows:
                cells = "".join(f"<td>{_inline(c)}</td>" for c in _cells(row))
                html.append(f"<tr>{cells}</tr>")
            html.append("</tbody></table>")
            table.clear()

    for line in source.splitlines():
        if line.startswith("#"):
            flush()
            level = min(len(line) - len(line.lstrip("#")), 3)
            html.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.lstrip().startswith("|"):
            if paragraph:
                flush()
            table.append(line)
        elif not line.strip():
            flush()
        else:
            if table:
                flush()
            paragraph.append(line.strip())
    flush()
    return "".join(html)


def kpi_definitions_view(request, *, site):
    context = {
        **site.each_context(request),
        "title": _("What the dashboard's figures mean"),
        "document": mark_safe(markdown_to_html(KPIS.read_text())),  # escaped in _inline
    }
    return TemplateResponse(request, "backoffice/document.html", context)
