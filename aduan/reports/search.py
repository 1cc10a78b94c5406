"""Full-text search over the title and body of reports, one interface on both databases.

What is searched: a report's title and body, the text the public already reads on a
published report's page. Never the reporter's identity (encrypted, in another table),
the address, the rating comment or the history. Who may see which report is not decided
here: the caller passes a queryset that is already limited (`access.public_reports()`,
`access.visible_reports(user)`), and search only narrows it and ranks it.

The index is kept by the database itself, so every writer (the actions, the benchmark
generator's COPY, a peer's sync) keeps it current without Python code:

- PostgreSQL: a side table `reports_report_search (report_id, document tsvector)` with a
  GIN index, filled by triggers on `reports_report`. The title weighs `A`, the body `D`
  (ten times less). The configuration is `simple` (lower case, no stemming, no stop
  words) over `unaccent`: PostgreSQL ships no Indonesian stemmer, and an English or
  other stemmer would mangle Indonesian words. A side table instead of a column keeps
  report rows narrow, and status changes never rewrite the vector.
- SQLite: an FTS5 table `reports_report_search` with the report table as its external
  content (no second copy of the text), tokenizer `unicode61 remove_diacritics 2` (the
  same folding of case and accents), kept by triggers, ranked with bm25 (title 10, body 1).

Both are created by the migration and checked after every `migrate` (`ensure_index`):
SQLite drops a table's triggers when Django rebuilds the table for a later migration,
and the check puts them back and rebuilds the index.

The query language is the one people know from web search engines, parsed here once and
written out for each database, so that a query means the same on both: words must all
appear (in any order, in the title or the body), "a phrase" in quotes must appear as
written, `OR` (or `ATAU`) between two words accepts either, `-word` excludes. Case and
accents do not matter; word forms do (`perbaikan` does not find `diperbaiki`). Nothing a
person types can make the database raise a syntax error: every word reaches the database
as a quoted string or a bound parameter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, Expression, F, FloatField, Func, QuerySet, Value

TABLE = "reports_report_search"
# What people may type: longer input is cut here, and at most MAX_TERMS words or phrases
# are used. Both bound the work the database does for one query.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Up to this many matches in the index, a search passes their ids to the query as a list
# (see `search`).
FEW_MATCHES = 5_000
# How many of the newest matches are put in order of relevance (see `ranked_ids`).
RANKED_CANDIDATES = 1_000
# Relative weights of a match in the title and in the body.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0

OR_WORDS = {"OR", "ATAU"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})


@dataclass(frozen=True)
class Clause:
    """Words or phrases of which at least one must appear (or, if `excluded`, none)."""

    alternatives: tuple[str, ...]
    excluded: bool = False


@dataclass(frozen=True)
class SearchQuery:
    clauses: tuple[Clause, ...]
    # What `few_matches` found, per database: one lookup however often the query is used.
    _found: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __bool__(self) -> bool:
        # A query of exclusions only would match nearly everything: it is no search.
        return any(not clause.excluded for clause in self.clauses)

    @property
    def terms(self) -> list[str]:
        return [term for clause in self.clauses for term in clause.alternatives]


def clean(text: str) -> str:
    """The text as it is searched: Unicode normalised (full-width and compatibility
    forms), control and unassigned characters (a NUL byte, binary) turned into spaces,
    cut to MAX_QUERY_LENGTH."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(_QUOTES)
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def _has_word(term: str) -> bool:
    return any(ch.isalnum() for ch in term)


_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')


def parse(text: str) -> SearchQuery:
    """The query typed in a search box. Never raises; an empty or word-less input gives an
    empty (false) query."""
    clauses: list[Clause] = []
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(clean(text)):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if phrase is None and not negated and word.upper() in OR_WORDS:
            pending_or = bool(clauses) and not clauses[-1].excluded
            continue
        term = " ".join((phrase if phrase is not None else word).split())
        if not _has_word(term) or count >= MAX_TERMS:
            pending_or = False
            continue
        count += 1
        if pending_or and not negated:
            previous = clauses.pop()
            clauses.append(Clause(previous.alternatives + (term,)))
        else:
            clauses.append(Clause((term,), excluded=negated))
        pending_or = False
    return SearchQuery(tuple(clauses))


