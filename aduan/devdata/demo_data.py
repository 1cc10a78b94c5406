"""Demo data for `manage.py seed_demo`: the government of Kabupaten Kutai Timur and its
neighbours, staff and citizen accounts, and the text corpora that demo reports are composed
from (`generate_reports` composes its synthetic reports from the same corpora).

Everything here is fictional but realistic: names of offices, districts, roads and rivers
are real places of Kutai Timur; people, companies and incidents are invented, and no real
company is named in a complaint. Contact data uses example.com / example.org addresses.
Only the development commands read this module; it is never loaded in production.
"""

from dataclasses import dataclass, field

from aduan.regions.models import TimeZone

# -------------------------------------------------------------------------- agencies


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    short_name: str
    officer: str  # username of the unit's officer
    categories: tuple[str, ...]
    jurisdiction: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    short_name: str
    kind: str
    jurisdiction: tuple[str, ...]
    admin: str  # username of the agency admin
    admin_name: tuple[str, str]  # (first_name, last_name) of the admin
    email: str
    timezone: str = TimeZone.WITA
    categories: tuple[str, ...] = ()
    units: tuple[UnitSpec, ...] = ()


NATIONAL = AgencySpec(
    key="national",
    name="Pengelola SP4N-LAPOR! Nasional (Kementerian PANRB)",
    short_name="Pengelola Nasional",
    kind="national",
    jurisdiction=(),
    admin="admin.nasional",
    admin_name=("Admin", "Pengelola SP4N-LAPOR! Nasional"),
    email="pengelola.nasional@example.org",
    timezone=TimeZone.WIB,
)

KUTIM_DISTRICT_OFFICES = (
    ("sangattautara", "Sangatta Utara", "64.08.04"),
    ("sangattaselatan", "Sangatta Selatan", "64.08.12"),
    ("bengalon", "Bengalon", "64.08.09"),
    ("sangkulirang", "Sangkulirang", "64.08.05"),
    ("muarawahau", "Muara Wahau", "64.08.02"),
)

KUTIM = AgencySpec(
    key="kutim",
    name="Pemerintah Kabupaten Kutai Timur",
    short_name="Pemkab Kutai Timur",
    kind="regency",
    jurisdiction=("64.08",),
    admin="diskominfo.kutim",
    admin_name=("Admin", "Diskominfo Staper Kutai Timur"),
    email="diskominfo.kutim@example.org",
    units=(
        UnitSpec(
            "pupr",
            "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Kutai Timur",
            "Dinas PUPR Kutim",
            "pu.kutim",
            (
                "jalan-rusak",
                "jembatan-rusak",
                "drainase-banjir",
                "trotoar-pejalan-kaki",
                "proyek-mangkrak",
                "kualitas-pekerjaan-proyek",
            ),
        ),
        UnitSpec(
            "dlh",
            "Dinas Lingkungan Hidup Kabupaten Kutai Timur",
            "DLH Kutim",
            "dlh.kutim",
            (
                "limbah-industri-tambang",
                "limbah-sawit",
                "sampah",
                "pencemaran-air",
                "pencemaran-udara",
                "kebakaran-hutan-lahan",
                "perusakan-hutan",
                "persetujuan-lingkungan",
            ),
        ),
        UnitSpec(
            "disperkim",
            "Dinas Perumahan dan Kawasan Permukiman Kabupaten Kutai Timur",
            "Disperkim Kutim",
            "disperkim.kutim",
            ("penerangan-jalan-umum", "fasilitas-umum", "rumah-tidak-layak-huni"),
        ),
        UnitSpec(
            "dishub",
            "Dinas Perhubungan Kabupaten Kutai Timur",
            "Dishub Kutim",
            "dishub.kutim",
            (
                "angkutan-umum",
                "rambu-lalu-lintas",
                "parkir",
                "kendaraan-odol",
                "pelabuhan-penyeberangan",
                "uji-kir",
            ),
        ),
        UnitSpec(
            "dinkes",
            "Dinas Kesehatan Kabupaten Kutai Timur",
            "Dinkes Kutim",
            "dinkes.kutim",
            (
                "puskesmas-kekurangan-tenaga",
                "layanan-bpjs-kesehatan",
                "obat-alat-kesehatan",
                "pelayanan-rumah-sakit",
                "posyandu-gizi-stunting",
                "ambulans-rujukan",
            ),
        ),
        UnitSpec(
            "disdikbud",
            "Dinas Pendidikan dan Kebudayaan Kabupaten Kutai Timur",
            "Disdikbud Kutim",
            "disdikbud.kutim",
            (
                "gedung-sekolah-rusak",
                "penerimaan-murid-baru",
                "pungutan-sekolah",
                "kekurangan-guru",
                "bantuan-pendidikan",
                "dana-bos",
            ),
        ),
        UnitSpec(
            "dinsos",
            "Dinas Sosial Kabupaten Kutai Timur",
            "Dinsos Kutim",
            "dinsos.kutim",
            (
                "bantuan-sosial",
                "data-penerima-bantuan",
                "pbi-jaminan-kesehatan",
                "disabilitas-lansia",
                "anak-terlantar",
            ),
        ),
        UnitSpec(
            "disdukcapil",
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kutai Timur",
            "Disdukcapil Kutim",
            "disdukcapil.kutim",
            (
                "ktp-elektronik",
                "kartu-keluarga",
                "akta-kelahiran-kematian",
                "pindah-datang",
                "identitas-kependudukan-digital",
                "calo-adminduk",
            ),
        ),
        UnitSpec(
            "dpmptsp",
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Kutai Timur",
            "DPMPTSP Kutim",
            "dpmptsp.kutim",
            (
                "persetujuan-bangunan-gedung",
                "izin-usaha",
                "izin-tambang-perkebunan",
                "usaha-tanpa-izin",
            ),
        ),
        UnitSpec(
            "satpolpp",
            "Satuan Polisi Pamong Praja Kabupaten Kutai Timur",
            "Satpol PP Kutim",
            "satpolpp.kutim",
            (
                "pedagang-kaki-lima",
                "bangunan-liar",
                "pungutan-liar",
                "gangguan-ketertiban",
                "minuman-keras-perjudian",
                "ternak-lepas",
            ),
        ),
        UnitSpec(
            "dpmdes",
            "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Kutai Timur",
            "DPMDes Kutim",
            "dpmdes.kutim",
            (
                "penyalahgunaan-dana-desa",
                "blt-dana-desa",
                "transparansi-apbdes",
                "pembangunan-desa",
                "bumdes",
            ),
        ),
        UnitSpec(
            "disnakertrans",
            "Dinas Tenaga Kerja dan Transmigrasi Kabupaten Kutai Timur",
            "Disnakertrans Kutim",
            "disnaker.kutim",
            (
                "upah",
                "phk-pesangon",
                "bpjs-ketenagakerjaan",
                "keselamatan-kerja",
                "tenaga-kerja-lokal",
                "pekerja-migran",
            ),
        ),
        UnitSpec(
            "dispar",
            "Dinas Pariwisata Kabupaten Kutai Timur",
            "Dispar Kutim",
            "dispar.kutim",
            (
                "fasilitas-wisata",
                "retribusi-wisata",
                "keamanan-kebersihan-wisata",
                "promosi-acara-wisata",
            ),
        ),
        UnitSpec(
            "diskominfo",
            "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Kutai Timur",
            "Diskominfo Staper Kutim",
            "kominfo.kutim",
            (
                "sinyal-internet",
                "aplikasi-layanan-pemerintah",
                "keterbukaan-informasi-publik",
                "hoaks-konten-negatif",
                "kebocoran-data-pribadi",
            ),
        ),
        UnitSpec(
            "pdam",
            "Perumda Air Minum Tirta Tuah Benua Kutai Timur",
            "PDAM Kutim",
            "pdam.kutim",
            ("air-bersih-pdam", "kualitas-air-pdam", "tagihan-listrik-air"),
        ),
        *(
            UnitSpec(
                f"kec_{slug}",
                f"Kantor Kecamatan {name}",
                f"Kec. {name}",
                f"kec.{slug}",
                ("pelayanan-kantor-desa", "usulan-musrenbang")
                + (("penerangan-jalan-umum",) if code in ("64.08.04", "64.08.12") else ())
                + (("ternak-lepas",) if code in ("64.08.02", "64.08.09") else ()),
                (code,),
            )
            for slug, name, code in KUTIM_DISTRICT_OFFICES
        ),
    ),
)

