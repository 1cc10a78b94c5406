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
- GIF is accepted and converted to a still PNG of its first frame: messaging apps still
  produce GIFs, and storing a still image avoids keeping a second animated format.
  Animated PNG and WebP are likewise reduced to their first frame.
- PDFs cannot be rebuilt here, so they are stored byte for byte after a heuristic check:
  a `%PDF-` header, a `%%EOF` marker near the end, and a scan of the PDF names for script,
  launch and embedded-file entries. See `_check_pdf()` for what it catches and what not.
"""

import hashlib
import io
import re
import unicodedata
import zlib
from collections.abc import Sequence
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

MAX_IMAGE_SIDE = 4096
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# zlib's strongest setting ("optimize") costs 4 s for a 3-megapixel photo saved as PNG and
# 16 s at 12 megapixels (against 0.6 s and 2.4 s at the default level) for 10-20 % smaller
# files; too slow for a request, so only small PNGs (icons, diagrams) get it.
PNG_OPTIMIZE_MAX_PIXELS = 1_000_000
MAX_NAME_LENGTH = 150
# Shown in messages and stored as the name when the client sent none.
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

    content: bytes = field(repr=False)  # re-encoded for images, unchanged for PDFs
    content_type: str  # "image/jpeg" | "image/png" | "image/webp" | "application/pdf"
    extension: str  # ".jpg" | ".png" | ".webp" | ".pdf"
    size: int
    sha256: str  # hex digest of content
    kind: str  # "image" | "document"
    original_name: str  # sanitised basename, for display and downloads only
    width: int | None
    height: int | None


class UploadRejected(ValidationError):
    """An attachment was refused.

    `code` is stable ("too_large", "too_many", "empty", "unsupported_type", "corrupt",
    "too_many_pixels", "unsafe_pdf"); the message is translatable and names the file, so
    it can be shown to the user as is, in their language (forms and the API both accept
    it). Raised as `UploadRejected(message, code=...)`; the inherited constructor keeps it
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
    may already have read it). `name` overrides the client's file name.
    """
    original_name = _sanitise_name(name if name is not None else _name_of(uploaded))
    display_name = original_name or FALLBACK_NAME
    data = _read_limited(uploaded, limit=_max_bytes(), display_name=display_name)
    if not data:
        raise _empty(display_name)

    sniffed = filetype.guess(data)  # looks at the first 8 KiB only
    mime = sniffed.mime if sniffed else None
    if mime == "application/pdf":
        _check_pdf(data, display_name)
        content, content_type, extension = data, "application/pdf", ".pdf"
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
        original_name=original_name or f"{FALLBACK_NAME}{extension}",
        width=width,
        height=height,
    )


# Settings -----------------------------------------------------------------------------


def _max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _max_count() -> int:
    return getattr(settings, "ATTACHMENT_MAX_COUNT", DEFAULT_MAX_COUNT)


def _max_pixels() -> int:
    return getattr(settings, "ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS)


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
            _('PDF "{name}" berisi skrip, tindakan otomatis, atau berkas tersemat.'),
            name=display_name,
        ),
        code="unsafe_pdf",
    )


def _uninspectable_pdf(display_name: str) -> UploadRejected:
    return UploadRejected(
        format_lazy(
            _(
                'PDF "{name}" tidak dapat diperiksa (terenkripsi atau kompresi tidak dikenal); '
                "simpan ulang tanpa kata sandi."
            ),
            name=display_name,
        ),
        code="unsafe_pdf",
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

# PDF names that run code or carry other files: document JavaScript (/JavaScript, /JS),
# launching programs (/Launch), attached files (/EmbeddedFile streams, /EmbeddedFiles trees).
_PDF_UNSAFE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"})
_PDF_FILTERS = frozenset(
    {
        b"ASCIIHexDecode",
        b"ASCII85Decode",
        b"LZWDecode",
        b"FlateDecode",
        b"RunLengthDecode",
        b"CCITTFaxDecode",
        b"JBIG2Decode",
        b"DCTDecode",
        b"JPXDecode",
        b"Crypt",
        b"AHx",
        b"A85",
        b"LZW",
        b"Fl",
        b"RL",
        b"CCF",
        b"DCT",
    }
)
# A name token: "/" then regular characters (ISO 32000-1, 7.3.5). A name ends at whitespace
# or a delimiter, so "/JS" does not match inside "/JSON".
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]*)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_START = re.compile(rb"(?<![A-Za-z])stream\r?\n")
_PDF_EOF_WINDOW = 1024  # readers look for %%EOF in the last 1024 bytes
_PDF_DICTIONARY_WINDOW = 4096
_PDF_CHUNK = 64 * _KIB
_PDF_OVERLAP = 256  # longer than any escaped unsafe name ("/" + 13 x "#xx")
_PDF_INFLATE_BUDGET = 64 * _MIB  # total decompressed object-stream bytes per file


def _check_pdf(data: bytes, display_name: str) -> None:
    """Reject a PDF that is truncated or looks active. A heuristic, not a parser.

    Checks the `%PDF-` header and a `%%EOF` in the last 1024 bytes, then looks for the
    names in `_PDF_UNSAFE_NAMES` among the PDF name tokens, decoding `#xx` escapes
    ("/J#61vaScript" is "/JavaScript"):

    - everywhere outside stream bodies (dictionaries are never inside a stream body, and
      skipping the bodies avoids false alarms from compressed or image bytes);
    - inside object streams (PDF 1.5+ stores most dictionaries compressed there), which are
      inflated with a bounded budget. An object stream we cannot decode (encrypted,
      predictors, filters other than FlateDecode) is refused as uninspectable.

    Known gaps: a crafted file can hide objects from a byte scan (for example a string
    that looks like the start of a stream), scripts in XFA forms are not looked for, and a
    name inside a string or comment can cause a false alarm. The PDF is stored unchanged,
    so it should still be served as a download with `X-Content-Type-Options: nosniff`.
    """
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise _corrupt(display_name)
    budget = _PDF_INFLATE_BUDGET
    position = 0
    while position < len(data):
        stream = _PDF_STREAM_START.search(data, position)
        body_end = data.find(b"endstream", stream.end()) if stream else -1
        if stream is None or body_end == -1:
            # No further (terminated) stream: scan the rest as it is.
            if _has_unsafe_name(data, position, len(data)):
                raise _unsafe_pdf(display_name)
            return
        if _has_unsafe_name(data, position, stream.start()):
            raise _unsafe_pdf(display_name)
        dictionary = _pdf_names(_stream_dictionary(data, position, stream.start()))
        if b"ObjStm" in dictionary:
            filters = dictionary & _PDF_FILTERS
            if not filters:
                unsafe = _has_unsafe_name(data, stream.end(), body_end)
            elif filters == {b"FlateDecode"} and b"DecodeParms" not in dictionary:
                unsafe, budget = _inflated_has_unsafe_name(
                    data, stream.end(), body_end, budget, display_name
                )
            else:
                raise _uninspectable_pdf(display_name)
            if unsafe:
                raise _unsafe_pdf(display_name)
        position = body_end


def _stream_dictionary(data: bytes, start: int, stream_start: int) -> bytes:
    """The bytes from the last "obj" keyword before a stream body to the body."""
    window_start = max(start, stream_start - _PDF_DICTIONARY_WINDOW)
    object_start = data.rfind(b"obj", window_start, stream_start)
    return data[max(object_start, window_start) : stream_start]


def _pdf_names(text: bytes, *, complete: bool = True) -> set[bytes]:
    """The decoded names in `text`; with complete=False a name touching the end is left out."""
    names = set()
    for match in _PDF_NAME.finditer(text):
        if not complete and match.end() == len(text):
            continue  # may continue in the next chunk
        names.add(_decode_pdf_name(match[1]))
    return names


def _has_unsafe_name(data: bytes, start: int, end: int) -> bool:
    return any(
        _decode_pdf_name(match[1]) in _PDF_UNSAFE_NAMES
        for match in _PDF_NAME.finditer(data, start, end)
    )


def _decode_pdf_name(raw: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda escape: bytes.fromhex(escape[1].decode()), raw)


def _inflated_has_unsafe_name(
    data: bytes, start: int, end: int, budget: int, display_name: str
) -> tuple[bool, int]:
    """Inflate a FlateDecode stream chunk by chunk and scan it for unsafe names.

    Returns (found, remaining budget). Memory stays within a few chunks whatever the
    compression ratio; past the budget the file is refused rather than half-checked.
    """
    decompressor = zlib.decompressobj()
    carried = b""
    try:
        for offset in range(start, end, _PDF_CHUNK):
            pending = data[offset : min(offset + _PDF_CHUNK, end)]
            while pending and not decompressor.eof:
                inflated = decompressor.decompress(pending, _PDF_CHUNK)
                pending = decompressor.unconsumed_tail
                budget -= len(inflated)
                if budget < 0:
                    raise _uninspectable_pdf(display_name)
                text = carried + inflated
                if _pdf_names(text, complete=False) & _PDF_UNSAFE_NAMES:
                    return True, budget
                carried = text[-_PDF_OVERLAP:]
            if decompressor.eof:
                break
    except zlib.error:
        raise _uninspectable_pdf(display_name) from None
    if not decompressor.eof:
        raise _uninspectable_pdf(display_name)
    return bool(_pdf_names(carried) & _PDF_UNSAFE_NAMES), budget