# -- the query written for each database ----------------------------------------------------


def fts5_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: every term a quoted string (FTS5 reads it as a phrase of
    the tokens inside), so no operator or column filter can come from the input."""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    def group(clause: Clause) -> str:
        return "(" + " OR ".join(quoted(term) for term in clause.alternatives) + ")"

    included = " AND ".join(group(c) for c in query.clauses if not c.excluded)
    excluded = "".join(f" NOT {group(c)}" for c in query.clauses if c.excluded)
    return f"({included}){excluded}"


# An IMMUTABLE wrapper around the unaccent extension (created by the migration next to
# Django's tables): PostgreSQL folds a call with a constant argument once per query.
UNACCENT = "reports_search_unaccent"


def tsquery_sql(query: SearchQuery) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery built from one `phraseto_tsquery` per term (each term a bound
    parameter, turned into lexemes by the same parser and folding as the documents),
    combined with the tsquery operators."""
    params: list[str] = []

    def group(clause: Clause) -> str:
        parts = []
        for term in clause.alternatives:
            parts.append(f"phraseto_tsquery('simple', {UNACCENT}(%s))")
            params.append(term)
        return "(" + " || ".join(parts) + ")"

    included = " && ".join(group(c) for c in query.clauses if not c.excluded)
    excluded = "".join(f" && !!{group(c)}" for c in query.clauses if c.excluded)
    return f"({included}{excluded})", params


def document_sql(title: str, body: str) -> str:
    """The tsvector of a report (PostgreSQL), from its title and body expressions."""
    return (
        f"setweight(to_tsvector('simple', {UNACCENT}(coalesce({title}, ''))), 'A') || "
        f"setweight(to_tsvector('simple', {UNACCENT}(coalesce({body}, ''))), 'D')"
    )


class MatchingReports(Expression):
    """`SELECT id of every report matching the query`, for `pk__in=`. It names only the
    index table, so it stays correct inside any outer query Django builds."""

    output_field = FloatField()  # unused: it is only ever the right side of IN

    def __init__(self, query: SearchQuery):
        super().__init__()
        self.query = query

    def as_postgresql(self, compiler, connection):
        return _matching_sql(connection, self.query)

    def as_sqlite(self, compiler, connection):
        return _matching_sql(connection, self.query)

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"Full-text search is not built for {connection.vendor}")


def _matching_sql(connection, query: SearchQuery, limit: int | None = None):
    if connection.vendor == "postgresql":
        tsquery, params = tsquery_sql(query)
        sql = f"SELECT report_id FROM {TABLE} WHERE document @@ {tsquery}"
    elif connection.vendor == "sqlite":
        sql, params = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [fts5_expression(query)]
    else:
        raise NotImplementedError(f"Full-text search is not built for {connection.vendor}")
    if limit is not None:
        sql, params = f"{sql} LIMIT %s", [*params, limit]
    return f"({sql})", params


def few_matches(query: SearchQuery, *, using: str = "default") -> list[int] | None:
    """Every report id in the index matching `query` when there are at most FEW_MATCHES of
    them (whoever may see them), else None. One index lookup that stops at the limit."""
    if using not in query._found:
        connection = connections[using]
        sql, params = _matching_sql(connection, query, limit=FEW_MATCHES + 1)
        with connection.cursor() as cursor:
            cursor.execute(sql[1:-1], params)
            ids = [row[0] for row in cursor.fetchall()]
        query._found[using] = ids if len(ids) <= FEW_MATCHES else None
    return query._found[using]