KALTIM = AgencySpec(
    key="kaltim",
    name="Pemerintah Provinsi Kalimantan Timur",
    short_name="Pemprov Kaltim",
    kind="province",
    jurisdiction=("64",),
    admin="admin.kaltim",
    admin_name=("Admin", "Diskominfo Provinsi Kalimantan Timur"),
    email="diskominfo.kaltim@example.org",
    units=(
        UnitSpec(
            "pupr_prov",
            "Dinas Pekerjaan Umum, Penataan Ruang dan Perumahan Rakyat Provinsi Kalimantan Timur",
            "Dinas PUPR-PERA Kaltim",
            "pupr.kaltim",
            ("jalan-rusak", "jembatan-rusak"),
        ),
        UnitSpec(
            "dlh_prov",
            "Dinas Lingkungan Hidup Provinsi Kalimantan Timur",
            "DLH Kaltim",
            "dlh.kaltim",
            ("limbah-industri-tambang", "kebakaran-hutan-lahan", "pencemaran-air"),
        ),
    ),
)

SAMARINDA = AgencySpec(
    key="samarinda",
    name="Pemerintah Kota Samarinda",
    short_name="Pemkot Samarinda",
    kind="regency",
    jurisdiction=("64.72",),
    admin="admin.samarinda",
    admin_name=("Admin", "Diskominfo Kota Samarinda"),
    email="diskominfo.samarinda@example.org",
    units=(
        UnitSpec(
            "pupr_smd",
            "Dinas Pekerjaan Umum dan Penataan Ruang Kota Samarinda",
            "Dinas PUPR Samarinda",
            "pupr.samarinda",
            ("jalan-rusak", "jembatan-rusak", "drainase-banjir"),
        ),
        UnitSpec(
            "dlh_smd",
            "Dinas Lingkungan Hidup Kota Samarinda",
            "DLH Samarinda",
            "dlh.samarinda",
            ("sampah", "pencemaran-air"),
        ),
    ),
)

# State-owned enterprises are connected to SP4N-LAPOR! like ministries.
PLN = AgencySpec(
    key="pln",
    name="PT PLN (Persero) Unit Pelaksana Pelayanan Pelanggan Bontang",
    short_name="PLN UP3 Bontang",
    kind="ministry",
    jurisdiction=("64.08",),
    admin="pln.bontang",
    admin_name=("Admin", "PLN UP3 Bontang"),
    email="pln.bontang@example.org",
    categories=("listrik-padam", "sambungan-listrik"),
)

AGENCIES = (NATIONAL, KUTIM, KALTIM, SAMARINDA, PLN)

# (category slug, region code, agency key, unit key or None). Kutai Timur's own rules are
# derived from each unit's categories (region 64.08); these are the rest. The most
# specific region wins, so the district rules beat the regency ones (agencies/routing.py).
PARENT_RULES_KUTIM = {
    "infrastruktur": "pupr",
    "lingkungan-hidup": "dlh",
    "kesehatan": "dinkes",
    "perhubungan": "dishub",
    "pendidikan": "disdikbud",
    "administrasi-kependudukan": "disdukcapil",
    "perizinan": "dpmptsp",
    "pariwisata": "dispar",
    "dana-desa": "dpmdes",
    "ketenagakerjaan": "disnakertrans",
    "komunikasi-informatika": "diskominfo",
    "ketentraman-ketertiban-umum": "satpolpp",
    "sosial": "dinsos",
}
EXTRA_RULES = (
    ("listrik-padam", "64.08", "pln", None),
    ("sambungan-listrik", "64.08", "pln", None),
    ("jalan-rusak", "64", "kaltim", "pupr_prov"),
    ("jembatan-rusak", "64", "kaltim", "pupr_prov"),
    ("limbah-industri-tambang", "64", "kaltim", "dlh_prov"),
    ("kebakaran-hutan-lahan", "64", "kaltim", "dlh_prov"),
    ("infrastruktur", "64.72", "samarinda", "pupr_smd"),
    ("jalan-rusak", "64.72", "samarinda", "pupr_smd"),
    ("drainase-banjir", "64.72", "samarinda", "pupr_smd"),
    ("jembatan-rusak", "64.72", "samarinda", "pupr_smd"),
    ("sampah", "64.72", "samarinda", "dlh_smd"),
    ("pencemaran-air", "64.72", "samarinda", "dlh_smd"),
)

CANNED_RESPONSES = (
    (
        "Laporan diteruskan ke perangkat daerah",
        "Terima kasih atas laporan Anda. Laporan telah kami terima dan diteruskan kepada "
        "perangkat daerah yang berwenang di lingkungan Pemerintah Kabupaten Kutai Timur untuk "
        "ditindaklanjuti. Perkembangannya dapat Anda pantau melalui nomor pelacakan laporan.",
    ),
    (
        "Mohon kelengkapan informasi",
        "Mohon maaf, laporan Anda belum dapat kami proses karena informasinya belum lengkap. "
        "Mohon lengkapi lokasi kejadian (nama jalan, RT, desa/kelurahan dan kecamatan), waktu "
        "kejadian, serta foto pendukung agar petugas dapat menemukan lokasinya.",
    ),
    (
        "Peninjauan lapangan dijadwalkan",
        "Terima kasih. Petugas kami telah menjadwalkan peninjauan lapangan ke lokasi yang Anda "
        "laporkan. Hasil peninjauan dan rencana penanganannya akan kami sampaikan melalui "
        "kanal ini.",
    ),
    (
        "Masuk rencana anggaran",
        "Berdasarkan hasil peninjauan, penanganan permasalahan yang Anda laporkan memerlukan "
        "pekerjaan fisik dan telah kami usulkan dalam rencana kerja dan anggaran perangkat "
        "daerah. Sementara itu dilakukan penanganan darurat agar aman dilalui warga.",
    ),
    (
        "Bukan kewenangan Pemkab Kutai Timur",
        "Setelah kami telaah, permasalahan yang Anda laporkan merupakan kewenangan instansi "
        "lain di luar Pemerintah Kabupaten Kutai Timur. Laporan telah kami kembalikan kepada "
        "pengelola SP4N-LAPOR! untuk diteruskan kepada instansi yang berwenang.",
    ),
)

# -------------------------------------------------------------------------- people

# Supervisors: (username, first name, last name, scope region code).
SUPERVISORS = (
    ("ombudsman.kaltim", "Ombudsman RI", "Perwakilan Kalimantan Timur", "64"),
    ("inspektorat.kutim", "Inspektorat", "Kabupaten Kutai Timur", "64.08"),
)

SUPERUSER = "superadmin"


@dataclass(frozen=True)
class Citizen:
    username: str
    name: str
    nik: str  # 16 digits: district code, birth date (+40 for women), serial
    phone: str
    email: str
    district: str


CITIZENS = (
    Citizen(
        "warga.sangatta",
        "Siti Rahmawati",
        "6408045203880001",
        "081254671203",
        "siti.rahmawati@example.com",
        "64.08.04",
    ),
    Citizen(
        "warga.sangattaselatan",
        "Rina Marlina Sari",
        "6408124308950004",
        "085246118790",
        "rina.marlina@example.com",
        "64.08.12",
    ),
    Citizen(
        "warga.bengalon",
        "Muhammad Yusuf Arifin",
        "6408090507790003",
        "081347720915",
        "yusuf.arifin@example.com",
        "64.08.09",
    ),
    Citizen(
        "warga.sangkulirang",
        "Nurhayati Daeng Masikki",
        "6408056111750002",
        "082158834402",
        "nurhayati.dm@example.com",
        "64.08.05",
    ),
    Citizen(
        "warga.wahau",
        "Yohanes Lung Ajang",
        "6408021402900005",
        "081350092117",
        "yohanes.lung@example.com",
        "64.08.02",
    ),
    Citizen(
        "warga.samarinda",
        "Dewi Anggraini",
        "6472034909920006",
        "085250337861",
        "dewi.anggraini@example.com",
        "64.72",
    ),
)

# Guests who report without an account are composed from these (Kutai, Banjar, Bugis,
# Javanese, Dayak and Toraja names, as in the regency's mixed population).
GUEST_FIRST_NAMES = (
    "Ahmad",
    "Aisyah",
    "Andi",
    "Ani",
    "Arif",
    "Bambang",
    "Budi",
    "Dahlia",
    "Darmawan",
    "Dedi",
    "Eka",
    "Fajar",
    "Fitri",
    "Hasanuddin",
    "Hendra",
    "Ika",
    "Irwan",
    "Juliana",
    "Kartini",
    "Lestari",
    "Made",
    "Markus",
    "Maria",
    "Nanang",
    "Nur",
    "Putri",
    "Rahmat",
    "Ratna",
    "Rudi",
    "Samsul",
    "Sri",
    "Suparman",
    "Syamsuddin",
    "Taufik",
    "Wahyuni",
    "Yanti",
)
GUEST_LAST_NAMES = (
    "Abdullah",
    "Aji",
    "Anwar",
    "Hidayat",
    "Kurniawan",
    "Lamba",
    "Lusi",
    "Mahmud",
    "Nasution",
    "Pakpahan",
    "Pratama",
    "Rante",
    "Saputra",
    "Setiawan",
    "Sulaiman",
    "Susanti",
    "Syahrani",
    "Tandirerung",
    "Wijaya",
    "Yulianto",
    "Hamid",
    "Ladjang",
    "Hartono",
    "Ningsih",
)
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0895")

