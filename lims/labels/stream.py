"""Large label jobs as one PDF, streamed: the labels are rendered in chunks (``render_labels`` on at most
``chunk`` labels at a time) and each chunk's objects are written to the output as soon as it is rendered, so a
40,000-label job never holds more than one chunk in memory and the first bytes leave before the last label is
drawn. The result is a single, ordinary PDF (one page tree, one cross-reference table).

reportlab cannot write a document incrementally, so every chunk is a small complete PDF that is read back with
pypdf and copied object by object into the output with new object numbers; each page's ``/Parent`` is pointed to
the output's page tree, written at the end with the catalogue, the cross-reference table and the trailer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    create_string_object,
)

from .render import render_labels

_CATALOG, _PAGES = 1, 2
_REF = re.compile(rb"(\d+) 0 R")
_PARENT = re.compile(rb"/Parent \d+ 0 R")


def _fast_chunk(pdf: bytes, next_number: int) -> tuple[list[int], list[tuple[int, bytes]], int] | None:
    """Copy a reportlab PDF's objects at the byte level: offsets from its classic cross-reference table, the
    dictionary part of each object renumbered, stream data copied verbatim. None when the file is not of that
    simple shape (then the pypdf copier does it)."""
    start = pdf.rfind(b"startxref")
    if start < 0:
        return None
    xref_at = int(pdf[start + 9:pdf.index(b"%%EOF", start)].strip())
    if pdf[xref_at:xref_at + 4] != b"xref":
        return None
    lines = pdf[xref_at:pdf.index(b"trailer", xref_at)].split(b"\n")
    first, count = (int(x) for x in lines[1].split())
    if first != 0:
        return None
    offsets = {n: int(line[:10]) for n, line in enumerate(lines[2:2 + count]) if line.endswith(b"n ")}
    trailer = pdf[pdf.index(b"trailer", xref_at):start]
    root = re.search(rb"/Root (\d+) 0 R", trailer)
    info = re.search(rb"/Info (\d+) 0 R", trailer)
    if root is None:
        return None

    def body(number: int) -> bytes:
        at = offsets[number]
        head = pdf.index(b"obj", at) + 3
        return pdf[head:pdf.index(b"endobj", head)].strip()

    catalog = body(int(root.group(1)))
    tree = re.search(rb"/Pages (\d+) 0 R", catalog)
    if tree is None or b"/ObjStm" in pdf:
        return None
    kids_match = re.search(rb"/Kids \[([^\]]*)\]", body(int(tree.group(1))))
    if kids_match is None:
        return None
    skip = {int(root.group(1)), int(tree.group(1))} | ({int(info.group(1))} if info else set())
    mapping = {n: next_number + i for i, n in enumerate(sorted(set(offsets) - skip))}

    def renumber(match):
        return b"%d 0 R" % mapping[int(match.group(1))]

    pages = [mapping[int(n)] for n in _REF.findall(kids_match.group(1))]
    page_numbers = set(pages)
    objects = []
    for old, new in mapping.items():
        raw = body(old)
        cut = raw.find(b"stream")
        head, tail = (raw, b"") if cut < 0 else (raw[:cut], raw[cut:])
        if new in page_numbers:  # the page points to the output's page tree
            head = _REF.sub(renumber, _PARENT.sub(b"/Parent \0", head))
            head = head.replace(b"/Parent \0", b"/Parent %d 0 R" % _PAGES)
        else:
            head = _REF.sub(renumber, head)
        objects.append((new, head + tail))
    return pages, objects, next_number + len(mapping)


class _Copier:
    """Copies the objects reachable from a chunk's pages into the output with new object numbers."""

    def __init__(self, next_number: int):
        self.next_number = next_number

    def chunk(self, reader: PdfReader) -> tuple[list[int], list[tuple[int, bytes]]]:
        mapping: dict[tuple[int, int], int] = {}
        queue: list[IndirectObject] = []

        def number(ref: IndirectObject) -> int:
            key = (ref.idnum, ref.generation)
            if key not in mapping:
                mapping[key] = self.next_number
                self.next_number += 1
                queue.append(ref)
            return mapping[key]

        def write(obj, out: BytesIO) -> None:
            if isinstance(obj, IndirectObject):
                out.write(b"%d 0 R" % number(obj))
            elif isinstance(obj, StreamObject):
                data = obj._data  # the encoded bytes, with the stream's own /Filter kept
                entries = {k: v for k, v in obj.items() if k != "/Length"}
                write_dict(entries, out, extra=b"/Length %d" % len(data))
                out.write(b"\nstream\n")
                out.write(data)
                out.write(b"\nendstream")
            elif isinstance(obj, DictionaryObject):
                write_dict(obj, out)
            elif isinstance(obj, ArrayObject):
                out.write(b"[")
                for index, item in enumerate(obj):
                    if index:
                        out.write(b" ")
                    write(item, out)
                out.write(b"]")
            else:
                obj.write_to_stream(out)

        def write_dict(entries, out: BytesIO, extra: bytes = b"") -> None:
            out.write(b"<<")
            for key, value in entries.items():
                NameObject(key).write_to_stream(out)
                out.write(b" ")
                write(value, out)
                out.write(b"\n")
            out.write(extra)
            out.write(b">>")

        pages = [number(page.indirect_reference) for page in reader.pages]
        page_numbers = set(pages)
        written = []
        while queue:
            ref = queue.pop(0)
            new = mapping[(ref.idnum, ref.generation)]
            obj = ref.get_object()
            out = BytesIO()
            if new in page_numbers:
                entries = {k: v for k, v in obj.items() if k != "/Parent"}
                write_dict(entries, out, extra=b"/Parent %d 0 R" % _PAGES)
            else:
                write(obj, out)
            written.append((new, out.getvalue()))
        return pages, written


