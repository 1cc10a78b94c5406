"""SQL creating and dropping the bare reference's tables (bench/intake.py runs it)."""

TABLES_SQL = [
    "CREATE SEQUENCE IF NOT EXISTS bench_bare_tracking_seq",
    "CREATE TABLE IF NOT EXISTS bench_bare_report (id bigserial PRIMARY KEY, "
    "tracking_number varchar(32) NOT NULL UNIQUE, title varchar(200) NOT NULL, "
    "body text NOT NULL, region_code varchar(13) NOT NULL, "
    "submitted_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_bare_event (id bigserial PRIMARY KEY, "
    "report_id bigint NOT NULL REFERENCES bench_bare_report (id) ON DELETE CASCADE, "
    "kind varchar(24) NOT NULL, at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bench_bare_event_report ON bench_bare_event (report_id)",
]
DROP_SQL = [
    "DROP TABLE IF EXISTS bench_bare_event",
    "DROP TABLE IF EXISTS bench_bare_report",
    "DROP SEQUENCE IF EXISTS bench_bare_tracking_seq",
]