# -------------------------------------------------------------------------- places


@dataclass(frozen=True)
class District:
    code: str
    name: str
    weight: float
    roads: tuple[str, ...]
    landmarks: tuple[str, ...]
    rivers: tuple[str, ...]
    # Approximate centre, for reports that carry only a map pin (None: never pin-only).
    center: tuple[float, float] | None = None


KUTIM_DISTRICTS = (
    District(
        "64.08.04",
        "Sangatta Utara",
        30,
        (
            "Jalan Yos Sudarso",
            "Jalan APT Pranoto",
            "Jalan Pendidikan",
            "Jalan Soekarno-Hatta",
            "Jalan Ilham Maulana",
            "Jalan Poros Sangatta–Bengalon",
        ),
        (
            "Pasar Induk Sangatta",
            "RSUD Kudungga",
            "Terminal Sangatta",
            "Masjid Agung Al-Faruq",
            "Pelabuhan Kenyamukan",
            "Kompleks Perkantoran Bukit Pelangi",
        ),
        ("Sungai Sangatta",),
        (0.5049, 117.5279),
    ),
    District(
        "64.08.12",
        "Sangatta Selatan",
        15,
        ("Jalan Poros Sangatta–Bontang", "Jalan Jenderal Sudirman", "Jalan Sangkima"),
        ("Pasar Sangatta Selatan", "Pantai Teluk Lombok", "SPBU Sangatta Selatan"),
        ("Sungai Sangatta", "Sungai Sangkima"),
        (0.4550, 117.5650),
    ),
    District(
        "64.08.09",
        "Bengalon",
        12,
        ("Jalan Poros Sangatta–Bengalon", "Jalan Poros Bengalon–Sangkulirang", "Jalan Sepaso"),
        ("Pasar Bengalon", "Puskesmas Bengalon", "Kantor Camat Bengalon"),
        ("Sungai Bengalon", "Sungai Sepaso"),
    ),
    District(
        "64.08.05",
        "Sangkulirang",
        8,
        ("Jalan Poros Sangkulirang–Kaliorang", "Jalan Pelabuhan Maloy", "Jalan Ahmad Yani"),
        ("Pelabuhan Sangkulirang", "Kawasan Industri Maloy", "Pasar Sangkulirang"),
        ("Sungai Sangkulirang",),
        (0.9770, 117.9803),
    ),
    District(
        "64.08.02",
        "Muara Wahau",
        8,
        ("Jalan Poros Wahau–Kombeng", "Jalan Trans Kalimantan Wahau", "Jalan Desa Wahau Baru"),
        ("Pasar Wahau", "Desa Budaya Nehes Liah Bing", "Puskesmas Muara Wahau"),
        ("Sungai Wahau", "Sungai Telen"),
    ),
    District(
        "64.08.13",
        "Teluk Pandan",
        5,
        ("Jalan Poros Bontang–Sangatta", "Jalan Kandolo"),
        ("Pasar Teluk Pandan", "Kantor Desa Suka Rahmat"),
        ("Sungai Kandolo",),
    ),
    District(
        "64.08.14",
        "Rantau Pulung",
        5,
        ("Jalan Poros Sangatta–Rantau Pulung", "Jalan Tanjung Labu"),
        ("Pasar Rantau Pulung", "SMPN 1 Rantau Pulung"),
        ("Sungai Sangatta",),
    ),
    District(
        "64.08.10",
        "Kaliorang",
        4,
        ("Jalan Poros Kaliorang–Kaubun", "Jalan Bukit Makmur"),
        ("Pasar Kaliorang", "Puskesmas Kaliorang"),
        ("Sungai Kaliorang",),
    ),
    District(
        "64.08.01",
        "Muara Ancalong",
        2,
        ("Jalan Poros Muara Ancalong",),
        ("Dermaga Muara Ancalong",),
        ("Sungai Kelinjau",),
    ),
    District(
        "64.08.15",
        "Kaubun",
        2,
        ("Jalan Poros Kaubun",),
        ("Pasar Kaubun",),
        ("Sungai Kaubun",),
    ),
)

SAMARINDA_DISTRICTS = (
    District(
        "64.72.03",
        "Samarinda Ulu",
        1,
        ("Jalan D.I. Panjaitan", "Jalan Juanda", "Jalan M. Yamin"),
        ("Simpang Air Hitam", "Pasar Segiri"),
        ("Sungai Karang Mumus",),
    ),
    District(
        "64.72.05",
        "Samarinda Utara",
        1,
        ("Jalan Pemuda", "Jalan P.M. Noor"),
        ("Bendungan Benanga", "Perumahan Bengkuring"),
        ("Sungai Karang Mumus",),
    ),
    District(
        "64.72.08",
        "Sungai Pinang",
        1,
        ("Jalan Lambung Mangkurat", "Jalan Pangeran Antasari"),
        ("Pasar Segiri",),
        ("Sungai Karang Mumus",),
    ),
)

# -------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class Topic:
    """A kind of report. titles[i] goes with openers[i % len(openers)], so a report's
    title and first sentence tell the same story; details, impacts and closings vary."""

    key: str
    category: str
    weight: float
    titles: tuple[str, ...]
    openers: tuple[str, ...]
    details: tuple[str, ...]
    followups: tuple[str, ...]
    report_type: str = "complaint"
    impacts: tuple[str, ...] = ()
    # District codes this happens in (empty: anywhere in Kutai Timur).
    districts: tuple[str, ...] = ()
    samarinda: bool = False
    needs_inspection: bool = False
    confidential_share: float = 0.05
    # A plausible but wrong unit, and what it says when it returns the report.
    wrong_unit: str | None = None
    unit_return: str = ""
    # What the Pemkab says when the topic is another agency's, and where it goes then.
    agency_return: str = ""
    redirect: tuple[str, str | None] | None = None
    # The parent category a hurried citizen might pick instead.
    parent: str = ""


