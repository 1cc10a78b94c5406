"""The bare Django reference for intake (bench/intake.py): the least a Django view can do
for a submission on the same stack (gunicorn with deploy/gunicorn.conf.py, the same
PostgreSQL database and connection settings), so that Aduan's intake is measured against
Django itself and not only against raw psycopg."""