class Matches(Func):
    """`EXISTS (a matching index entry for this report)`, checked row by row. The planner
    cannot turn it into a join: for a query known to match many reports, an ordered page
    then walks the reports in the page's order (newest first, by deadline, ...) and stops
    at the page's end, whatever the planner guesses about the words."""

    output_field = BooleanField()

    def __init__(self, query: SearchQuery):
        super().__init__(F("pk"))
        self.query = query

    def as_postgresql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        tsquery, params = tsquery_sql(self.query)
        # OFFSET 0 keeps PostgreSQL from rewriting the EXISTS into a semi-join.
        sql = (
            f"EXISTS (SELECT 1 FROM {TABLE} s WHERE s.report_id = {pk_sql} "
            f"AND s.document @@ {tsquery} OFFSET 0)"
        )
        return sql, [*pk_params, *params]

    def as_sqlite(self, compiler, connection):
        # SQLite reads the MATCH once into a temporary index and probes it per row.
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql, params = _matching_sql(connection, self.query)
        return f"{pk_sql} IN {sql}", [*pk_params, *params]

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"Full-text search is not built for {connection.vendor}")


class SearchRank(Func):
    """How well a report matches (higher is better): `ts_rank` on PostgreSQL (normalised by
    the document's length), minus `bm25` on SQLite (which is lower-is-better). Only
    meaningful on reports that match; a correlated subquery on the index table by id."""

    output_field = FloatField()

    def __init__(self, query: SearchQuery):
        super().__init__(F("pk"))
        self.query = query

    def as_postgresql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        tsquery, params = tsquery_sql(self.query)
        sql = (
            f"(SELECT ts_rank('{{{BODY_WEIGHT / TITLE_WEIGHT}, 0, 0, 1}}', s.document, "
            f"{tsquery}, 1) FROM {TABLE} s WHERE s.report_id = {pk_sql})"
        )
        return sql, [*params, *pk_params]

    def as_sqlite(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(SELECT -bm25(s.{TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}) FROM {TABLE} s "
            f"WHERE s.{TABLE} MATCH %s AND s.rowid = {pk_sql})"
        )
        return sql, [fts5_expression(self.query), *pk_params]

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"Full-text search is not built for {connection.vendor}")


def ranked_ids(matches: QuerySet, *, newest_first=("-submitted_at", "-id")) -> list[int]:
    """The ids of `matches` (a `search()` result), best match first, then newest first.

    Only the newest RANKED_CANDIDATES matches are ranked: ranking reads the index entry of
    every candidate, and a word found in a third of a million reports would otherwise cost
    seconds. Below that many matches (most searches of two words or more) every match is
    ranked; above it, the best of the recent ones come first, and the date orders still
    reach every match. One query: the candidates are found in date order (through the
    `(-submitted_at, ...)` index, stopping at the limit) with their rank, and put in order
    here."""
    rows = list(
        matches.order_by(*newest_first).values_list("pk", "search_rank")[:RANKED_CANDIDATES]
    )
    # A stable sort: reports of equal rank stay newest first.
    rows.sort(key=lambda row: -(row[1] or 0.0))
    return [pk for pk, _ in rows]


def search(queryset: QuerySet, query: SearchQuery | str, *, for_pages: bool = False) -> QuerySet:
    """The reports of `queryset` matching `query`, annotated with `search_rank`. An empty
    query matches nothing.

    A database estimates how many reports hold some words from statistics that know the
    common words only, and guesses combinations of words as if they were independent
    ("jalan" and "rusak" come together far more often). A wrong guess picks a plan that
    reads everything: told "a few hundred" for a word that matches nothing, PostgreSQL
    walks every report newest first looking for 20 matches; told "three" for a common pair
    of words, it fetches and sorts them all. So the index is asked first (`few_matches`):
    when at most FEW_MATCHES reports match, the query gets their ids as a list and reads
    just those rows. When more match, the filter is a semi-join for counting (the planner
    joins from the index while the count is small), and with `for_pages` a per-row check
    (`Matches`), so that a page ordered by date or deadline walks its index and stops
    early, matches being plentiful."""
    if isinstance(query, str):
        query = parse(query)
    if not query:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    ids = few_matches(query, using=queryset.db)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    elif for_pages:
        queryset = queryset.filter(Matches(query))
    else:
        queryset = queryset.filter(pk__in=MatchingReports(query))
    return queryset.annotate(search_rank=SearchRank(query))