TOPICS = (
    Topic(
        "jalan",
        "jalan-rusak",
        14,
        (
            "{road} berlubang dan membahayakan pengendara",
            "Kerusakan parah di {road}, {village}",
            "Mohon perbaikan {road} KM {km}",
            "{road} rusak berat setelah musim hujan",
            "Aspal {road} mengelupas, sering terjadi kecelakaan",
            "Jalan di depan {landmark} rusak dan berlumpur",
        ),
        (
            "Ruas {road} di sekitar {landmark}, {village}, berlubang di banyak titik sepanjang kurang lebih {meters} meter.",
            "Kondisi {road} KM {km} arah {district} rusak parah; aspalnya hilang dan tinggal tanah merah.",
            "Saya ingin melaporkan kerusakan jalan di {road} dekat {landmark}.",
            "Jalan yang setiap hari dilalui warga {village} menuju {landmark} kini penuh lubang.",
        ),
        (
            "Lubang terdalam sekitar {depth} cm dan selalu tergenang ketika hujan, sehingga tidak terlihat oleh pengendara.",
            "Kerusakan sudah berlangsung sekitar {months} bulan dan belum pernah ada perbaikan.",
            "Truk pengangkut batu bara dan tandan buah segar sawit terus melintas sehingga kerusakan makin parah.",
            "Pada malam hari lubang tidak terlihat karena lampu jalan di ruas ini juga mati.",
            "Warga sempat menimbun lubang dengan batu dan kayu secara swadaya, tetapi rusak lagi dalam seminggu.",
            "Saat kemarau jalan ini sangat berdebu sehingga mengganggu rumah-rumah di pinggir jalan.",
        ),
        (
            "Terima kasih atas laporannya. Tim UPT Pemeliharaan Jalan dan Jembatan telah meninjau lokasi pada {date}. Penambalan lubang dijadwalkan dalam dua minggu, sedangkan perbaikan menyeluruh diusulkan dalam APBD Perubahan.",
            "Ruas {road} telah ditambal pada {date} sepanjang kurang lebih {meters} meter. Untuk mencegah kerusakan berulang kami berkoordinasi dengan Dinas Perhubungan soal pembatasan truk bermuatan lebih.",
            "Laporan telah diverifikasi di lapangan. Perbaikan ruas ini termasuk paket rehabilitasi jalan tahun anggaran berjalan; penyedia jasa mulai bekerja pada {date}.",
        ),
        impacts=(
            "Minggu lalu dua pengendara sepeda motor terjatuh di titik ini.",
            "Anak sekolah harus berjalan memutar karena jalan licin dan berlumpur.",
            "Ambulans dan mobil pengangkut hasil kebun kesulitan lewat.",
            "Waktu tempuh ke pasar menjadi dua kali lebih lama.",
        ),
        samarinda=True,
        wrong_unit="dishub",
        unit_return="Perbaikan fisik jalan bukan tugas dan fungsi Dinas Perhubungan; mohon diteruskan ke Dinas PUPR.",
        agency_return="Ruas {road} berstatus jalan provinsi, sehingga pemeliharaannya menjadi kewenangan Pemerintah Provinsi Kalimantan Timur (Dinas PUPR-PERA).",
        redirect=("kaltim", "pupr_prov"),
        parent="infrastruktur",
    ),
    Topic(
        "jembatan",
        "jembatan-rusak",
        3,
        (
            "Jembatan ulin di {village} nyaris ambruk",
            "Lantai jembatan {river} berlubang",
            "Jembatan penghubung ke {landmark} miring dan retak",
        ),
        (
            "Jembatan kayu ulin yang melintasi {river} di {village} sudah lapuk dan beberapa papannya hilang.",
            "Lantai jembatan yang melintasi {river} di {village} berlubang di beberapa bagian.",
            "Jembatan satu-satunya yang menghubungkan permukiman {village} dengan {landmark} mulai miring.",
        ),
        (
            "Tiang penyangga di sisi hulu tergerus arus saat banjir bulan lalu.",
            "Kendaraan roda empat sudah tidak berani lewat sehingga warga harus memutar sejauh {km} km.",
            "Pagar pengaman jembatan patah dan sangat berbahaya bagi anak-anak.",
        ),
        (
            "Tim Dinas PUPR telah memeriksa jembatan pada {date}. Papan lantai yang hilang sudah diganti sementara dan jembatan dibatasi untuk kendaraan roda dua. Penggantian dengan jembatan beton diusulkan pada tahun anggaran berikutnya.",
            "Perbaikan darurat berupa penguatan tiang penyangga telah selesai dikerjakan pada {date}. Rambu batas beban sudah dipasang.",
        ),
        parent="infrastruktur",
    ),
    Topic(
        "banjir",
        "drainase-banjir",
        7,
        (
            "Banjir setiap hujan deras di {village}",
            "Drainase tersumbat di {road} menyebabkan genangan",
            "Parit di depan {landmark} meluap ke jalan",
            "Permukiman warga {village} terendam banjir",
        ),
        (
            "Setiap kali hujan deras lebih dari satu jam, air naik hingga {depth} cm di {road} dan masuk ke rumah warga.",
            "Saluran drainase di sepanjang {road} dekat {landmark} tertutup sedimen dan sampah.",
            "Parit di depan {landmark} meluap setiap hujan deras dan airnya menggenangi {road}.",
            "Permukiman di {village} kembali terendam setelah hujan semalam.",
        ),
        (
            "Gorong-gorong di bawah jalan terlalu kecil sehingga air tertahan.",
            "Banjir biasanya surut setelah {hours} jam tetapi meninggalkan lumpur tebal.",
            "Sebagian saluran tertutup bangunan ruko sehingga tidak bisa dibersihkan.",
            "Air kiriman dari {river} ikut naik ketika hujan di hulu.",
        ),
        (
            "Tim Dinas PUPR telah melakukan normalisasi saluran sepanjang {meters} meter di lokasi pada {date}. Pembesaran gorong-gorong masuk dalam usulan program pengendalian banjir.",
            "Pengerukan sedimen dan pembersihan saluran dilakukan bersama warga dan kecamatan pada {date}. Kami mengimbau warga tidak membuang sampah ke saluran.",
        ),
        impacts=(
            "Kendaraan mogok dan warga tidak bisa berangkat kerja.",
            "Peralatan rumah tangga warga rusak terendam.",
            "Anak-anak tidak bisa berangkat sekolah ketika banjir.",
        ),
        samarinda=True,
        parent="infrastruktur",
    ),
    Topic(
        "pju",
        "penerangan-jalan-umum",
        6,
        (
            "Lampu jalan mati di {road}",
            "Penerangan jalan umum padam sepanjang {road}",
            "PJU di dekat {landmark} sudah {months} bulan mati",
        ),
        (
            "Lampu penerangan jalan umum di {road}, {village}, padam di sekitar {n} tiang.",
            "Sepanjang {road} lampu penerangan jalan umum padam sehingga jalan gelap gulita pada malam hari.",
            "Sudah {months} bulan lampu jalan di dekat {landmark} tidak menyala.",
        ),
        (
            "Ruas ini sangat gelap pada malam hari dan rawan kejahatan.",
            "Beberapa kabel terlihat menjuntai dari tiang dan membahayakan.",
            "Warga sudah melapor ke RT tetapi belum ada tindak lanjut.",
        ),
        (
            "Petugas telah mengganti {n} lampu PJU yang rusak di {road} pada {date}. Kabel yang menjuntai sudah dirapikan.",
            "Pemeriksaan pada {date} menemukan panel PJU rusak tersambar petir. Panel telah diganti dan lampu kembali menyala.",
        ),
        wrong_unit="dishub",
        unit_return="Pemeliharaan lampu penerangan jalan umum bukan tugas Dinas Perhubungan; mohon diteruskan ke Disperkim atau kantor kecamatan.",
        parent="infrastruktur",
    ),
    Topic(
        "limbah_tambang",
        "limbah-industri-tambang",
        7,
        (
            "Air {river} keruh kecokelatan, diduga limbah tambang batu bara",
            "Dugaan pembuangan air limbah tambang ke {river}",
            "Kolam pengendapan tambang jebol di dekat {village}",
        ),
        (
            "Sejak {days} hari terakhir air {river} di {village} berubah keruh kecokelatan dan berbau.",
            "Warga melihat saluran pembuangan dari area tambang batu bara di hulu {river} mengalir langsung ke sungai tanpa melewati kolam pengendapan.",
            "Tanggul kolam pengendapan air tambang di dekat {village} jebol setelah hujan deras.",
        ),
        (
            "Ikan-ikan kecil mati mengapung di tepi sungai.",
            "Air sungai ini masih dipakai warga untuk mandi dan mencuci.",
            "Petambak di hilir mengeluh udang dan ikannya mati.",
            "Kejadian serupa pernah terjadi tahun lalu tanpa penjelasan dari perusahaan.",
        ),
        (
            "Tim DLH telah mengambil sampel air {river} pada {date}. Hasil uji laboratorium menunjukkan TSS di atas baku mutu; perusahaan diberi teguran tertulis dan wajib memperbaiki kolam pengendapan dalam 30 hari.",
            "DLH telah melakukan verifikasi lapangan pada {date} bersama pemerintah desa. Temuan juga kami teruskan kepada Inspektur Tambang Kementerian ESDM yang berwenang mengawasi izin pertambangan.",
        ),
        districts=("64.08.04", "64.08.09", "64.08.12", "64.08.13", "64.08.14"),
        needs_inspection=True,
        confidential_share=0.1,
        agency_return="Lokasi tambang berada di perbatasan dengan kabupaten lain dan izinnya diterbitkan provinsi; mohon dialihkan ke DLH Provinsi Kalimantan Timur.",
        redirect=("kaltim", "dlh_prov"),
        parent="lingkungan-hidup",
    ),
    Topic(
        "limbah_sawit",
        "limbah-sawit",
        5,
        (
            "Bau menyengat limbah pabrik kelapa sawit di {village}",
            "Limbah cair pabrik sawit mengalir ke {river}",
            "Kolam limbah PKS meluap saat hujan di {village}",
        ),
        (
            "Warga {village} mencium bau busuk dari kolam limbah pabrik kelapa sawit terutama pada malam hari.",
            "Air {river} di sekitar {village} menjadi hitam berminyak, diduga limbah cair pabrik kelapa sawit.",
            "Kolam limbah pabrik kelapa sawit di dekat {village} meluap setiap hujan deras dan alirannya masuk ke parit warga.",
        ),
        (
            "Bau tercium hingga permukiman yang berjarak sekitar {km} km dari pabrik.",
            "Banyak warga, terutama anak-anak, mengeluh mual dan sesak napas.",
            "Ikan di keramba warga mati dalam beberapa hari terakhir.",
        ),
        (
            "DLH telah memeriksa instalasi pengolahan air limbah pabrik pada {date}. Ditemukan kolam yang penuh; perusahaan diperintahkan menguras kolam dan melaporkan hasil uji air limbah setiap bulan.",
            "Pengambilan sampel air {river} dilakukan pada {date}. Sambil menunggu hasil laboratorium, perusahaan diwajibkan menghentikan aplikasi limbah ke lahan di dekat sungai.",
        ),
        districts=("64.08.02", "64.08.09", "64.08.05", "64.08.10", "64.08.14", "64.08.15"),
        needs_inspection=True,
        parent="lingkungan-hidup",
    ),
    Topic(
        "sampah",
        "sampah",
        7,
        (
            "Sampah menumpuk di TPS dekat {landmark} tidak diangkut",
            "Truk sampah tidak datang ke {village} selama {weeks} minggu",
            "Tumpukan sampah liar di pinggir {road}",
            "Sampah dibakar di dekat permukiman {village}",
        ),
        (
            "Tempat penampungan sementara di dekat {landmark} sudah penuh dan sampah meluber ke jalan.",
            "Sudah {weeks} minggu truk sampah tidak mengangkut sampah di {village}.",
            "Ada tumpukan sampah liar di pinggir {road} yang makin lama makin besar.",
            "Warga di sekitar {village} membakar sampah di lahan kosong karena tidak ada pengangkutan; asapnya masuk ke rumah-rumah.",
        ),
        (
            "Baunya sangat menyengat dan banyak lalat.",
            "Sampah berserakan dibongkar anjing liar.",
            "Sebagian warga akhirnya membakar sampah sehingga asapnya masuk ke rumah.",
            "Air lindi dari tumpukan sampah mengalir ke parit.",
        ),
        (
            "DLH telah mengangkut sampah di lokasi pada {date} dan menambah jadwal pengangkutan menjadi tiga kali seminggu.",
            "Petugas kebersihan membersihkan lokasi pada {date}. Papan larangan membuang sampah sudah dipasang dan Satpol PP akan melakukan patroli.",
        ),
        samarinda=True,
        parent="lingkungan-hidup",
    ),
    Topic(
        "karhutla",
        "kebakaran-hutan-lahan",
        2,
        ("Asap kebakaran lahan di sekitar {village}", "Pembakaran lahan untuk kebun di {village}"),
        (
            "Sejak {days} hari terakhir asap tebal dari lahan yang terbakar menyelimuti {village}.",
            "Ada pembakaran lahan untuk pembukaan kebun di dekat {landmark}.",
        ),
        (
            "Jarak pandang di {road} menjadi pendek pada pagi hari.",
            "Api terlihat menjalar mendekati kebun warga.",
        ),
        (
            "Tim Manggala Agni dan BPBD bersama DLH telah memadamkan titik api pada {date}. Pemilik lahan telah dipanggil untuk dimintai keterangan.",
        ),
        districts=("64.08.02", "64.08.09", "64.08.14", "64.08.10"),
        parent="lingkungan-hidup",
    ),
    Topic(
        "puskesmas",
        "puskesmas-kekurangan-tenaga",
        5,
        (
            "Puskesmas {district} tidak ada dokter jaga",
            "Puskesmas pembantu di {village} sering tutup",
            "Antrean panjang di Puskesmas {district} karena petugas kurang",
            "Bidan desa {village} tidak ada di tempat",
        ),
        (
            "Saya membawa anak berobat ke Puskesmas {district} tetapi tidak ada dokter yang berjaga.",
            "Puskesmas pembantu di {village} sering tutup pada jam pelayanan.",
            "Pelayanan di Puskesmas {district} sangat lambat karena petugasnya sedikit.",
            "Bidan desa di {village} sering tidak berada di tempat sehingga ibu hamil dan balita tidak terlayani.",
        ),
        (
            "Pasien datang pukul 08.00 dan baru dilayani pukul 13.00.",
            "Dokter umum hanya datang dua kali seminggu.",
            "Pustu tutup sejak bidannya pindah tugas {months} bulan lalu.",
            "Ibu hamil harus ke Sangatta yang berjarak {km} km untuk periksa.",
        ),
        (
            "Dinas Kesehatan telah menugaskan seorang dokter tambahan di Puskesmas {district} mulai {date}. Jadwal jaga dokter kini dipasang di ruang tunggu.",
            "Mulai {date} pustu kembali buka setiap hari kerja dengan bidan pengganti. Terima kasih atas laporannya.",
        ),
        parent="kesehatan",
    ),
    Topic(
        "bpjs",
        "layanan-bpjs-kesehatan",
        2,
        (
            "Pasien BPJS diminta membeli obat sendiri",
            "Kartu BPJS Kesehatan tiba-tiba tidak aktif",
        ),
        (
            "Orang tua saya dirawat sebagai pasien BPJS Kesehatan di {landmark} tetapi diminta membeli sendiri obat di apotek luar.",
            "Kartu BPJS Kesehatan keluarga kami yang selama ini ditanggung pemerintah daerah tiba-tiba tidak aktif saat berobat.",
        ),
        (
            "Kami terpaksa mengeluarkan biaya sendiri sekitar Rp{amount}.",
            "Petugas tidak memberikan penjelasan yang jelas.",
        ),
        (
            "Dinas Kesehatan telah berkoordinasi dengan rumah sakit pada {date}. Biaya obat yang dibeli pasien akan dikembalikan dengan menunjukkan kuitansi.",
            "Kepesertaan telah diaktifkan kembali pada {date} setelah pemutakhiran data. Kartu dapat langsung digunakan.",
        ),
        parent="kesehatan",
    ),
    Topic(
        "obat",
        "obat-alat-kesehatan",
        2,
        (
            "Stok obat di Puskesmas {district} kosong",
            "Alat kesehatan rusak di Puskesmas {district}",
        ),
        (
            "Sudah dua kali saya berobat ke Puskesmas {district} dan diberi resep untuk dibeli di luar karena stok kosong.",
            "Alat laboratorium di Puskesmas {district} rusak sehingga pemeriksaan darah harus dirujuk.",
        ),
        (
            "Kejadian ini sudah berulang sejak {months} bulan terakhir.",
            "Pasien yang kurang mampu sangat terbebani.",
        ),
        (
            "Distribusi obat dari Instalasi Farmasi Kabupaten ke Puskesmas {district} telah dilakukan pada {date}.",
        ),
        parent="kesehatan",
    ),
    Topic(
        "ktp",
        "ktp-elektronik",
        4,
        (
            "KTP-el belum jadi setelah {months} bulan menunggu",
            "Blangko KTP-el kosong di Disdukcapil",
            "Perekaman KTP-el untuk lansia di {village}",
            "Diminta membayar untuk mempercepat pembuatan KTP-el",
        ),
        (
            "Saya sudah melakukan perekaman KTP-el sejak {months} bulan lalu tetapi sampai sekarang belum dicetak.",
            "Saat mengambil KTP-el di Disdukcapil saya diberi tahu blangko sedang kosong dan diminta kembali bulan depan.",
            "Orang tua saya yang sudah lanjut usia di {village} belum bisa merekam KTP-el karena tidak kuat datang ke Sangatta.",
            "Seorang oknum menawarkan percepatan pencetakan KTP-el dengan biaya Rp{amount}.",
        ),
        (
            "Setiap kali datang saya hanya diberi surat keterangan sementara.",
            "KTP-el dibutuhkan untuk mengurus pencairan bantuan dan rekening bank.",
            "Jarak dari {village} ke kantor Disdukcapil sekitar {km} km.",
        ),
        (
            "KTP-el atas nama pelapor telah dicetak pada {date} dan dapat diambil di Mal Pelayanan Publik Sangatta dengan membawa bukti perekaman.",
            "Disdukcapil akan melaksanakan perekaman KTP-el keliling (jemput bola) di kantor desa {village} pada {next_date}.",
        ),
        districts=(),
        confidential_share=0.08,
        parent="administrasi-kependudukan",
    ),
    Topic(
        "kk",
        "kartu-keluarga",
        2,
        ("Perubahan Kartu Keluarga belum selesai", "Nama anak salah ketik di Kartu Keluarga"),
        (
            "Saya mengajukan penambahan anggota keluarga di Kartu Keluarga {weeks} minggu lalu dan belum selesai.",
            "Nama anak saya di Kartu Keluarga salah ketik sehingga tidak sama dengan akta kelahiran.",
        ),
        (
            "Dokumen ini dibutuhkan untuk pendaftaran sekolah.",
            "Berkas sudah lengkap saat diserahkan.",
        ),
        (
            "Kartu Keluarga yang diperbaiki telah diterbitkan pada {date} dan dikirim dalam bentuk PDF ke surel pelapor.",
        ),
        parent="administrasi-kependudukan",
    ),
    Topic(
        "sekolah",
        "gedung-sekolah-rusak",
        4,
        (
            "Atap ruang kelas {school} bocor dan plafon runtuh",
            "Gedung {school} rusak, murid belajar di teras",
            "Toilet {school} tidak layak pakai",
        ),
        (
            "Plafon dua ruang kelas di {school} runtuh setelah hujan deras.",
            "Sebagian ruang kelas {school} di {village} rusak berat sehingga murid belajar di teras dan musala.",
            "Toilet di {school} rusak dan tidak ada air bersih.",
        ),
        (
            "Kerangka atap dari kayu sudah lapuk dimakan rayap.",
            "Jumlah murid yang terdampak sekitar {n}0 anak.",
            "Komite sekolah sudah mengusulkan perbaikan sejak tahun lalu.",
        ),
        (
            "Disdikbud telah meninjau {school} pada {date}. Rehabilitasi ruang kelas diusulkan melalui DAK Fisik; sementara itu dua ruang kelas dipindahkan ke gedung perpustakaan.",
            "Perbaikan atap dan plafon di {school} telah selesai dikerjakan pada {date} menggunakan dana pemeliharaan.",
        ),
        parent="pendidikan",
    ),
    Topic(
        "pungli_sekolah",
        "pungutan-sekolah",
        2,
        ("Pungutan uang seragam dan buku di {school}", "Sumbangan wajib Rp{amount} di {school}"),
        (
            "Orang tua murid baru di {school} diwajibkan membayar uang seragam dan buku sebesar Rp{amount}.",
            "Komite {school} menetapkan sumbangan wajib bagi setiap murid tanpa melihat kemampuan orang tua.",
        ),
        (
            "Murid yang belum membayar tidak diberi kartu ujian.",
            "Tidak ada rincian penggunaan uang tersebut.",
        ),
        (
            "Disdikbud telah memanggil kepala sekolah dan komite pada {date}. Pungutan yang bersifat wajib dihentikan dan dana yang sudah dipungut akan dikembalikan.",
        ),
        confidential_share=0.5,
        parent="pendidikan",
    ),
    Topic(
        "bansos",
        "bantuan-sosial",
        3,
        (
            "Bantuan PKH tidak cair sejak {months} bulan",
            "Penerima bantuan di {village} tidak tepat sasaran",
            "Nama orang tua saya hilang dari daftar penerima bantuan",
        ),
        (
            "Ibu saya penerima PKH di {village}, tetapi sejak {months} bulan terakhir bantuan tidak lagi masuk ke rekeningnya.",
            "Di {village} ada warga mampu yang menerima bantuan, sedangkan janda lansia di RT kami tidak pernah terdata.",
            "Nama orang tua saya yang lanjut usia tiba-tiba tidak ada lagi dalam daftar penerima bantuan sosial di {village}.",
        ),
        (
            "Pendamping PKH sudah dihubungi tetapi belum ada kejelasan.",
            "Kami sudah mengusulkan melalui musyawarah desa.",
        ),
        (
            "Dinas Sosial telah memeriksa data pada {date}. Kepesertaan dihentikan karena data kependudukan tidak padan; setelah perbaikan NIK, pelapor diusulkan kembali pada periode berikutnya.",
            "Verifikasi lapangan penerima bantuan di {village} dilakukan pada {date} bersama pendamping sosial. Hasilnya dibahas dalam musyawarah desa untuk pemutakhiran data.",
        ),
        parent="sosial",
    ),
    Topic(
        "pdam",
        "air-bersih-pdam",
        4,
        (
            "Air PDAM tidak mengalir di {village} sudah {days} hari",
            "Air PDAM hanya mengalir tengah malam di {road}",
        ),
        (
            "Sudah {days} hari air PDAM di {village} tidak mengalir sama sekali.",
            "Di sekitar {road} air PDAM hanya mengalir kecil antara pukul 00.00 dan 03.00.",
        ),
        (
            "Warga terpaksa membeli air tandon seharga Rp{amount} per tandon.",
            "Tidak ada pemberitahuan gangguan dari PDAM.",
            "Tagihan bulanan tetap datang seperti biasa.",
        ),
        (
            "PDAM telah memperbaiki pipa transmisi yang bocor pada {date}; aliran air ke {village} kembali normal.",
            "Gangguan disebabkan pompa intake yang rusak. Pompa cadangan dipasang pada {date}, dan selama perbaikan PDAM mengirim air dengan mobil tangki.",
        ),
        districts=("64.08.04", "64.08.12", "64.08.09", "64.08.05"),
        parent="energi-air-bersih",
    ),
    Topic(
        "listrik",
        "listrik-padam",
        2,
        (
            "Listrik sering padam di {village}",
            "Pemadaman listrik bergilir tanpa pemberitahuan di {district}",
        ),
        (
            "Dalam seminggu terakhir listrik di {village} padam hampir setiap malam.",
            "Pemadaman listrik di {district} terjadi berjam-jam tanpa pemberitahuan.",
        ),
        (
            "Peralatan elektronik warga rusak karena tegangan naik turun.",
            "Usaha kecil warga seperti penggilingan padi terganggu.",
        ),
        (
            "PLN telah mengganti trafo yang kelebihan beban di {village} pada {date}. Jadwal pemeliharaan jaringan akan diumumkan melalui media sosial PLN.",
        ),
        districts=("64.08.02", "64.08.05", "64.08.09", "64.08.10", "64.08.14"),
        agency_return="Gangguan dan pemadaman listrik merupakan kewenangan PT PLN (Persero), bukan perangkat daerah Pemkab Kutai Timur.",
        redirect=("pln", None),
        parent="energi-air-bersih",
    ),
    Topic(
        "sinyal",
        "sinyal-internet",
        2,
        (
            "Tidak ada sinyal seluler di {village}",
            "Internet desa {village} mati, layanan desa terhambat",
        ),
        (
            "{village} masih menjadi titik tanpa sinyal seluler; warga harus naik ke bukit untuk menelepon.",
            "Akses internet di kantor desa {village} mati sejak {weeks} minggu lalu.",
        ),
        (
            "Anak sekolah kesulitan mengikuti ujian daring.",
            "Pelayanan surat-menyurat di desa terhambat.",
        ),
        (
            "Diskominfo Staper telah mengusulkan {village} sebagai lokasi pembangunan BTS kepada BAKTI Komdigi pada {date}. Sementara itu akses internet desa dipulihkan dengan perangkat VSAT.",
        ),
        districts=("64.08.02", "64.08.05", "64.08.01", "64.08.15", "64.08.10"),
        parent="komunikasi-informatika",
    ),
    Topic(
        "dana_desa",
        "transparansi-apbdes",
        2,
        (
            "Papan informasi APBDes {village} tidak pernah dipasang",
            "Dugaan penggelembungan anggaran semenisasi jalan di {village}",
        ),
        (
            "Pemerintah desa {village} tidak pernah memasang papan informasi APBDes sehingga warga tidak tahu penggunaan Dana Desa.",
            "Semenisasi jalan lingkungan di {village} yang dianggarkan dari Dana Desa hanya sepanjang {meters} meter, jauh dari yang diumumkan.",
        ),
        ("Warga yang bertanya malah dimarahi.", "Kualitas cor semen sudah retak dalam satu bulan."),
        (
            "DPMDes bersama Inspektorat melakukan pembinaan ke desa {village} pada {date}. Papan informasi APBDes telah dipasang dan laporan realisasi diumumkan di kantor desa.",
        ),
        confidential_share=0.6,
        parent="dana-desa",
    ),
    Topic(
        "odol",
        "kendaraan-odol",
        2,
        ("Truk bermuatan lebih merusak {road}", "Truk sawit parkir di bahu {road} malam hari"),
        (
            "Truk bermuatan lebih terus melintas di {road} siang dan malam.",
            "Truk pengangkut sawit parkir berjajar di bahu {road} tanpa lampu pada malam hari.",
        ),
        (
            "Sudah terjadi kecelakaan karena pengendara menabrak truk yang parkir.",
            "Jalan yang baru diperbaiki kembali rusak.",
        ),
        (
            "Dinas Perhubungan bersama Satlantas melaksanakan razia ODOL di {road} pada {date}; {n} kendaraan ditindak dan dilarang melintas.",
        ),
        parent="perhubungan",
    ),
    Topic(
        "pungli",
        "pungutan-liar",
        2,
        ("Pungutan liar parkir di {landmark}", "Oknum meminta uang di {road}"),
        (
            "Juru parkir tanpa karcis resmi menarik uang Rp{amount} di {landmark}.",
            "Ada oknum yang meminta uang kepada sopir truk di {road} dengan alasan uang keamanan.",
        ),
        (
            "Jika tidak membayar, kendaraan dihalangi.",
            "Kejadian ini berlangsung hampir setiap hari.",
        ),
        (
            "Satpol PP telah melakukan penertiban di lokasi pada {date}; juru parkir tanpa izin diminta menghentikan kegiatannya dan lokasi dipantau secara berkala.",
        ),
        confidential_share=0.4,
        parent="ketentraman-ketertiban-umum",
    ),
    Topic(
        "ternak",
        "ternak-lepas",
        1,
        ("Sapi berkeliaran di {road} membahayakan pengendara",),
        ("Banyak sapi dilepas tanpa kandang dan berkeliaran di {road} terutama malam hari.",),
        (
            "Sudah ada pengendara motor yang menabrak sapi.",
            "Kotoran ternak mengotori jalan dan halaman warga.",
        ),
        ("Petugas telah mendata pemilik ternak dan memberikan teguran tertulis pada {date}.",),
        districts=("64.08.02", "64.08.09", "64.08.10"),
        parent="ketentraman-ketertiban-umum",
    ),
    Topic(
        "pkl",
        "pedagang-kaki-lima",
        1,
        ("Pedagang kaki lima menutup trotoar {road}",),
        ("Pedagang kaki lima berjualan di trotoar dan bahu {road} depan {landmark}.",),
        ("Pejalan kaki terpaksa berjalan di badan jalan.", "Kemacetan terjadi setiap sore."),
        (
            "Satpol PP bersama Dinas Perdagangan telah merelokasi pedagang ke lokasi yang disediakan pada {date}.",
        ),
        districts=("64.08.04", "64.08.12"),
        parent="ketentraman-ketertiban-umum",
    ),
    Topic(
        "pbg",
        "persetujuan-bangunan-gedung",
        1,
        ("Pengurusan PBG rumah tinggal tidak ada kepastian",),
        (
            "Saya mengajukan Persetujuan Bangunan Gedung untuk rumah tinggal sejak {months} bulan lalu dan statusnya masih menunggu.",
        ),
        (
            "Tidak ada informasi kekurangan berkas.",
            "Saya sudah datang {n} kali ke kantor pelayanan.",
        ),
        (
            "Permohonan PBG pelapor telah diproses dan diterbitkan pada {date}. Dokumen dapat diunduh melalui SIMBG.",
        ),
        parent="perizinan",
    ),
    Topic(
        "tenaga_kerja",
        "upah",
        1,
        ("Gaji pekerja kebun belum dibayar {months} bulan",),
        (
            "Kami pekerja harian lepas di sebuah perusahaan perkebunan di {district} belum menerima upah selama {months} bulan.",
        ),
        (
            "Jumlah pekerja yang terdampak sekitar {n}0 orang.",
            "Upah yang dibayarkan juga di bawah UMK Kutai Timur.",
        ),
        (
            "Pengawas ketenagakerjaan telah memanggil manajemen perusahaan pada {date}. Perusahaan berjanji melunasi upah yang tertunggak dalam dua minggu.",
        ),
        districts=("64.08.02", "64.08.09", "64.08.10", "64.08.15"),
        confidential_share=0.3,
        parent="ketenagakerjaan",
    ),
    # Aspirations (usulan) and information requests: 5 working days to complete.
    Topic(
        "usulan_taman",
        "fasilitas-umum",
        3,
        (
            "Usulan taman bermain anak di {village}",
            "Usulan ruang terbuka hijau di dekat {landmark}",
        ),
        (
            "Kami warga {village} mengusulkan pembangunan taman bermain anak di lahan kosong dekat {landmark}.",
        ),
        (
            "Saat ini anak-anak bermain di pinggir jalan.",
            "Lahan tersebut milik pemerintah daerah dan tidak terpakai.",
        ),
        ("Usulan telah kami catat dan akan dibahas dalam Musrenbang kecamatan pada {next_date}.",),
        report_type="aspiration",
        parent="infrastruktur",
    ),
    Topic(
        "usulan_musrenbang",
        "usulan-musrenbang",
        3,
        ("Usulan semenisasi jalan lingkungan RT {rt} {village}",),
        (
            "Warga RT {rt} {village} mengusulkan semenisasi jalan lingkungan sepanjang {meters} meter.",
        ),
        (
            "Jalan tersebut dilalui {n}0 kepala keluarga setiap hari.",
            "Usulan sudah disepakati dalam rapat RT.",
        ),
        ("Usulan telah dimasukkan dalam daftar prioritas Musrenbang kecamatan tanggal {date}.",),
        report_type="aspiration",
        districts=("64.08.04", "64.08.12", "64.08.09", "64.08.05", "64.08.02"),
        parent="pembangunan-daerah",
    ),
    Topic(
        "info_ktp",
        "ktp-elektronik",
        2.5,
        ("Informasi jadwal perekaman KTP-el keliling di {district}",),
        ("Mohon informasi kapan ada perekaman KTP-el keliling di {district}.",),
        ("Banyak pemilih pemula di desa kami yang belum merekam.",),
        (
            "Perekaman KTP-el keliling di {district} dijadwalkan pada {next_date}, bertempat di kantor camat, pukul 08.00–14.00 WITA.",
        ),
        report_type="information_request",
        parent="administrasi-kependudukan",
    ),
    Topic(
        "info_spmb",
        "penerimaan-murid-baru",
        2,
        ("Informasi pendaftaran murid baru SMP negeri di {district}",),
        ("Mohon informasi syarat dan jadwal pendaftaran murid baru SMP negeri di {district}.",),
        ("Anak saya lulus SD tahun ini.",),
        (
            "Pendaftaran SPMB jenjang SMP dibuka mulai {next_date} secara daring; syarat lengkap dapat dilihat di situs Disdikbud Kutai Timur atau di sekolah tujuan.",
        ),
        report_type="information_request",
        parent="pendidikan",
    ),
)

