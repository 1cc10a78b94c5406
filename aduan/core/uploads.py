"""Safe processing of the files that citizens and officers attach to reports.

Every attachment goes through `process_upload()` before it is stored, and a whole
submission goes through `validate_upload_batch()` before any of its files is written.

Decisions (see also the comments at each step):

- The type is sniffed from the content (`filetype`, then Pillow for images). The file name
  and the declared content type are never trusted: a ".jpg" that is really a PDF is stored
  as a PDF; a text, HTML, SVG or executable file is rejected whatever its name.
- Images (JPEG, PNG, WebP) are decoded and re-encoded, so only pixels leave this module:
  the EXIF orientation is applied, then every piece of metadata (EXIF with GPS, XMP, ICC
  profiles, comments, text chunks) is dropped, because a citizen's photo can reveal where
  they live. ICC profiles are dropped rather than converted: colours from wide-gamut
  cameras come out slightly duller, and an untrusted profile is never parsed.
  Images longer than `MAX_IMAGE_SIDE` are downscaled.
- Decoding costs memory and time by the pixel, whatever the file's size (a 6300×6300 PNG
  of one colour is 150 KB and decodes to 160 MB). So the pixels are counted from the
  header, before anything is decoded: at most `ATTACHMENT_MAX_PIXELS` per image, and at
  most `ATTACHMENT_MAX_REQUEST_PIXELS` across all the images of one request (a budget
  opened at the start of every web request, `request_pixel_budget`). Images are decoded
  one at a time, so decoding memory is bounded by one image of the per-image limit.
  Pillow's own ceiling (`Image.MAX_IMAGE_PIXELS`) is set to the per-image limit too.
- GIF is accepted and converted to a still PNG of its first frame: messaging apps still
  produce GIFs, and storing a still image avoids keeping a second animated format.
  Animated PNG and WebP are likewise reduced to their first frame.
- PDFs are parsed and written again with qpdf (through pikepdf), keeping what a reader
  sees and dropping the metadata that names whoever made the file (document information,
  XMP), scripts and automatic actions, and embedded files: see `_rebuild_pdf()`. A PDF
  that needs a password or cannot be parsed is refused.
- The client's file name is used in error messages only (the uploader's own name for the
  file, shown back to them). It is never stored: a name like "Budi_0812xxxx.pdf" would
  identify an anonymous reporter, so stored files get generated names ("foto-1.jpg",
  `reports.models.attachment_name()`).
"""

import hashlib
import io
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_COUNT = 5
DEFAULT_MAX_PIXELS = 40_000_000
# Five 12-megapixel phone photos.
DEFAULT_MAX_REQUEST_PIXELS = 60_000_000

MAX_IMAGE_SIDE = 4096
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# zlib's strongest setting ("optimize") costs 4 s for a 3-megapixel photo saved as PNG and
# 16 s at 12 megapixels (against 0.6 s and 2.4 s at the default level) for 10-20 % smaller
# files; too slow for a request, so only small PNGs (icons, diagrams) get it.
PNG_OPTIMIZE_MAX_PIXELS = 1_000_000
MAX_NAME_LENGTH = 150
# Shown in messages when the client sent no file name.
FALLBACK_NAME = "lampiran"

# Sniffed MIME type -> (format Pillow must recognise, format we write).
_IMAGE_FORMATS = {
    "image/jpeg": ("JPEG", "JPEG"),
    "image/png": ("PNG", "PNG"),
    "image/webp": ("WEBP", "WEBP"),
    "image/gif": ("GIF", "PNG"),
}
# Written format -> (content type, extension).
_OUTPUT_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}

_KIB = 1024
_MIB = 1024 * 1024


@dataclass(frozen=True)
class ProcessedUpload:
    """An attachment that passed every check, ready to be stored."""

    content: bytes = field(repr=False)  # re-encoded images, rebuilt PDFs
    content_type: str  # "image/jpeg" | "image/png" | "image/webp" | "application/pdf"
    extension: str  # ".jpg" | ".png" | ".webp" | ".pdf"
    size: int
    sha256: str  # hex digest of content
    kind: str  # "image" | "document"
    width: int | None
    height: int | None