# -- the index: created by the migration, checked after every migrate ---------------------

_SQLITE_TRIGGERS = {
    f"{TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON reports_report BEGIN
            INSERT INTO {TABLE} (rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    f"{TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON reports_report BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END""",
    f"{TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF title, body
        ON reports_report WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO {TABLE} (rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
}

_PG_TRIGGERS = (f"{TABLE}_insert", f"{TABLE}_update", f"{TABLE}_delete", f"{TABLE}_truncate")
_PG_FUNCTIONS = (f"{TABLE}_write", f"{TABLE}_delete", f"{TABLE}_truncate")


def _install_sqlite(cursor) -> None:
    # External content: the text stays in reports_report; FTS5 keeps only its index.
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, "
        "content='reports_report', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    for sql in _SQLITE_TRIGGERS.values():
        cursor.execute(sql)
    cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")


def _install_postgresql(cursor) -> None:
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    schema = cursor.fetchone()[0]
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {UNACCENT}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f'AS $$ SELECT "{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, $1) $$'
    )
    # No foreign key: Django empties tables with TRUNCATE and without CASCADE (test
    # teardown, `flush`); the triggers below keep both tables in step instead.
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(report_id bigint PRIMARY KEY, document tsvector NOT NULL)"
    )
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {TABLE}_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} (report_id, document)
            VALUES (NEW.id, {document_sql("NEW.title", "NEW.body")})
            ON CONFLICT (report_id) DO UPDATE SET document = EXCLUDED.document;
            RETURN NULL;
        END $$"""
    )
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {TABLE}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TABLE} WHERE report_id = OLD.id;
            RETURN NULL;
        END $$"""
    )
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE {TABLE};
            RETURN NULL;
        END $$"""
    )
    for name in _PG_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON reports_report")
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON reports_report "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_write()"
    )
    # Only a changed title or body: status changes never touch the index.
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF title, body ON reports_report "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title "
        "OR OLD.body IS DISTINCT FROM NEW.body) "
        f"EXECUTE FUNCTION {TABLE}_write()"
    )
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON reports_report "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_delete()"
    )
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON reports_report "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncate()"
    )
    # Existing reports; the GIN index is built after them (faster than row by row).
    cursor.execute(
        f"INSERT INTO {TABLE} (report_id, document) "
        f"SELECT id, {document_sql('title', 'body')} FROM reports_report "
        "ON CONFLICT (report_id) DO NOTHING"
    )
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_document_idx ON {TABLE} USING gin (document)"
    )


def install(connection) -> None:
    """Create (or complete) the search index and fill it from the reports."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _install_postgresql(cursor)
        elif connection.vendor == "sqlite":
            _install_sqlite(cursor)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in _PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON reports_report")
            for name in _PG_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {UNACCENT}(text)")
        elif connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def missing_parts(connection) -> list[str]:
    """The triggers (or table) of the index that are not there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = {row[0] for row in cursor.fetchall()}
            wanted = [TABLE, *_SQLITE_TRIGGERS]
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'reports_report'::regclass"
            )
            present = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
            if cursor.fetchone()[0]:
                present.add(TABLE)
            wanted = [TABLE, *_PG_TRIGGERS]
        else:
            return []
    return [name for name in wanted if name not in present]


def ensure_index(connection) -> list[str]:
    """Put back the triggers of an installed index (and rebuild it from the reports) when
    they are gone: Django rebuilds `reports_report` on SQLite for some later migrations
    (an altered column), which drops the table's triggers. Runs after every `migrate`;
    before the migration that creates the index it does nothing. Returns what was
    missing."""
    missing = missing_parts(connection)
    if missing and TABLE not in missing:
        install(connection)
        return missing
    return []
