"""The sponsor's documents laid out (SPEC §15): Markdown, Word (.docx) and PDF, from one
`answers.reports.Document`.

Word and PDF carry a letterhead (the practice), "Vertrouwelijk"/"Confidential" and the page
number on every page, and honest metadata: the coach as author, the title and subject, the
language (`nl-NL`, `en-GB`) and the date of `--today`. The PDF embeds DejaVu Sans (shipped in
`fonts/`, Latin Extended-A/B and more), so "Ayşe Yılmaz" is drawn as written; a character
the font lacks is named by `missing_glyphs` and drawn as "?", never as a black box.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Callable

from coachnotes.answers.reports import Chart, Document
from coachnotes.i18n.texts import text
from coachnotes.output.charts import SCORE_COLOURS
from coachnotes.output.markdown import cell

FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
MARGIN = 70.87  # points: 2.5 cm
CHUNK = 1200  # characters: a longer paragraph is laid out in parts, so time stays linear


def _texts(document: Document):
    """Every text a document shows, for the glyph check."""
    yield from (document.title, document.confidential, document.coach, *document.letterhead,
                *document.intro, *document.signatures)
    for label, value in document.header:
        yield label
        yield value
    for section in document.sections:
        yield section.title
        yield from section.lines
        yield from section.paragraphs
    if document.chart:
        yield from document.chart.moments
        yield from (goal for goal, _values in document.chart.series)


# -- Markdown -------------------------------------------------------------------------

def to_markdown(document: Document) -> str:
    out = [f"{' · '.join(cell(line) for line in document.letterhead)}", ""] \
        if document.letterhead else []
    out += [f"# {cell(document.title)}", "", f"**{document.confidential}**", ""]
    out += [f"- {label}: {cell(value)}" for label, value in document.header]
    out += [item for paragraph in document.intro for item in ("", cell(paragraph))]
    for section in document.sections:
        out += ["", f"## {cell(section.title)}", ""] + \
            [f"- {cell(line)}" for line in section.lines]
        out += [item for paragraph in section.paragraphs for item in (cell(paragraph), "")]
        if section.paragraphs:
            out.pop()
    if document.signatures:
        lang = document.language
        out += ["", f"## {text(lang, 'doc.signatures')}", ""]
        out += [f"- {cell(who)} — {text(lang, 'doc.signature.line')} ______________________"
                for who in document.signatures]
    return "\n".join(out) + "\n"


# -- HTML (a page to print: the coachee's dossier) --------------------------------------

PRINT_CSS = """
@page { size: A4; margin: 2.5cm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45;
       color: #111; max-width: 46em; margin: 2em auto; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 12.5pt; margin-top: 1.6em; border-bottom: 1px solid #999;
     break-after: avoid; page-break-after: avoid; }