# Reports that are archived at verification, with the reason and the verifier's note.
ARCHIVE_STORIES = (
    (
        "spam",
        "Pinjaman cepat cair tanpa jaminan",
        "Butuh dana cepat? Pinjaman cair dalam satu jam tanpa BI checking. Hubungi admin sekarang, promo bunga rendah!",
        "Iklan, bukan pengaduan.",
    ),
    (
        "unintelligible",
        "tes",
        "tes tes coba aplikasi lapor 123 ok",
        "Isi tidak dapat dipahami.",
    ),
    (
        "not_public_service",
        "Tetangga membangun pagar melewati batas tanah saya",
        "Tetangga saya membangun pagar yang masuk sekitar satu meter ke tanah saya. Sudah dibicarakan di RT tetapi belum ada titik temu.",
        "Sengketa perdata antarwarga; disarankan mediasi di desa atau menempuh jalur hukum.",
    ),
    (
        "out_of_scope",
        "Sepeda motor saya dicuri di parkiran pasar",
        "Sepeda motor saya hilang dicuri di parkiran {landmark} pada malam hari. Mohon pelakunya ditangkap.",
        "Dugaan tindak pidana; pelapor diarahkan melapor ke Polres Kutai Timur.",
    ),
    (
        "out_of_scope",
        "Putusan pengadilan soal warisan tidak adil",
        "Saya tidak terima dengan putusan pengadilan agama tentang pembagian warisan keluarga kami dan meminta pemerintah membatalkannya.",
        "Ranah lembaga peradilan, bukan pelayanan publik pemerintah daerah.",
    ),
)

