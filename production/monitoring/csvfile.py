"""Reading a particle counter's CSV export: rows as dicts, labelled by their line number in the file."""

import csv
import io

from django.utils.translation import gettext as _

from lims.exports import formula_error, formula_like
from production.monitoring.ingestion import RowErrors


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RowErrors({"file": [_("The file is not text in UTF-8 or GB 18030.")]})


def parse_rows(text: str, *, first_line: int = 1, header=None):
    """(header, rows, line numbers). ``first_line`` is the file's line number of the first line of ``text``;
    when ``header`` is given (a tailed file read from an offset) the text has no header line."""
    reader = csv.reader(io.StringIO(text))
    if header is None:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise RowErrors({"file": [_("The file is empty.")]}) from None
    rows, numbers, formulas = [], [], {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        row = {k: v.strip() for k, v in zip(header, record, strict=False)}
        number = first_line - 1 + reader.line_num
        for field, value in row.items():
            if formula_like(value):
                formulas[f"{_('line %(n)s') % {'n': number}}.{field}"] = [formula_error(value)]
        rows.append(row)
        numbers.append(number)
    if formulas:
        raise RowErrors(formulas)
    return header, rows, numbers