def stream_labels(template_name: str, items: Callable[[int, int], list], total: int, stock_name: str | None,
                  *, author: str | None = None, title: str = "", chunk: int = 1000) -> Iterator[bytes]:
    """Yield the bytes of one PDF of ``total`` labels, rendered ``chunk`` labels at a time. ``items(start, stop)``
    returns the label items of positions [start, stop) in order (so a job's serials are made chunk by chunk, never
    all at once); identical copies may be the same object, which is then drawn once per chunk."""
    if total < 1:
        raise ValueError("There are no labels to print.")
    per_chunk = max(1, chunk)
    offset = 0
    offsets: dict[int, int] = {}
    kids: list[int] = []
    copier = _Copier(next_number=4)  # 1 catalogue, 2 page tree, 3 document information

    def emit(data: bytes) -> bytes:
        nonlocal offset
        offset += len(data)
        return data

    yield emit(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    for start in range(0, total, per_chunk):
        batch = items(start, min(total, start + per_chunk))
        pdf = render_labels(template_name, batch, stock_name, 1, author=author)
        fast = _fast_chunk(pdf, copier.next_number)
        if fast is not None:
            pages, objects, copier.next_number = fast
        else:
            pages, objects = copier.chunk(PdfReader(BytesIO(pdf)))
        kids.extend(pages)
        for number, body in objects:
            offsets[number] = offset
            yield emit(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    offsets[_PAGES] = offset
    yield emit(b"%d 0 obj\n<</Type /Pages /Count %d /Kids [%s]>>\nendobj\n"
               % (_PAGES, len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    offsets[_CATALOG] = offset
    yield emit(b"%d 0 obj\n<</Type /Catalog /Pages %d 0 R>>\nendobj\n" % (_CATALOG, _PAGES))
    offsets[3] = offset
    info = BytesIO()
    DictionaryObject({NameObject("/Producer"): _text("LIMS label engine"),
                      NameObject("/Author"): _text(author or "LIMS"),
                      NameObject("/Title"): _text(title or template_name)}).write_to_stream(info)
    yield emit(b"3 0 obj\n" + info.getvalue() + b"\nendobj\n")
    size = copier.next_number
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    for number in range(1, size):
        xref.append(b"%010d 00000 n \n" % offsets[number])
    start_xref = offset
    yield emit(b"".join(xref))
    yield emit(b"trailer\n<</Size %d /Root %d 0 R /Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n"
               % (size, _CATALOG, start_xref))


def _text(value: str):
    return create_string_object(value)


def collect(stream: Iterable[bytes]) -> bytes:
    return b"".join(stream)
