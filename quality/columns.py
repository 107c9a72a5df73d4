"""The columns of an observation, written once.

Every output of observations takes its columns from :data:`COLUMNS`, in this order:

- the public API: ``ObservationSerializer`` (its fields, and the written-out
  ``to_representation``) and the row reader of its list pages
  (``quality.references.ObservationRow``);
- what a client or a file may write: ``ObservationWriteSerializer``
  (``observation_create``) and the CSV/XLSX import and export of the admin and the
  ``import``/``export`` commands (``quality.resources.ObservationResource``);
- the indicator downloads ``/quality/indicators/<code>.csv`` and ``.json``
  (``quality.views.observation_row``), where a related column is written out as
  several readable ones (the indicator's code, name and unit);
- the model's ``Observation.VALUE_FIELDS``: what a saved observation never changes.

A column added here reaches each output it is marked for;
``tests/quality/test_columns.py`` checks every output against this list. Names are
the model's field names (``display`` is the model's computed text), and the API's
names and the downloads' headers are public: renaming one breaks clients.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    #: In the public API (read) and its row reader.
    api: bool = True
    #: In the import/export file; without ``id``, what a client may write.
    exchange: bool = True
    #: What the observation says and where it says it: never changed once saved
    #: (a correction adds an observation instead).
    fixed: bool = False
    #: A foreign key (the row reader reads ``<name>_id``).
    relation: bool = False
    #: A column of the table (``display`` is computed from the others).
    stored: bool = True
    #: Its headers in the indicator downloads; None: the column's own name.
    download: tuple[str, ...] | None = None

    @property
    def download_headers(self) -> tuple[str, ...]:
        return (self.name,) if self.download is None else self.download


COLUMNS: tuple[Column, ...] = (
    Column("id", download=()),
    Column(
        "indicator",
        fixed=True,
        relation=True,
        download=("indicator", "indicator_name", "unit"),
    ),
    Column("region", fixed=True, relation=True, download=("region_code", "region")),
    Column("period", fixed=True, relation=True, download=("period", "period_label")),
    Column("value", fixed=True),
    Column("comparator", fixed=True),
    Column("lower", fixed=True),
    Column("upper", fixed=True),
    Column("display", exchange=False, stored=False),
    Column("raw_text", fixed=True),
    Column("status"),
    Column("is_preferred"),
    # In the downloads the source is one readable column: the article or publisher.
    Column("article", fixed=True, relation=True, download=("source",)),
    Column("source_publisher", fixed=True, download=()),
    Column("source_title", fixed=True, download=()),
    Column("source_on", fixed=True, download=()),
    Column("source_url", fixed=True),
    Column("quote", fixed=True),
    # A staff note: in the admin's files, never in a public output.
    Column("note", api=False, download=()),
)

#: The public API's fields (``ObservationSerializer``).
API_FIELDS = tuple(c.name for c in COLUMNS if c.api)
#: The row reader's ``values_list`` (``ObservationRow``).
ROW_FIELDS = tuple(
    f"{c.name}_id" if c.relation else c.name for c in COLUMNS if c.api and c.stored
)
#: The import/export file's columns (``ObservationResource``).
EXCHANGE_FIELDS = tuple(c.name for c in COLUMNS if c.exchange)
#: What a client sends to add an observation (``ObservationWriteSerializer``).
WRITE_FIELDS = tuple(name for name in EXCHANGE_FIELDS if name != "id")
#: What a saved observation never changes (``Observation.VALUE_FIELDS``).
VALUE_FIELDS = tuple(c.name for c in COLUMNS if c.fixed)
#: The headers of the indicator downloads (CSV and JSON).
DOWNLOAD_FIELDS = tuple(h for c in COLUMNS for h in c.download_headers)
