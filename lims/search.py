"""Search conditions a list can afford on five years of data (issue #14).

``icontains`` on a column of a million rows is a sequential scan on both databases (3–4 s on the sample list),
and an OR across a join (``barcode OR client name``) defeats every index. What a person searching a list
types is a record's number (whole, its beginning, or — on PostgreSQL — any part of it) or the name of a
master record (a client, a product). So:

* :func:`code_match` — a code or number column: on PostgreSQL ``ILIKE '%q%'``, served by a trigram GIN index
  (``pg_trgm``, created by the app's migration on PostgreSQL only); on SQLite the exact value or its beginning,
  in the case typed and upper-cased, as ranges on the column's ordinary index (SQLite has no trigram index; a
  LIKE would scan).
* :func:`related_ids` — the ids of the few master records (clients, products) whose name or code contains the
  text, looked up first in their small table, so that the big table is filtered by an indexed foreign key
  (``client_id IN (…)``) instead of a join.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Q

TOP = "\U0010ffff"  # above every character: ``col >= q AND col < q + TOP`` is "starts with q" on an index
RELATED_LIMIT = 200  # more matching master records than this: the text is too general to narrow the list


def prefix_range(path: str, text: str) -> Q:
    return Q(**{f"{path}__gte": text, f"{path}__lt": text + TOP})


def code_match(model, path: str, text: str) -> Q:
    """Rows whose code ``path`` matches ``text``: contains it (PostgreSQL, trigram index) or starts with it
    (SQLite, ordinary index; as typed or in capitals)."""
    vendor = connections[router.db_for_read(model)].vendor
    if vendor == "postgresql":
        return Q(**{f"{path}__icontains": text})
    cond = prefix_range(path, text)
    if text.upper() != text:
        cond |= prefix_range(path, text.upper())
    return cond


def related_ids(model, fields: tuple[str, ...], text: str, *, limit: int = RELATED_LIMIT) -> list:
    """Primary keys of the rows of the (small) table ``model`` whose ``fields`` contain ``text``."""
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__icontains": text})
    return list(model._default_manager.filter(cond).order_by().values_list("pk", flat=True)[:limit])