.letterhead { font-size: 8pt; color: #444; }
.confidential { font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
dd { margin: 0; }
section { break-inside: avoid-page; }
@media print { body { margin: 0; max-width: none; } }
"""


def to_html(document: Document) -> str:
    """A page to read and to print (A4, 2.5 cm margins): every value escaped, no script, the
    generator named (so `sync` and `forget` know it by its contents, SPEC §12)."""
    from html import escape as e

    out = [f'<!DOCTYPE html>\n<html lang="{e(document.language)}">\n<head>\n'
           '<meta charset="utf-8">\n<meta name="generator" content="coachnotes">\n'
           f"<title>{e(document.title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>"]
    if document.letterhead:
        out.append(f'<p class="letterhead">{e(" · ".join(document.letterhead))}</p>')
    out += [f"<h1>{e(document.title)}</h1>",
            f'<p class="confidential">{e(document.confidential)}</p>', "<dl>"]
    out += [f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in document.header]
    out.append("</dl>")
    for section in document.sections:
        out.append(f"<section><h2>{e(section.title)}</h2>")
        if section.lines:
            out.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in section.lines)
                       + "</ul>")
        out += [f"<p>{e(paragraph)}</p>" for paragraph in section.paragraphs]
        out.append("</section>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


# -- Word -----------------------------------------------------------------------------

def to_docx(document: Document) -> bytes:
    """An editable Word document: the letterhead and "Vertrouwelijk" in the page header, the
    page number in the footer, the sections as Word headings, the facts as a list."""
    import docx
    from docx.shared import Pt

    word = docx.Document()
    _docx_metadata(word, document)
    _a4(word)
    header = word.sections[0].header.paragraphs[0]
    if document.logo:
        from docx.shared import Cm

        header.add_run().add_picture(io.BytesIO(document.logo), height=Cm(1.2))
        header = word.sections[0].header.add_paragraph()
    header.text = " · ".join(document.letterhead + [document.confidential])
    header.runs[0].font.size = Pt(8)
    _page_number(word.sections[0].footer.paragraphs[0], document)
    word.add_heading(document.title, level=0)
    word.add_paragraph().add_run(document.confidential).bold = True
    for label, value in document.header:
        word.add_paragraph(f"{label}: {value}", style="List Bullet")
    for paragraph in document.intro:
        word.add_paragraph(paragraph)
    for section in document.sections:
        word.add_heading(section.title, level=1)
        for line in section.lines:
            word.add_paragraph(line, style="List Bullet")
        for paragraph in section.paragraphs:
            word.add_paragraph(paragraph)
        if section.title == text(document.language, "results") and document.chart:
            from docx.shared import Cm

            word.add_picture(io.BytesIO(chart_png(document.chart)), width=Cm(15))
    if document.signatures:
        word.add_heading(text(document.language, "doc.signatures"), level=1)
        table = word.add_table(rows=len(document.signatures), cols=2)
        for row, who in zip(table.rows, document.signatures):
            row.cells[0].text = who
            row.cells[1].text = text(document.language, "doc.signature.line") + \
                "\n\n______________________________"
    out = io.BytesIO()
    word.save(out)
    return _made_by_coachnotes(out.getvalue())


def _a4(word) -> None:
    """A4 with 2.5 cm margins (python-docx's template is US Letter), and every heading kept
    on the page of what follows it."""
    from docx.shared import Cm

    for section in word.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        word.styles[name].paragraph_format.keep_with_next = True


def _made_by_coachnotes(data: bytes) -> bytes:
    """The Word file says it was made by coachnotes (`Application` in `docProps/app.xml`;
    python-docx's template names "Microsoft Macintosh Word"), so that `sync` and `forget`
    know it for a coachnotes document by its contents (SPEC §12, v4)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info)
            if info.filename == "docProps/app.xml":
                member = re.sub(rb"<Application>[^<]*</Application>",
                                b"<Application>coachnotes</Application>", member)
            target.writestr(info, member)
    return out.getvalue()


def _docx_metadata(word, document: Document) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    moment = dt.datetime.combine(document.today, dt.time(12, 0))
    props = word.core_properties
    # Word's core properties hold at most 255 characters (python-docx raises past that)
    props.author = props.last_modified_by = document.coach[:255]
    props.title, props.subject = document.title[:255], document.subject[:255]
    props.language = document.locale
    props.created = props.modified = moment
    props.revision = 1
    props.comments = props.keywords = props.category = ""
    # the language of the text itself, so that Word checks the spelling in Dutch
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in run_properties.findall(qn("w:lang")):
        run_properties.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), document.locale)
    lang.set(qn("w:eastAsia"), document.locale)
    lang.set(qn("w:bidi"), "ar-SA")
    run_properties.append(lang)


def _page_number(paragraph, document: Document) -> None:
    """"Vertrouwelijk · <coachee> · pagina N van M" with Word's PAGE and NUMPAGES fields, on
    every page."""
    words = text(document.language, "doc.page", n="\0", m="\1").replace("\1", "\0").split("\0")
    paragraph.add_run(" · ".join(x for x in (document.confidential, document.coachee) if x) +
                      f" · {words[0]}")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(words[1])
    _field(paragraph, "NUMPAGES", "1")
    if words[2:] and words[2]:
        paragraph.add_run(words[2])


def _field(paragraph, instruction: str, shown: str) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.text = shown
    run.append(value)
    field.append(run)
    paragraph._p.append(field)


# -- PDF ------------------------------------------------------------------------------

def register_fonts() -> dict:
    """Register DejaVu Sans once; its glyphs by code point."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        for name in (REGULAR, BOLD):
            pdfmetrics.registerFont(TTFont(name, str(FONTS / f"{name}.ttf")))
        for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, REGULAR),
                                   (1, 1, BOLD)):
            addMapping(REGULAR, bold, italic, name)
    return pdfmetrics.getFont(REGULAR).face.charToGlyph


def missing_glyphs(document: Document) -> list[str]:
    """The characters of the document that the PDF's font cannot draw (drawn as "?")."""
    glyphs = register_fonts()
    return sorted({c for value in _texts(document) for c in value
                   if ord(c) not in glyphs and c not in "\n"})


def to_pdf(document: Document) -> bytes:
    """A4, DejaVu Sans; the letterhead on the first page; "Vertrouwelijk" and the page number
    on every page; the final report's scores as a line chart."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Spacer

    glyphs = register_fonts()
    styles = base_styles()
    safe = SafeText(glyphs)
    story = [_logo(document.logo)] if document.logo else []
    story += [safe.para(line, styles["letterhead"]) for line in document.letterhead]
    story += [Spacer(1, 14), safe.para(document.title, styles["title"]),
              safe.para(f"<b>{safe(document.confidential)}</b>", styles["body"], raw=True),
              Spacer(1, 6), safe.bullets([f"{label}: {value}" for label, value in
                                          document.header], styles)]
    story += [item for paragraph in document.intro for item in safe.paras(paragraph, styles)]
    for section in document.sections:
        story += [safe.para(section.title, styles["heading"])]
        if section.lines:
            story.append(safe.bullets(section.lines, styles))
        story += [item for paragraph in section.paragraphs
                  for item in safe.paras(paragraph, styles)]
        if section.title == text(document.language, "results") and document.chart:
            story.append(_line_chart(document.chart, safe))
    if document.signatures:
        story += _signatures(document, safe, styles)
    footer = " · ".join(x for x in (document.confidential, document.coachee) if x)

    def draw_footer(canvas, n: int, m: int) -> None:  # noqa: ANN001 - reportlab's canvas
        canvas.setFont(REGULAR, 8)
        canvas.drawString(MARGIN, MARGIN / 2, safe.plain(
            f"{footer} · " + text(document.language, "doc.page", n=n, m=m)))

    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, title=document.title, author=document.coach,
                            subject=document.subject, creator="coachnotes",
                            lang=document.locale, invariant=1, leftMargin=MARGIN,
                            rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    pdf.build(story, canvasmaker=numbered_canvas(draw_footer, document.today))
    return out.getvalue()


def _logo(data: bytes):
    """The practice's logo, 1.5 cm high, at the left of the letterhead."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    width, height = ImageReader(io.BytesIO(data)).getSize()
    tall = 42.5  # points: 1.5 cm
    return Image(io.BytesIO(data), width=tall * width / height, height=tall, hAlign="LEFT")


def numbered_canvas(draw_footer: Callable, day: dt.date):
    """A reportlab canvas that lays out every page first and draws the footers after, so a
    footer can say "page N of M" (`draw_footer(canvas, n, m)`); the PDF dated `day`, so the
    same document gives the same bytes."""
    from reportlab.pdfgen.canvas import Canvas

    stamp = day.strftime("D:%Y%m%d120000+00'00'")

    class Numbered(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self.setDateFormatter(lambda *_moment: stamp)

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                draw_footer(self, self._pageNumber, count)
                super().showPage()
            super().save()

    return Numbered


def base_styles() -> dict:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, spaceAfter=4)
    return {"body": body,
            "letterhead": ParagraphStyle("letterhead", parent=body, fontSize=8, leading=10,
                                         spaceAfter=0),
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18,
                                    leading=22, spaceAfter=8),
            "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12,
                                      leading=16, spaceBefore=10, spaceAfter=4,
                                      keepWithNext=1)}


