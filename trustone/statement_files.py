"""An evidence statement as a file: its PDF, and the signed text read back out of a file.

The PDF shows the statement's text, line for line, and carries the signed text itself as an embedded
file (``trustone-statement.txt``): the PDF a buyer keeps in its tender file verifies offline on its
own (``trustone verify-statement FILE.pdf``), and its printed lines are the signed ones. What is
signed is the text, never the PDF's bytes: a PDF tool that rewrites the file (compression, a stamp)
leaves the statement verifiable.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from keys.signed_documents import BEGIN
from registry.usecases.statements import IssuedStatement

ATTACHMENT = "trustone-statement.txt"
FONTS = Path(__file__).parent / "fonts"
PDF_MAGIC = b"%PDF-"
MAX_STATEMENT_FILE = 2 * 1024 * 1024  # a statement's PDF is some 40 kB (the fonts are subset)


class NotAStatementFileError(ValueError):
    """The file is neither a statement's text nor a PDF that carries one."""


def statement_pdf(statement: IssuedStatement) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"TruStone {statement.code}")
    pdf.set_creator("TruStone registry")
    pdf.set_lang(statement.language)
    pdf.set_creation_date(statement.issued_at)
    pdf.add_page()
    body, _, block = statement.document.partition(BEGIN)
    lines = body.splitlines()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, lines[0], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9.5)
    for line in lines[1:]:
        if not line:
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5, line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 7)
    pdf.multi_cell(0, 3.6, BEGIN + block, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(
        bytes=statement.document.encode("utf-8"),
        basename=ATTACHMENT,
        modification_date=statement.issued_at,
        mime_type="text/plain",
        desc="The signed statement: check it with `trustone verify-statement` or at the address it names",
    )
    return bytes(pdf.output())


def statement_text_of(data: bytes) -> bytes:
    """The signed text in ``data``: the file itself when it is a statement's text, else the text a
    statement's PDF carries. Raises NotAStatementFileError for anything else."""
    if len(data) > MAX_STATEMENT_FILE:
        raise NotAStatementFileError("the file is larger than any statement")
    if not data.startswith(PDF_MAGIC):
        return data
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise NotAStatementFileError("the PDF cannot be read") from None
    found = attachments.get(ATTACHMENT)
    if not found:
        raise NotAStatementFileError(f"the PDF carries no {ATTACHMENT}")
    return found[0]