class UploadRejected(ValidationError):
    """An attachment was refused.

    `code` is stable ("too_large", "too_many", "empty", "unsupported_type", "corrupt",
    "too_many_pixels", "too_many_pixels_total", "encrypted_pdf", "unsafe_pdf"); the message is translatable and names
    the file, so it can be shown to the user as is, in their language (forms and the API
    both accept it). Raised as `UploadRejected(message, code=...)`; the inherited
    constructor keeps it
    picklable.
    """


def validate_upload_batch(files: Sequence[UploadedFile], *, existing_count: int = 0) -> None:
    """Refuse a submission whose files cannot all be accepted, before anything is written.

    Checks the number of attachments (those already on the report included) and each
    file's declared size. The content is checked by `process_upload()`, which callers run
    on every file before storing any of them.
    """
    max_count = _max_count()
    if existing_count + len(files) > max_count:
        raise UploadRejected(
            format_lazy(_("Terlalu banyak lampiran (maks. {count} per laporan)."), count=max_count),
            code="too_many",
        )
    max_bytes = _max_bytes()
    for uploaded in files:
        display_name = _sanitise_name(_name_of(uploaded)) or FALLBACK_NAME
        declared_size = getattr(uploaded, "size", None)
        if isinstance(declared_size, int) and declared_size > max_bytes:
            raise _too_large(display_name, max_bytes)
        if declared_size == 0:
            raise _empty(display_name)


def process_upload(
    uploaded: UploadedFile | IO[bytes], *, name: str | None = None
) -> ProcessedUpload:
    """Check one attachment and return the bytes to store, or raise `UploadRejected`.

    `uploaded` is read from its start (it is rewound when seekable, since form validation
    may already have read it). `name` overrides the client's file name, which only
    appears in error messages.
    """
    display_name = _sanitise_name(name if name is not None else _name_of(uploaded))
    display_name = display_name or FALLBACK_NAME
    data = _read_limited(uploaded, limit=_max_bytes(), display_name=display_name)
    if not data:
        raise _empty(display_name)

    sniffed = filetype.guess(data)  # looks at the first 8 KiB only
    mime = sniffed.mime if sniffed else None
    if mime == "application/pdf":
        content = _rebuild_pdf(data, display_name)
        content_type, extension = "application/pdf", ".pdf"
        kind, width, height = "document", None, None
    elif mime in _IMAGE_FORMATS:
        # WeasyPrint (the monthly PDF report) switches Pillow's process-wide
        # LOAD_TRUNCATED_IMAGES on when imported; a truncated upload must stay refused.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        input_format, output_format = _IMAGE_FORMATS[mime]
        content, width, height = _reencode_image(
            data,
            input_format=input_format,
            output_format=output_format,
            display_name=display_name,
        )
        content_type, extension = _OUTPUT_TYPES[output_format]
        kind = "image"
    else:
        raise UploadRejected(
            format_lazy(
                _(
                    'Jenis berkas "{name}" tidak didukung; unggah foto (JPEG, PNG, WebP, GIF) '
                    "atau dokumen PDF."
                ),
                name=display_name,
            ),
            code="unsupported_type",
        )

    return ProcessedUpload(
        content=content,
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        kind=kind,
        width=width,
        height=height,
    )


def display_name_of(uploaded: object) -> str:
    """The sender's own name for a file, made harmless, for messages shown back to them."""
    return _sanitise_name(_name_of(uploaded)) or FALLBACK_NAME


def max_count() -> int:
    """How many files one report may carry."""
    return _max_count()


# Settings -----------------------------------------------------------------------------


def _max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _max_count() -> int:
    return getattr(settings, "ATTACHMENT_MAX_COUNT", DEFAULT_MAX_COUNT)


