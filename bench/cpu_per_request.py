"""CPU and wall time per request of the staff pages, for comparing two versions of the code
on the same database in one run (interleave them: A B A B), which a shared, busy machine
allows where absolute latencies do not: CPU time per request moves far less with the
machine's load than wall time.

    DATABASE_URL=... ROOT=/path/to/a/checkout .venv/bin/python bench/cpu_per_request.py \
        30 inbox inbox_agency report

`ROOT`: the checkout whose code runs (default: this one). `inbox` is the national admin's
inbox, `inbox_agency` the agency admin's (Pemkab Kutai Timur), `report` the staff report
page bench/reads.py measures.
"""

import os
import sys
import time
from pathlib import Path

ROOT = os.environ.get("ROOT") or str(Path(__file__).resolve().parent.parent)
sys.path[:0] = [ROOT, ROOT + "/bench"]
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from aduan.accounts.models import User  # noqa: E402
from aduan.agencies.models import Agency  # noqa: E402
from aduan.reports.models import Report  # noqa: E402

USERS = {
    "inbox": "admin.nasional",
    "inbox_agency": "diskominfo.kutim",
    "report": "diskominfo.kutim",
}


def main():
    n = int(sys.argv[1])
    kutim = Agency.objects.get(name="Pemerintah Kabupaten Kutai Timur")
    report = (
        Report.objects.filter(agency=kutim, status="in_progress").order_by("-pk").first()
        or Report.objects.filter(agency=kutim).order_by("-pk").first()
    )
    for which in sys.argv[2:]:
        url = f"/petugas/laporan/{report.tracking_number}/" if which == "report" else "/petugas/"
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=USERS[which]))
        for _ in range(3):
            client.get(url)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            assert client.get(url).status_code == 200
        cpu = (time.process_time() - cpu0) / n * 1000
        wall = (time.perf_counter() - wall0) / n * 1000
        print(
            f"{os.path.basename(ROOT):8} {which:13} CPU {cpu:5.1f} ms  wall {wall:6.1f} ms "
            f"per request (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
