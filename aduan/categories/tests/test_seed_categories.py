import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from aduan.categories.management.commands.seed_categories import DATA_FILE, load_specs
from aduan.categories.models import Category

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_categories", *args, stdout=out)
    return out.getvalue()


def test_seeds_the_lapor_scope_as_a_two_level_tree():
    seed()

    top = {c.slug: c for c in Category.objects.filter(parent=None)}
    for slug in (
        "kesehatan",
        "perhubungan",
        "pendidikan",
        "administrasi-kependudukan",
        "perizinan",
        "lingkungan-hidup",
        "pariwisata",
        "pembangunan-daerah",
        "dana-desa",
        "infrastruktur",
        "ketenagakerjaan",
        "komunikasi-informatika",
        "perbankan",
        "ketentraman-ketertiban-umum",
        "sosial",
        "energi-air-bersih",
    ):
        assert slug in top
        assert 3 <= top[slug].children.count() <= 8
    jalan = Category.objects.get(slug="jalan-rusak")
    assert (jalan.parent.slug, jalan.name, jalan.name_en) == (
        "infrastruktur",
        "Jalan rusak",
        "Damaged roads",
    )
    assert Category.objects.get(slug="limbah-sawit").parent.name == "Lingkungan Hidup"
    for category in Category.objects.all():
        assert re.fullmatch(r"[a-z0-9-]+", category.slug)
        assert category.name and category.name_en
        assert category.is_active
        assert category.parent is None or category.parent.parent is None


def test_running_twice_creates_nothing_twice_and_restores_edited_names():
    seed()
    count = Category.objects.count()
    Category.objects.filter(slug="jalan-rusak").update(name="Jalan jelek", sort_order=99)
    Category.objects.filter(slug="sampah").update(is_active=False)
    own = Category.objects.create(
        slug="banjir-rob", name="Banjir rob", parent=Category.objects.get(slug="infrastruktur")
    )

    output = seed()

    assert Category.objects.count() == count + 1
    assert Category.objects.get(slug="jalan-rusak").name == "Jalan rusak"
    assert "diperbarui 1" in output and "baru 0" in output
    # An admin's deactivation and an admin's own category survive a re-seed.
    assert Category.objects.get(slug="sampah").is_active is False
    assert Category.objects.filter(pk=own.pk).exists()


def test_a_dry_run_writes_nothing():
    output = seed("--dry-run")

    assert Category.objects.count() == 0
    assert f"baru {len(load_specs())}" in output


def test_a_malformed_file_is_refused(tmp_path):
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["categories"][1]["children"].append(dict(data["categories"][0]["children"][0]))
    broken = tmp_path / "categories.json"
    broken.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ValueError, match="duplicate slug 'jalan-rusak'"):
        load_specs(broken)
