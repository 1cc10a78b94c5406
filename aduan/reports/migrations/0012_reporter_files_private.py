"""A reporter's files stop being public until staff publish them.

Files a reporter sent that are public today (those attached to a submission, whoever typed
it in) become visible to the reporter and staff only; staff publish the ones the public
should see (`actions.publish_attachment`). Files staff attached to follow-ups stay public.
Two event types record publishing a file and withdrawing it.

Reversing keeps the reduced visibility: re-publishing files nobody reviewed is not safe.
"""

from django.db import migrations, models


def hide_reporter_files(apps, schema_editor):
    Attachment = apps.get_model("reports", "Attachment")
    Attachment.objects.filter(visibility="public").filter(
        models.Q(uploaded_by_reporter=True) | models.Q(event__type="submitted")
    ).update(visibility="parties", uploaded_by_reporter=True)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0011_attachment_generated_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="visibility",
            field=models.CharField(
                choices=[
                    ("public", "Publik"),
                    ("parties", "Pelapor dan petugas"),
                    ("internal", "Internal petugas"),
                ],
                default="parties",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("submitted", "Laporan diterima"),
                    ("region_suggested", "Wilayah disarankan dari koordinat"),
                    ("verified", "Laporan diverifikasi"),
                    ("dispositioned", "Didisposisikan ke instansi"),
                    ("forwarded", "Diteruskan ke unit kerja"),
                    ("put_on_hold", "Menunggu informasi dari pelapor"),
                    ("information_added", "Pelapor menambahkan informasi"),
                    ("archived", "Diarsipkan"),
                    ("returned", "Dikembalikan: bukan wewenang"),
                    ("redispositioned", "Didisposisikan ulang"),
                    ("acknowledged", "Diterima dan diproses"),
                    ("follow_up", "Tindak lanjut"),
                    ("internal_note", "Catatan internal"),
                    ("reporter_replied", "Pelapor menanggapi"),
                    ("accepted", "Pelapor menerima tanggapan"),
                    ("contested", "Pelapor mengajukan banding"),
                    ("rated", "Pelapor memberi penilaian"),
                    ("withdrawn", "Dicabut pelapor"),
                    ("closed", "Ditutup"),
                    ("auto_closed", "Ditutup otomatis (tidak ada tanggapan pelapor)"),
                    ("reminder", "Pengingat tenggat"),
                    ("escalated", "Dieskalasi karena melewati tenggat"),
                    ("attachment_published", "Lampiran dipublikasikan"),
                    ("attachment_unpublished", "Publikasi lampiran dibatalkan"),
                ],
                max_length=24,
            ),
        ),
        migrations.RunPython(hide_reporter_files, migrations.RunPython.noop, elidable=True),
    ]