INCOMPLETE_STORIES = (
    ("jalan rusak", "jalan rusak tolong diperbaiki secepatnya pak"),
    ("lampu mati", "lampu jalan mati sudah lama mohon dibantu"),
    ("sampah", "sampah numpuk tidak diangkut, bau sekali"),
)

BODY_CLOSINGS = (
    "Mohon segera ditindaklanjuti sebelum ada korban.",
    "Kami berharap pemerintah daerah segera turun ke lapangan.",
    "Terima kasih atas perhatiannya.",
    "Mohon perhatian Bapak/Ibu pejabat terkait.",
    "Saya siap dihubungi jika diperlukan informasi tambahan.",
    "",
)

HOLD_QUESTIONS_VERIFY = (
    "Mohon lengkapi lokasi kejadian (nama jalan, RT, desa/kelurahan) agar laporan dapat diteruskan ke instansi yang tepat.",
    "Mohon lampirkan foto kondisi terbaru di lokasi.",
    "Kapan kejadian ini terakhir terjadi? Mohon sebutkan tanggal dan perkiraan jamnya.",
)
HOLD_QUESTIONS_UNIT = (
    "Petugas kami tidak menemukan titik yang dimaksud. Mohon kirimkan titik koordinat atau patokan terdekat.",
    "Mohon sebutkan nomor registrasi permohonan atau nomor pelanggan agar dapat kami telusuri.",
    "Mohon informasikan nomor telepon yang dapat dihubungi petugas lapangan.",
)
ADDED_INFORMATION = (
    "Lokasinya di RT {rt}, sekitar 50 meter setelah {landmark}, di sebelah kiri dari arah {district}.",
    "Kejadian terakhir hari {weekday} malam sekitar pukul 20.00 WITA.",
    "Kondisinya makin parah setelah hujan kemarin; foto terbaru sudah saya ambil.",
    "Nomor yang bisa dihubungi sama dengan yang terdaftar; saya ada di rumah setiap sore.",
)
INTERNAL_NOTES = (
    "Sudah dikoordinasikan dengan petugas lapangan wilayah {district}; peninjauan dijadwalkan minggu ini.",
    "Anggaran pemeliharaan rutin tahun ini menipis, diusulkan masuk APBD Perubahan.",
    "Pelapor sudah dihubungi melalui telepon untuk memastikan lokasi.",
    "Perlu koordinasi lintas OPD dengan DLH dan Dishub.",
)
DISPOSITION_NOTES = (
    "Mohon segera ditindaklanjuti, lokasi sudah beberapa kali dilaporkan.",
    "Prioritas: menyangkut keselamatan pengguna jalan.",
    "",
    "",
)
REPORTER_REPLIES = (
    "Terima kasih, tetapi sampai hari ini belum ada petugas yang datang ke lokasi.",
    "Perbaikannya baru sebagian; masih ada titik yang belum ditangani. Mohon dicek kembali.",
    "Mohon informasi kapan tepatnya pekerjaan akan dimulai?",
    "Masalahnya terjadi lagi setelah hujan kemarin.",
)
SECOND_FOLLOW_UPS = (
    "Petugas kembali ke lokasi pada {date} dan menangani titik yang belum selesai. Mohon konfirmasi jika masih ada kekurangan.",
    "Pekerjaan lanjutan telah diselesaikan pada {date}. Terima kasih atas masukan dan kesabarannya.",
)
APPEAL_FOLLOW_UPS = (
    "Menindaklanjuti banding pelapor, tim gabungan bersama Inspektorat meninjau ulang lokasi pada {date}. Kekurangan pekerjaan telah diperintahkan untuk diperbaiki penyedia jasa dalam tujuh hari.",
)
RATING_COMMENTS = {
    5: (
        "Terima kasih, sudah ditangani dengan cepat.",
        "Sudah beres. Terima kasih Pemkab Kutim!",
        "Pelayanan sangat baik dan responsif.",
    ),
    4: ("Sudah ditangani, semoga dirawat rutin.", "Terima kasih, walaupun agak lama."),
    3: ("Lumayan, tetapi perlu waktu hampir sebulan.", "Sudah ada tindakan, tetapi belum tuntas."),
    2: ("Penanganannya lambat dan hanya sementara.",),
    1: ("Tidak ada perubahan di lapangan.",),
}
CONTEST_REASONS = (
    "Tanggapan tidak sesuai kenyataan; di lokasi belum ada perbaikan sama sekali.",
    "Penanganan hanya di satu titik, titik lain dibiarkan. Saya mengajukan banding.",
    "Masalah yang sama terjadi lagi seminggu setelah laporan ditutup.",
)
WITHDRAW_REASONS = (
    "Masalahnya sudah diselesaikan secara swadaya oleh warga.",
    "Salah memilih lokasi, saya akan membuat laporan baru.",
    "Sudah dibantu langsung oleh pihak desa.",
    "",
)
ADMIN_CLOSE_NOTES = (
    "Pekerjaan telah selesai dan diverifikasi petugas kecamatan; pelapor tidak dapat dihubungi.",
    "Ditutup setelah konfirmasi lisan dengan pelapor melalui telepon.",
)
REDISPOSE_NOTES = (
    "Dialihkan sesuai tugas dan fungsi perangkat daerah.",
    "Dialihkan ke instansi yang berwenang.",
)

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@dataclass
class Scenario:
    """A path through the lifecycle: the steps after submission and how long ago the
    last one happened (days, range)."""

    steps: tuple[str, ...]
    last_age: tuple[float, float]
    weight: float
    needs: str = ""  # "archive", "incomplete", "wrong_unit", "agency_return", "duplicate"
    extra: dict = field(default_factory=dict)