class SafeText:
    """Text made safe for reportlab's paragraph markup and the font: escaped, and each
    character the font lacks drawn as "?"."""

    def __init__(self, glyphs: dict) -> None:
        self.glyphs = glyphs

    def __call__(self, value: str) -> str:
        from xml.sax.saxutils import escape

        return escape(self.plain(value))

    def plain(self, value: str) -> str:
        """Only the glyphs (for a chart's labels, which hold no markup)."""
        return "".join(c if ord(c) in self.glyphs else "?" for c in value)

    def para(self, value: str, style, raw: bool = False):
        from reportlab.platypus import Paragraph

        return Paragraph(value if raw else self(value), style)

    def paras(self, value: str, styles: dict) -> list:
        """A long paragraph in parts of about CHUNK characters, cut between words."""
        parts, rest = [], value
        while len(rest) > CHUNK:
            cut = rest.rfind(" ", CHUNK // 2, CHUNK)
            cut = cut if cut > 0 else CHUNK
            parts.append(rest[:cut])
            rest = rest[cut:].lstrip()
        parts.append(rest)
        style = styles["body"].clone("part", spaceAfter=0)
        return [self.para(part, style if n < len(parts) - 1 else styles["body"])
                for n, part in enumerate(parts)]

    def bullets(self, lines: list[str], styles: dict):
        from reportlab.platypus import ListFlowable

        return ListFlowable([self.paras(line, styles) for line in lines],
                            bulletType="bullet", bulletFontName=REGULAR, start="•")


def _signatures(document: Document, safe: SafeText, styles: dict) -> list:
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    lang = document.language
    rows = [[safe.para(who, styles["body"]),
             safe.para(text(lang, "doc.signature.line"), styles["body"])]
            for who in document.signatures]
    table = Table(rows, colWidths=[140, 300], rowHeights=[48] * len(rows))
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [KeepTogether([safe.para(text(lang, "doc.signatures"), styles["heading"]),
                          Spacer(1, 4), table])]


def _line_chart(chart: Chart, safe: SafeText):
    """The scores of each goal over the moments, 0–10, with a legend of the goals."""
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    palette = tuple(colors.HexColor(c) for c in SCORE_COLOURS)
    rows = len(chart.series)
    drawing = Drawing(440, 210 + 14 * rows)
    plot = HorizontalLineChart()
    # the axis labels take ~12 pt below the plot: the legend stands clear beneath them
    plot.x, plot.y, plot.width, plot.height = 40, 40 + 14 * rows, 380, 150
    plot.data = [tuple(v for v in values) for _goal, values in chart.series]
    plot.categoryAxis.categoryNames = [safe.plain(m) for m in chart.moments]
    plot.categoryAxis.labels.fontName = plot.valueAxis.labels.fontName = REGULAR
    plot.categoryAxis.labels.fontSize = plot.valueAxis.labels.fontSize = 8
    plot.valueAxis.valueMin, plot.valueAxis.valueMax, plot.valueAxis.valueStep = 0, 10, 2
    plot.joinedLines = 1
    for n in range(rows):
        plot.lines[n].strokeColor = palette[n % len(palette)]
        plot.lines[n].strokeWidth = 1.5
        plot.lines[n].symbol = _dot(palette[n % len(palette)])
    legend = Legend()
    legend.x, legend.y, legend.alignment = 40, 4 + 14 * rows, "right"
    legend.fontName, legend.fontSize, legend.deltay = REGULAR, 8, 14
    legend.colorNamePairs = [(palette[n % len(palette)], _clip(safe.plain(goal)))
                             for n, (goal, _values) in enumerate(chart.series)]
    drawing.add(plot)
    drawing.add(legend)
    return drawing




def chart_png(chart: Chart, scale: int = 2) -> bytes:
    """The scores chart as a PNG for Word (which draws no PDF drawing): each goal a coloured
    line over the moments, 0–10, the legend beneath the axis. Drawn with Pillow (reportlab's
    own bitmap renderer needs Cairo) in DejaVu Sans, at `scale` for print."""
    from PIL import Image, ImageDraw, ImageFont

    rows = len(chart.series)
    width, top, plot_h, left, right = 600, 16, 210, 44, 24
    height = top + plot_h + 40 + 22 * rows
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS / f"{REGULAR}.ttf"), 11 * scale)
    plain = SafeText(register_fonts()).plain  # a character the font lacks: "?", no box

    def at(x: float, y: float) -> tuple[int, int]:
        return int(x * scale), int(y * scale)

    plot_w = width - left - right
    for score in range(0, 11, 2):  # the value axis and its grid
        y = top + plot_h * (1 - score / 10)
        draw.line([at(left, y), at(left + plot_w, y)], fill="#dddddd", width=scale)
        draw.text(at(left - 8, y), str(score), fill="#333333", font=font, anchor="rm")
    step = plot_w / max(len(chart.moments), 1)
    xs = [left + step * (n + 0.5) for n in range(len(chart.moments))]
    for x, moment in zip(xs, chart.moments):
        draw.text(at(x, top + plot_h + 8), plain(moment), fill="#333333", font=font,
                  anchor="ma")
    for n, (goal, values) in enumerate(chart.series):
        color = SCORE_COLOURS[n % len(SCORE_COLOURS)]
        points = [at(x, top + plot_h * (1 - v / 10)) for x, v in zip(xs, values)
                  if v is not None]
        if len(points) > 1:
            draw.line(points, fill=color, width=2 * scale, joint="curve")
        for px, py in points:
            draw.ellipse([px - 3 * scale, py - 3 * scale, px + 3 * scale, py + 3 * scale],
                         fill=color)
        y = top + plot_h + 34 + 22 * n  # the legend, clear of the axis labels
        draw.rectangle([at(left, y), at(left + 14, y + 10)], fill=color)
        draw.text(at(left + 22, y + 5), plain(_clip(goal)), fill="#111111", font=font,
                  anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _dot(color):
    from reportlab.graphics.widgets.markers import makeMarker

    marker = makeMarker("FilledCircle")
    marker.size, marker.fillColor, marker.strokeColor = 4, color, color
    return marker


def _clip(value: str, width: int = 70) -> str:
    return value if len(value) <= width else value[:width - 1] + "…"