def _max_pixels() -> int:
    return getattr(settings, "ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def _max_request_pixels() -> int:
    return getattr(settings, "ATTACHMENT_MAX_REQUEST_PIXELS", DEFAULT_MAX_REQUEST_PIXELS)


# The pixel budget of what is running now (a web request); None outside one, where each
# image is held to the per-image limit only.
@dataclass
class PixelBudget:
    limit: int
    used: int = 0


_budget: ContextVar[PixelBudget | None] = ContextVar("aduan_upload_pixel_budget", default=None)


@contextmanager
def pixel_budget(limit: int | None = None) -> Iterator[PixelBudget]:
    """Count the pixels of every image processed inside the block against one budget."""
    budget = PixelBudget(limit if limit is not None else _max_request_pixels())
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def request_pixel_budget(**_kwargs) -> None:
    """`request_started`: every web request starts with a fresh budget."""
    _budget.set(PixelBudget(_max_request_pixels()))


def end_request_pixel_budget(**_kwargs) -> None:
    """`request_finished`: nothing is counted against a finished request."""
    _budget.set(None)


def _charge(pixels: int, display_name: str) -> None:
    budget = _budget.get()
    if budget is None:
        return
    if budget.used + pixels > budget.limit:
        raise UploadRejected(
            format_lazy(
                _(
                    'Gambar "{name}" melewati batas resolusi total satu kiriman (maks. '
                    "{megapixels} megapiksel untuk semua gambar); kirim lebih sedikit gambar "
                    "atau gambar yang lebih kecil."
                ),
                name=display_name,
                megapixels=f"{budget.limit / 1_000_000:g}",
            ),
            code="too_many_pixels_total",
        )
    budget.used += pixels


# Rejections ---------------------------------------------------------------------------


def _too_large(display_name: str, limit: int) -> UploadRejected:
    size = _format_size(limit)
    return UploadRejected(
        format_lazy(
            _('Berkas "{name}" terlalu besar (maks. {size}).'), name=display_name, size=size
        ),
        code="too_large",
    )


def _empty(display_name: str) -> UploadRejected:
    return UploadRejected(
        format_lazy(_('Berkas "{name}" kosong.'), name=display_name), code="empty"
    )


def _corrupt(display_name: str) -> UploadRejected:
    return UploadRejected(
        format_lazy(_('Berkas "{name}" rusak atau tidak lengkap.'), name=display_name),
        code="corrupt",
    )


def _too_many_pixels(display_name: str, limit: int) -> UploadRejected:
    megapixels = f"{limit / 1_000_000:g}"
    return UploadRejected(
        format_lazy(
            _('Resolusi gambar "{name}" terlalu besar (maks. {megapixels} megapiksel).'),
            name=display_name,
            megapixels=megapixels,
        ),
        code="too_many_pixels",
    )


def _unsafe_pdf(display_name: str) -> UploadRejected:
    return UploadRejected(
        format_lazy(
            _(
                'PDF "{name}" tidak dapat dibersihkan dari skrip, tindakan otomatis, atau '
                "berkas tersemat; cetak ulang sebagai PDF lalu unggah lagi."
            ),
            name=display_name,
        ),
        code="unsafe_pdf",
    )


def _encrypted_pdf(display_name: str) -> UploadRejected:
    return UploadRejected(
        format_lazy(
            _(
                'PDF "{name}" dilindungi kata sandi; simpan ulang tanpa kata sandi lalu '
                "unggah lagi."
            ),
            name=display_name,
        ),
        code="encrypted_pdf",
    )


def _format_size(size: int) -> str:
    if size >= _MIB:
        return f"{round(size / _MIB, 1):g} MB"
    if size >= _KIB:
        return f"{round(size / _KIB, 1):g} KB"
    return f"{size} B"


# Reading and naming -------------------------------------------------------------------


def _name_of(uploaded: object) -> str:
    # Plain file objects may carry a full path, or an int when opened from a descriptor.
    raw = getattr(uploaded, "name", None)
    return raw if isinstance(raw, str) else ""


def _sanitise_name(raw: str) -> str:
    """Reduce a client-supplied file name to a harmless basename (may return "")."""
    name = unicodedata.normalize("NFC", raw)
    # Browsers on Windows may send "C:\\Users\\...\\foto.jpg"; keep the last part only.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Category C covers control characters, bidi overrides (which can disguise
    # "gpj.exe" as "exe.jpg"), surrogates and unassigned code points.
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = " ".join(name.split())
    # Leading dots make hidden files ("..", ".htaccess"); trailing ones confuse Windows.
    name = name.strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 16:  # keep a plausible extension
            name = f"{stem[: MAX_NAME_LENGTH - len(suffix) - 1].rstrip(' .')}.{suffix}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name


def _read_limited(uploaded: UploadedFile | IO[bytes], *, limit: int, display_name: str) -> bytes:
    """Read the whole file, but never more than `limit` + 1 bytes."""
    # Django knows an uploaded file's size without reading it; trust it only to refuse.
    declared_size = getattr(uploaded, "size", None)
    if isinstance(declared_size, int) and declared_size > limit:
        raise _too_large(display_name, limit)
    seekable = getattr(uploaded, "seekable", None)
    if callable(seekable) and seekable():
        uploaded.seek(0)
    chunks = []
    received = 0
    while received <= limit:
        chunk = uploaded.read(limit + 1 - received)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    if received > limit:
        raise _too_large(display_name, limit)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# Images -------------------------------------------------------------------------------


def _reencode_image(
    data: bytes, *, input_format: str, output_format: str, display_name: str
) -> tuple[bytes, int, int]:
    """Decode an image and encode its pixels again, without metadata.

    Returns (content, width, height).
    """
    max_pixels = _max_pixels()
    try:
        # Pillow only reads the header on open, so the pixel count is checked before
        # anything is decoded. `formats` stops Pillow from reading the data as some other
        # format than the one sniffed.
        with Image.open(io.BytesIO(data), formats=[input_format]) as probe:
            if probe.width * probe.height > max_pixels:
                raise _too_many_pixels(display_name, max_pixels)
            # Counted before decoding: a refused image costs no decoding at all.
            _charge(probe.width * probe.height, display_name)
            probe.verify()  # checksums (PNG); the image must be reopened afterwards
        image = Image.open(io.BytesIO(data), formats=[input_format])
        target_size = _fit_within(image.size, MAX_IMAGE_SIDE)
        if input_format == "JPEG" and target_size != image.size:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale (never below the target size)
            # instead of holding the full-size bitmap.
            image.draft(None, target_size)
        # Rotate the pixels as the camera intended; this also loads them, so truncated
        # or corrupt data fails here.
        ImageOps.exif_transpose(image, in_place=True)
        resize = max(image.size) > MAX_IMAGE_SIDE
        image = _convert_mode(image, output_format, resize=resize)
        if resize:
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
        # Drop everything but the pixels: EXIF (GPS), XMP, ICC profile, comments, text
        # chunks. Some encoders fall back to `info` when an option is not passed.
        image.info = {}
        output = io.BytesIO()
        if output_format == "JPEG":
            image.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        elif output_format == "PNG":
            optimize = image.width * image.height <= PNG_OPTIMIZE_MAX_PIXELS
            image.save(output, "PNG", optimize=optimize)
        else:
            image.save(output, "WEBP", quality=WEBP_QUALITY)
    except (UploadRejected, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own ceiling (twice Image.MAX_IMAGE_PIXELS), hit before our check when
        # the header claims an absurd size; the warning is an error under -W error.
        raise _too_many_pixels(display_name, max_pixels) from None
    except Exception as error:
        # Malformed input surfaces from Pillow's decoders as OSError, SyntaxError,
        # ValueError, EOFError, struct.error and more; all of them mean a bad file.
        raise _corrupt(display_name) from error
    return output.getvalue(), image.width, image.height


def _fit_within(size: tuple[int, int], longest: int) -> tuple[int, int]:
    width, height = size
    if max(width, height) <= longest:
        return size
    scale = longest / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _convert_mode(image: Image.Image, output_format: str, *, resize: bool) -> Image.Image:
    """Convert to a mode the output format stores well; keeps transparency where possible."""
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale (PNG): scale to 8 bits; a plain convert("L") would clip to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    has_alpha = image.has_transparency_data
    if output_format == "JPEG":
        target = "RGB"  # also turns CMYK and greyscale into RGB
    elif output_format == "WEBP":
        target = "RGBA" if has_alpha else "RGB"
    elif has_alpha:
        target = "LA" if image.mode == "LA" else "RGBA"
    elif image.mode in ("L", "RGB"):
        target = image.mode
    elif image.mode == "P" and not resize:
        target = "P"  # the smallest PNG, but palette images only resize nearest-neighbour
    elif image.mode == "1":
        target = "L"
    else:
        target = "RGB"
    return image if image.mode == target else image.convert(target)


# PDF ----------------------------------------------------------------------------------

# Keys removed wherever they occur. Scripts and automatic actions: additional actions
# (/AA: on open, close, print, page view, field keystroke...), the catalog's /OpenAction,
# JavaScript (/JS in actions, /JavaScript name trees), XFA forms (which carry their own
# scripts). Other files: embedded and related files (/EF, /RF, the /EmbeddedFiles name
# tree, /AF associated files, /Collection portfolios). Personal data: XMP metadata on any
# object (/Metadata), applications' private data (/PieceInfo, where an editor may keep a
# whole earlier version of the file), signatures' security store (/DSS) and usage-rights
# signatures (/Perms), which name and certify whoever signed.
_PDF_REMOVED_KEYS = frozenset(
    {
        "/AA",
        "/OpenAction",
        "/JS",
        "/JavaScript",
        "/XFA",
        "/EF",
        "/RF",
        "/EmbeddedFiles",
        "/AF",
        "/Collection",
        "/Metadata",
        "/PieceInfo",
        "/DSS",
        "/Perms",
    }
)
# Every action type of ISO 32000-2 (12.6.4). A dictionary whose /S is one of these is an
# action; other dictionaries have an /S too (structure elements, transparency groups,
# transitions) and are left alone.
_PDF_ACTION_TYPES = frozenset(
    {
        "/GoTo",
        "/GoToR",
        "/GoToE",
        "/GoToDp",
        "/Launch",
        "/Thread",
        "/URI",
        "/Sound",
        "/Movie",
        "/Hide",
        "/Named",
        "/SubmitForm",
        "/ResetForm",
        "/ImportData",
        "/SetOCGState",
        "/Rendition",
        "/Trans",
        "/GoTo3DView",
        "/JavaScript",
        "/RichMediaExecute",
    }
)
# Actions kept: moving within the document, named navigation (next page...) and links
# to web pages or e-mail addresses. Everything else runs code, opens or sends files, or
# plays media, and is removed.
_PDF_SAFE_ACTIONS = frozenset({"/GoTo", "/Named", "/URI"})
_PDF_SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
# Annotations that carry files or play media; removed from the pages.
_PDF_REMOVED_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
)
# Comment-like annotations: their /T is the name of the person who wrote the comment.
_PDF_MARKUP_ANNOTATIONS = frozenset(
    {
        "/Text",
        "/FreeText",
        "/Line",
        "/Square",
        "/Circle",
        "/Polygon",
        "/PolyLine",
        "/Highlight",
        "/Underline",
        "/Squiggly",
        "/StrikeOut",
        "/Stamp",
        "/Caret",
        "/Ink",
        "/Redact",
        "/Popup",
    }
)
_PDF_EOF_WINDOW = 1024  # readers look for %%EOF in the last 1024 bytes


def _rebuild_pdf(data: bytes, display_name: str) -> bytes:
    """Parse a PDF with qpdf (through pikepdf) and write a clean copy of it.

    The copy keeps what a reader sees (pages, their content and images, fonts, links,
    bookmarks, form fields and their values) and drops:

    - the document information dictionary and all XMP metadata (author, creator tool,
      company, often a name and phone number), the file identifier, and the names of
      comments' authors;
    - JavaScript and every action that is not a jump within the document, a named
      navigation or a web/e-mail link: launching programs, submitting or importing form
      data, opening other files, playing media;
    - embedded files, file attachment and media annotations, XFA forms;
    - signatures (the rewrite breaks them anyway, and they name whoever signed);
    - earlier revisions and unreferenced objects (qpdf writes only what the document
      uses), so content deleted with an incremental save does not survive.

    A file that needs a password to open, or that qpdf cannot read, is refused. A file
    restricted by an owner password only (no printing, no copying) opens in every reader
    without one; it is accepted and written without the restrictions. The clean copy is
    parsed again and must come out of the same cleaning unchanged, so a file the
    cleaning cannot handle is refused rather than stored half clean.
    """
    import pikepdf  # imported on first use: most uploads are photos

    # Truncated uploads: qpdf would reconstruct what it can, but a cut-off file most
    # likely lost pages, and the citizen should send it again.
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise _corrupt(display_name)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise _corrupt(display_name)
            _clean_pdf(pdf)
            output = io.BytesIO()
            # Streams are copied as they are (no decoding: a compression bomb stays a
            # small stream); the identifier is derived from the content, not kept.
            pdf.save(
                output,
                encryption=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                deterministic_id=True,
                fix_metadata_version=False,
            )
        cleaned = output.getvalue()
        with pikepdf.open(io.BytesIO(cleaned)) as check:
            if _clean_pdf(check) or len(check.pages) == 0:
                raise _unsafe_pdf(display_name)
    except pikepdf.PasswordError:
        raise _encrypted_pdf(display_name) from None
    except (UploadRejected, MemoryError):
        raise
    except Exception as error:
        # pikepdf.PdfError and qpdf's runtime errors for unreadable files, and the
        # ValueError, KeyError or TypeError of structures that are not what the
        # specification says they are.
        raise _corrupt(display_name) from error
    return cleaned


def _clean_pdf(pdf) -> int:
    """Remove metadata, scripts, actions and embedded files in place (see `_rebuild_pdf`).

    Returns the number of things removed. Visits every indirect object once, whether the
    document uses it or not, and the direct objects inside it.
    """
    removed = 0
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
        removed += 1
    for page in pdf.pages:
        removed += _drop_annotations(page)
    for obj in pdf.objects:
        removed += _clean_object(obj)
    return removed


def _drop_annotations(page) -> int:
    import pikepdf

    annotations = page.obj.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return 0
    kept = [
        annotation
        for annotation in annotations
        if not (
            isinstance(annotation, pikepdf.Dictionary)
            and str(annotation.get("/Subtype", "")) in _PDF_REMOVED_ANNOTATIONS
        )
    ]
    if len(kept) == len(annotations):
        return 0
    page.obj["/Annots"] = pikepdf.Array(kept)
    return len(annotations) - len(kept)


def _clean_object(obj) -> int:
    """Clean one object and the direct objects it contains (indirect ones are visited on
    their own by `_clean_pdf`, which also keeps reference cycles from looping)."""
    import pikepdf

    removed = 0
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if _is_direct_container(item):
                removed += _clean_object(item)
        return removed
    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return 0
    if isinstance(obj, pikepdf.Dictionary) and _is_unsafe_action(obj):
        # Referenced from somewhere we do not know of: an empty dictionary is no action.
        for key in list(obj.keys()):
            del obj[key]
        return 1
    for key in list(obj.keys()):
        if key in _PDF_REMOVED_KEYS:
            del obj[key]
            removed += 1
    subtype = str(obj.get("/Subtype", ""))
    if subtype in _PDF_MARKUP_ANNOTATIONS and "/Rect" in obj and "/T" in obj:
        del obj["/T"]
        removed += 1
    if str(obj.get("/FT", "")) == "/Sig" and "/V" in obj:
        del obj["/V"]
        removed += 1
    for key in ("/A", "/Next"):
        value = obj.get(key)
        if isinstance(value, pikepdf.Dictionary) and _is_unsafe_action(value):
            del obj[key]
            removed += 1
    for key in list(obj.keys()):
        value = obj[key]
        if _is_direct_container(value):
            removed += _clean_object(value)
    return removed


def _is_direct_container(value) -> bool:
    import pikepdf

    # Numbers, booleans and the like come back as Python values.
    return isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) and not value.is_indirect


def _is_unsafe_action(obj) -> bool:
    import pikepdf

    kind = obj.get("/S")
    if not isinstance(kind, pikepdf.Name) or str(kind) not in _PDF_ACTION_TYPES:
        return False
    if str(kind) not in _PDF_SAFE_ACTIONS:
        return True
    if str(kind) == "/URI":
        target = obj.get("/URI")
        if not isinstance(target, pikepdf.String):
            return True
        address = bytes(target).decode("latin-1").strip().lower()
        return not address.startswith(_PDF_SAFE_URI_SCHEMES)
    return False