HANDLED = ("dispose", "forward", "acknowledge")
SCENARIOS: dict[str, Scenario] = {
    "submitted": Scenario((), (0.05, 7), 6),
    "on_hold_verify": Scenario(("hold_national",), (0.5, 25), 3),
    "on_hold_unit": Scenario((*HANDLED, "hold_unit"), (0.5, 15), 2),
    "dispositioned": Scenario(("dispose_agency",), (0.05, 3), 3),
    "dispositioned_unit": Scenario(("dispose", "forward"), (0.2, 12), 4),
    "returned_unit": Scenario(
        ("dispose_agency", "forward_wrong", "return_unit"), (0.1, 5), 2, "wrong_unit"
    ),
    "returned_agency": Scenario(
        ("dispose_agency", "return_agency"), (0.1, 5), 1.5, "agency_return"
    ),
    "in_progress": Scenario(HANDLED, (0.5, 40), 9),
    "in_progress_replied": Scenario((*HANDLED, "follow_up", "reply"), (0.2, 6), 2),
    "in_progress_redisposed": Scenario(
        ("dispose_agency", "forward_wrong", "return_unit", "redispose_agency", "acknowledge"),
        (0.5, 20),
        1.5,
        "wrong_unit",
    ),
    "in_progress_resumed": Scenario((*HANDLED, "hold_unit", "add_info"), (0.5, 15), 1.5),
    "responded": Scenario((*HANDLED, "follow_up"), (0.1, 7), 6),
    "responded_redirected": Scenario(
        (
            "dispose_agency",
            "return_agency",
            "redispose_national",
            "forward",
            "acknowledge",
            "follow_up",
        ),
        (0.2, 6),
        1,
        "agency_return",
    ),
    "closed_rated": Scenario((*HANDLED, "follow_up", "accept_rated"), (1, 110), 20),
    "closed_unrated": Scenario((*HANDLED, "follow_up", "accept"), (1, 110), 4),
    "closed_rated_later": Scenario((*HANDLED, "follow_up", "accept", "rate"), (1, 100), 2),
    "closed_after_reply": Scenario(
        (*HANDLED, "follow_up", "reply", "follow_up_again", "accept_rated"), (1, 100), 4
    ),
    "closed_after_hold": Scenario(
        ("hold_national", "add_info", *HANDLED, "follow_up", "accept_rated"), (1, 100), 2
    ),
    "closed_admin": Scenario((*HANDLED, "follow_up", "close_admin"), (1, 100), 3),
    "closed_auto": Scenario((*HANDLED, "follow_up", "auto_close"), (2, 90), 8),
    "archived": Scenario(("archive",), (1, 115), 4, "archive"),
    "archived_incomplete": Scenario(
        ("hold_national", "archive_incomplete"), (1, 100), 2, "incomplete"
    ),
    "duplicate": Scenario((*HANDLED, "follow_up", "accept_rated"), (1, 100), 1.5, "duplicate"),
    "withdrawn": Scenario(("withdraw",), (0.5, 100), 2),
    "withdrawn_late": Scenario((*HANDLED, "withdraw"), (0.5, 100), 1),
    "contested": Scenario((*HANDLED, "follow_up", "contest"), (0.1, 5), 1),
    "contested_closed": Scenario(
        (*HANDLED, "follow_up", "accept_low", "contest", "follow_up_appeal"), (0.1, 5), 1
    ),
}

