"""Reading a particle counter's CSV export: rows as dicts, labelled by their line number in the file."""

import csv
import io

from django.utils.translation import gettext as _

from lims.hygiene import CONTROL, EncodingProblem, decode_text, text_message
from production.monitoring.ingestion import RowErrors


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 LE/BE with or without BOM, GB18030 (lims.hygiene.decode_text); a message
    naming the encoding problem otherwise. Control characters in the text are refused."""
    try:
        text = decode_text(data)
    except EncodingProblem as exc:
        raise RowErrors({"file": [str(exc)]}) from None
    message = text_message(text)
    if message:
        line = text[:CONTROL.search(text).start()].count("\n") + 1
        raise RowErrors({f"line {line}": [message]})
    return text


def parse_rows(text: str, *, first_line: int = 1, header=None):
    """(header, rows, line numbers). ``first_line`` is the file's line number of the first line of ``text``;
    when ``header`` is given (a tailed file read from an offset) the text has no header line."""
    reader = csv.reader(io.StringIO(text))
    if header is None:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise RowErrors({"file": [_("The file is empty.")]}) from None
    rows, numbers = [], []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        rows.append({k: v.strip() for k, v in zip(header, record, strict=False)})
        numbers.append(first_line - 1 + reader.line_num)
    return header, rows, numbers