# Scenarios every seed contains, in this order, so even a small `--count` shows every
# status; the rest are drawn by weight.
MANDATORY_SCENARIOS = (
    "closed_rated",
    "submitted",
    "on_hold_verify",
    "dispositioned",
    "returned_unit",
    "in_progress",
    "responded",
    "closed_auto",
    "archived",
    "duplicate",
    "withdrawn",
    "contested",
    "submitted",
    "dispositioned_unit",
    "returned_agency",
    "on_hold_unit",
    "closed_admin",
    "closed_after_reply",
    "contested_closed",
    "in_progress_redisposed",
    "responded_redirected",
    "archived_incomplete",
)

# Hours between a step and the one before it (min, max).
STEP_GAPS_HOURS = {
    "hold_national": (3, 50),
    "dispose": (2, 70),
    "dispose_agency": (2, 70),
    "forward": (1, 30),
    "forward_wrong": (1, 30),
    "acknowledge": (2, 60),
    "hold_unit": (24, 120),
    "add_info": (5, 72),
    "note": (2, 48),
    "follow_up": (24, 240),
    "follow_up_again": (24, 120),
    "follow_up_appeal": (24, 72),
    "reply": (5, 96),
    "accept": (3, 150),
    "accept_rated": (3, 150),
    "accept_low": (3, 100),
    "rate": (24, 120),
    "close_admin": (120, 300),
    # Past the 10-working-day reply window; the step waits for the deadline if needed.
    "auto_close": (400, 450),
    "contest": (4, 96),
    "return_unit": (3, 72),
    "return_agency": (2, 48),
    "redispose_agency": (2, 40),
    "redispose_national": (3, 50),
    "archive": (3, 72),
    "archive_incomplete": (240, 400),
    "archive_duplicate": (3, 48),
    "withdraw": (5, 200),
}
# Steps citizens take (any time of day); the rest are staff working hours.
REPORTER_STEPS = {
    "add_info",
    "reply",
    "accept",
    "accept_rated",
    "accept_low",
    "rate",
    "contest",
    "withdraw",
}
