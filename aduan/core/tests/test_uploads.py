"""Attachments: type sniffing, image re-encoding without metadata, PDF rebuilding, limits."""

import hashlib
import io
import pickle
import struct
import zlib

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from pikepdf import Name
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from aduan.core.i18n import in_both, in_language
from aduan.core.uploads import (
    MAX_IMAGE_SIDE,
    ProcessedUpload,
    UploadRejected,
    process_upload,
    validate_upload_batch,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)


# Builders -----------------------------------------------------------------------------


def image_bytes(
    fmt: str = "JPEG",
    *,
    mode: str = "RGB",
    size: tuple[int, int] = (40, 20),
    color: object = RED,
    **options: object,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **options)
    return buffer.getvalue()


def noisy_jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    """A JPEG whose scan data is large enough that cutting it loses pixels."""
    pixels = bytes((index * 7919) % 251 for index in range(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def upload(content: bytes, name: str = "foto.jpg") -> SimpleUploadedFile:
    # The declared content type is deliberately always wrong: it must never matter.
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def reopen(result: ProcessedUpload) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def hand_made_pdf(*objects: bytes) -> bytes:
    """A PDF with a correct cross-reference table; objects are numbered from 1."""
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref_offset = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    body += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return body


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def one_page_pdf(catalog_extra: bytes = b"", *extra_objects: bytes) -> bytes:
    return hand_made_pdf(
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        stream(b"", b"BT /F1 12 Tf 20 100 Td (Jalan rusak di Sangatta) Tj ET"),
        *extra_objects,
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a size; Pillow reads only the header on open."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


class CountingStream(io.RawIOBase):
    """A non-seekable stream of `size` bytes that records how much was read from it."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.remaining, 7)  # short reads, like a socket
        buffer[:count] = b"x" * count
        self.remaining -= count
        self.bytes_read += count
        return count


def rejection(uploaded, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        process_upload(uploaded, **kwargs)
    return caught.value


# Photos -------------------------------------------------------------------------------


def test_a_phone_photo_loses_gps_and_all_metadata_and_is_turned_upright():
    # Left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    photo = Image.new("RGB", (40, 20), RED)
    photo.paste(BLUE, (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (0.0, 30.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (117.0, 32.0, 4.25),
    }
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    photo.save(
        buffer,
        "JPEG",
        exif=exif,
        icc_profile=srgb,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Sangatta</x:xmpmeta>',
        comment=b"rumah pelapor",
    )
    original = Image.open(io.BytesIO(buffer.getvalue()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo really has GPS

    result = process_upload(upload(buffer.getvalue(), "IMG_2024.jpg"))

    stored = reopen(result)
    assert (result.content_type, result.extension, result.kind) == ("image/jpeg", ".jpg", "image")
    assert (result.width, result.height) == stored.size == (20, 40)
    assert stored.getpixel((10, 5))[0] > 200  # red is now on top
    assert stored.getpixel((10, 35))[2] > 200  # blue at the bottom
    assert not stored.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info)
    for marker in (b"Exif", b"PhoneMaker", b"Sangatta", b"rumah pelapor", b"ICC_PROFILE"):
        assert marker not in result.content
    assert stored.info.get("progressive") == 1
    assert stored.mode == "RGB"


def test_a_png_with_transparency_stays_a_png_with_its_alpha_channel():
    logo = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    logo.paste((0, 128, 0, 255), (10, 10, 20, 20))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")

    result = process_upload(upload(buffer.getvalue(), "logo.png"))

    stored = reopen(result)
    assert (result.content_type, result.extension) == ("image/png", ".png")
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((15, 15)) == (0, 128, 0, 255)


def test_png_text_chunks_are_dropped():
    info = PngInfo()
    info.add_text("Comment", "alamat rumah pelapor")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), RED).save(buffer, "PNG", pnginfo=info)

    result = process_upload(upload(buffer.getvalue(), "denah.png"))

    assert b"alamat" not in result.content
    assert "Comment" not in reopen(result).info


def test_a_jpeg_named_png_is_stored_as_a_jpeg():
    result = process_upload(upload(image_bytes("JPEG"), "jalan.png"))

    assert (result.content_type, result.extension) == ("image/jpeg", ".jpg")
    assert reopen(result).format == "JPEG"


def test_a_cmyk_or_greyscale_jpeg_is_stored_as_rgb():
    for mode, color in (("CMYK", (0, 255, 255, 0)), ("L", 128)):
        result = process_upload(upload(image_bytes("JPEG", mode=mode, color=color)))
        assert reopen(result).mode == "RGB"


def test_a_webp_photo_stays_webp():
    result = process_upload(upload(image_bytes("WEBP"), "foto.webp"))

    assert (result.content_type, result.extension) == ("image/webp", ".webp")
    assert reopen(result).format == "WEBP"


def test_an_animated_gif_becomes_a_still_png_of_its_first_frame():
    first = Image.new("P", (10, 10), 1)
    first.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    second = first.copy()
    second.paste(2, (0, 0, 10, 10))
    buffer = io.BytesIO()
    first.save(buffer, "GIF", save_all=True, append_images=[second], transparency=0)

    result = process_upload(upload(buffer.getvalue(), "animasi.gif"))

    stored = reopen(result)
    assert (result.content_type, result.extension) == ("image/png", ".png")
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.convert("RGB").getpixel((5, 5)) == RED


def test_a_large_photo_is_downscaled_to_the_maximum_side_keeping_its_aspect():
    panorama = image_bytes("JPEG", size=(9000, 300))  # large enough for libjpeg draft scaling

    result = process_upload(upload(panorama, "panorama.jpg"))

    assert result.width == MAX_IMAGE_SIDE
    assert result.height == pytest.approx(300 * MAX_IMAGE_SIDE / 9000, abs=1)
    assert reopen(result).size == (result.width, result.height)


def test_a_large_palette_png_is_downscaled_smoothly():
    banner = image_bytes("PNG", mode="P", size=(5000, 100), color=3)

    result = process_upload(upload(banner, "spanduk.png"))

    assert (result.width, result.height) == (MAX_IMAGE_SIDE, 82)
    assert reopen(result).mode == "RGB"


def test_a_16_bit_greyscale_png_is_scaled_to_8_bits_instead_of_clipped():
    result = process_upload(upload(image_bytes("PNG", mode="I;16", color=40000), "scan.png"))

    stored = reopen(result)
    assert stored.mode == "L"
    assert stored.getpixel((0, 0)) == 40000 // 256


def test_the_result_describes_its_content():
    result = process_upload(upload(image_bytes("PNG"), "a.png"))

    assert result.size == len(result.content)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    assert "content=" not in repr(result)  # megabytes of bytes must not end up in logs


def test_an_upload_that_form_validation_already_read_is_read_from_the_start():
    uploaded = upload(image_bytes("JPEG"))
    uploaded.read()

    assert process_upload(uploaded).content_type == "image/jpeg"


def test_a_plain_stream_is_accepted_and_the_name_can_be_given_for_messages():
    assert process_upload(io.BytesIO(image_bytes("PNG")), name="kiriman.png").kind == "image"
    assert '"kiriman.txt"' in rejection(io.BytesIO(b"teks"), name="kiriman.txt").message


def test_a_nameless_stream_is_called_by_a_fallback_name_in_messages():
    assert '"lampiran"' in rejection(io.BytesIO(b"teks")).message


# Rejected images and other types ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Ini bukan foto, hanya teks.\n", "foto.jpg"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "foto.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "peta.svg"),
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "foto.jpg"),
        (b"PK\x03\x04" + b"\x00" * 200, "dokumen.pdf"),
    ],
    ids=["text", "html", "svg", "exe", "zip"],
)
def test_files_that_are_not_photos_or_pdfs_are_rejected_whatever_their_name(content, name):
    error = rejection(upload(content, name))

    assert error.code == "unsupported_type"
    assert name in error.message


def test_a_truncated_jpeg_is_rejected_as_corrupt():
    photo = noisy_jpeg()

    assert rejection(upload(photo[: len(photo) // 2])).code == "corrupt"


def test_a_jpeg_signature_followed_by_garbage_is_rejected_as_corrupt():
    assert rejection(upload(b"\xff\xd8\xff\xe0" + b"\x13\x37" * 100)).code == "corrupt"


def test_a_png_with_a_broken_checksum_is_rejected_as_corrupt():
    png = bytearray(image_bytes("PNG"))
    png[29] ^= 0xFF  # inside the IHDR checksum

    assert rejection(upload(bytes(png), "rusak.png")).code == "corrupt"


@override_settings(ATTACHMENT_MAX_PIXELS=100)
def test_an_image_with_more_pixels_than_allowed_is_rejected_before_decoding():
    error = rejection(upload(image_bytes("PNG", size=(20, 20)), "besar.png"))

    assert error.code == "too_many_pixels"
    assert "besar.png" in error.message


def test_a_decompression_bomb_header_is_rejected_with_the_default_limit():
    error = rejection(upload(png_header_only(30_000, 30_000), "bom.png"))

    assert error.code == "too_many_pixels"


# PDF documents ------------------------------------------------------------------------

NAME = "Budi Santoso"
PHONE = "081234567890"
PAGE_TEXT = b"BT /F1 12 Tf 20 100 Td (Jalan rusak di Sangatta) Tj ET"
# Action types that run code, open or send files, or play media.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/Sound",
    "/Movie",
}


def new_pdf() -> pikepdf.Pdf:
    """A one-page document with visible text, built with pikepdf."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].Contents = pdf.make_stream(PAGE_TEXT)
    return pdf


def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


def with_author_metadata(pdf: pikepdf.Pdf) -> pikepdf.Pdf:
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Creator"] = f"Scanner milik {NAME}, HP {PHONE}"
    pdf.docinfo["/Producer"] = "Kantor Budi"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [f"{NAME} {PHONE}"]
        meta["pdf:Producer"] = f"HP {PHONE}"
    return pdf


def annotation(pdf: pikepdf.Pdf, subtype: str, **entries) -> pikepdf.Object:
    return pdf.make_indirect(
        pikepdf.Dictionary(Type=Name.Annot, Subtype=Name(subtype), Rect=[10, 10, 60, 30], **entries)
    )


def javascript(code: str = "app.alert('x')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=Name.JavaScript, JS=pikepdf.String(code))


def opened(result: ProcessedUpload) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(result.content))


def every_dictionary(pdf: pikepdf.Pdf):
    """Every dictionary of the file, indirect or nested, streams' dictionaries included."""
    pending = [pdf.trailer, *pdf.objects]
    seen = set()
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            yield obj
            pending.extend(obj[key] for key in list(obj.keys()))  # noqa: SIM118
        elif isinstance(obj, pikepdf.Array):
            pending.extend(obj)


def active_content(pdf: pikepdf.Pdf) -> set[str]:
    """What of a script, an automatic action or an embedded file is left in `pdf`."""
    found = set()
    for dictionary in every_dictionary(pdf):
        for key in ("/JS", "/AA", "/OpenAction", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"):
            if key in dictionary:
                found.add(key)
        kind = dictionary.get("/S")
        if isinstance(kind, Name) and str(kind) in ACTIVE_ACTIONS:
            found.add(str(kind))
        if dictionary.get("/Subtype") == Name.FileAttachment:
            found.add("/FileAttachment")
        uri = dictionary.get("/URI")
        if isinstance(uri, pikepdf.String) and str(uri).lower().startswith("javascript:"):
            found.add("javascript:")
    return found


def test_a_pdf_keeps_its_pages_and_visible_content():
    result = process_upload(upload(saved(new_pdf()), "surat.pdf"))

    assert (result.content_type, result.extension, result.kind) == (
        "application/pdf",
        ".pdf",
        "document",
    )
    assert (result.width, result.height) == (None, None)
    assert result.size == len(result.content)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    document = opened(result)
    assert len(document.pages) == 1
    assert document.pages[0].Contents.read_bytes() == PAGE_TEXT


def test_a_pdf_loses_the_metadata_that_names_and_reaches_its_author():
    original = saved(with_author_metadata(new_pdf()))
    assert NAME.encode() in original  # the test builds what it claims to

    result = process_upload(upload(original, "surat.pdf"))

    document = opened(result)
    assert "/Info" not in document.trailer
    assert "/Metadata" not in document.Root
    assert dict(document.docinfo) == {}
    assert NAME.encode() not in result.content
    assert PHONE.encode() not in result.content
    assert document.pages[0].Contents.read_bytes() == PAGE_TEXT


def test_xmp_metadata_on_pages_and_images_is_removed_too():
    pdf = new_pdf()
    pdf.pages[0].obj.Metadata = pdf.make_stream(f"<x:xmpmeta>{NAME} {PHONE}</x:xmpmeta>".encode())

    result = process_upload(upload(saved(pdf), "surat.pdf"))

    document = opened(result)
    assert "/Metadata" not in document.pages[0].obj
    assert PHONE.encode() not in result.content


def test_the_names_of_comment_authors_are_removed_but_the_comments_stay():
    pdf = new_pdf()
    pdf.pages[0].Annots = pdf.make_indirect(
        [annotation(pdf, "/Text", T=pikepdf.String(NAME), Contents=pikepdf.String("Lihat foto"))]
    )

    result = process_upload(upload(saved(pdf), "surat.pdf"))

    document = opened(result)
    (comment,) = document.pages[0].Annots
    assert "/T" not in comment
    assert str(comment.Contents) == "Lihat foto"
    assert NAME.encode() not in result.content


def test_scripts_and_automatic_actions_are_removed_wherever_they_are():
    pdf = new_pdf()
    page = pdf.pages[0]
    pdf.Root.OpenAction = pdf.make_indirect(javascript())
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("mulai"), javascript()])
    )
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=Name.Launch, F=pikepdf.String("cmd")))
    field = annotation(
        pdf,
        "/Widget",
        FT=Name.Btn,
        T=pikepdf.String("kirim"),
        A=pikepdf.Dictionary(S=Name.SubmitForm, F=pikepdf.String("https://contoh.test/")),
        AA=pikepdf.Dictionary(K=javascript()),
    )
    importer = annotation(pdf, "/Link", A=pikepdf.Dictionary(S=Name.ImportData, F="data.fdf"))
    script_link = annotation(
        pdf, "/Link", A=pikepdf.Dictionary(S=Name.URI, URI=pikepdf.String("javascript:alert(1)"))
    )
    chained = annotation(
        pdf,
        "/Link",
        A=pikepdf.Dictionary(
            S=Name.GoTo, D=[page.obj, Name.Fit], Next=[javascript(), javascript("x()")]
        ),
    )
    web_link = annotation(
        pdf, "/Link", A=pikepdf.Dictionary(S=Name.URI, URI=pikepdf.String("https://lapor.go.id/"))
    )
    page.Annots = pdf.make_indirect([field, importer, script_link, chained, web_link])
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=[field], XFA=pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
    )
    original = saved(pdf)
    assert active_content(pikepdf.open(io.BytesIO(original))) >= {
        "/JS",
        "/AA",
        "/OpenAction",
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/XFA",
        "javascript:",
    }

    result = process_upload(upload(original, "formulir.pdf"))

    document = opened(result)
    assert active_content(document) == set()
    assert b"app.alert" not in result.content
    # What is harmless stays: the form field, the jump within the document, the web link.
    annotations = list(document.pages[0].Annots)
    assert len(annotations) == 5
    assert str(document.Root.AcroForm.Fields[0].T) == "kirim"
    assert str(annotations[3].A.S) == "/GoTo"
    assert str(annotations[4].A.URI) == "https://lapor.go.id/"


def test_a_script_hidden_in_a_compressed_object_stream_or_escaped_name_is_removed():
    pdf = new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(javascript())
    compressed = saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"JavaScript" not in compressed  # only visible once the object stream is read
    escaped = one_page_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert('x')) >>")

    for original in (compressed, escaped):
        result = process_upload(upload(original, "surat.pdf"))

        assert active_content(opened(result)) == set()
        assert b"app.alert" not in result.content


def test_embedded_files_and_file_attachment_annotations_are_removed():
    pdf = new_pdf()
    payload = f"Kontak pelapor: {NAME} {PHONE}".encode()
    pdf.attachments["kontak.txt"] = pikepdf.AttachedFileSpec(pdf, payload, mime_type="text/plain")
    spec = pdf.Root.Names.EmbeddedFiles.Names[1]
    pdf.pages[0].Annots = pdf.make_indirect(
        [annotation(pdf, "/FileAttachment", FS=spec, Contents=pikepdf.String("lampiran"))]
    )
    original = saved(pdf, compress_streams=False)
    assert payload in original

    result = process_upload(upload(original, "surat.pdf"))

    document = opened(result)
    assert len(document.attachments) == 0
    assert len(document.pages[0].obj.get("/Annots", [])) == 0
    assert active_content(document) == set()
    assert payload not in result.content


def test_signatures_which_name_the_signer_are_removed():
    pdf = new_pdf()
    signature = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.Sig,
            Name=pikepdf.String(NAME),
            ContactInfo=pikepdf.String(PHONE),
            Contents=pikepdf.String(b"\x30\x82"),
        )
    )
    field = annotation(pdf, "/Widget", FT=Name.Sig, T=pikepdf.String("ttd"), V=signature)
    pdf.pages[0].Annots = pdf.make_indirect([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], SigFlags=3)

    result = process_upload(upload(saved(pdf), "surat.pdf"))

    document = opened(result)
    assert "/V" not in document.Root.AcroForm.Fields[0]
    assert PHONE.encode() not in result.content


def test_objects_the_document_does_not_use_are_not_kept():
    # An earlier revision or a deleted page can leave objects nothing refers to.
    pdf = one_page_pdf(b"", f"({NAME} {PHONE})".encode())
    assert PHONE.encode() in pdf

    result = process_upload(upload(pdf, "surat.pdf"))

    assert PHONE.encode() not in result.content


def test_names_inside_binary_stream_data_are_left_alone():
    binary = b"\x00\x9f/JS \x10/Launch\n/JavaScript\x00" * 20
    pdf = new_pdf()
    pdf.pages[0].Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(
            Im0=pdf.make_stream(
                binary,
                Type=Name.XObject,
                Subtype=Name.Image,
                Filter=Name.DCTDecode,
                Width=1,
                Height=1,
                ColorSpace=Name.DeviceGray,
                BitsPerComponent=8,
            )
        )
    )

    result = process_upload(upload(saved(pdf), "scan.pdf"))

    document = opened(result)
    image = document.pages[0].Resources.XObject.Im0
    assert image.read_raw_bytes() == binary


def test_a_pdf_named_jpg_is_treated_as_a_pdf():
    result = process_upload(upload(saved(new_pdf()), "foto.jpg"))

    assert result.content_type == "application/pdf"
    assert result.extension == ".pdf"


def test_a_pdf_that_needs_a_password_is_rejected_with_a_message_in_each_language():
    protected = saved(new_pdf(), encryption=pikepdf.Encryption(owner="pemilik", user="rahasia"))

    error = rejection(upload(protected, "rekening.pdf"))

    assert error.code == "encrypted_pdf"
    assert in_language(error.message, "id") == (
        'PDF "rekening.pdf" dilindungi kata sandi; simpan ulang tanpa kata sandi lalu unggah lagi.'
    )
    assert in_language(error.message, "en") == (
        'PDF "rekening.pdf" is protected by a password; save it again without a password '
        "and upload that."
    )


def test_a_pdf_with_only_permission_restrictions_is_stored_without_encryption():
    # Opens in every reader without a password; the restrictions are only flags.
    restricted = saved(
        with_author_metadata(new_pdf()),
        encryption=pikepdf.Encryption(owner="pemilik", user="", allow=pikepdf.Permissions()),
    )

    result = process_upload(upload(restricted, "surat-resmi.pdf"))

    document = opened(result)
    assert not document.is_encrypted
    assert document.pages[0].Contents.read_bytes() == PAGE_TEXT
    assert NAME.encode() not in result.content


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\nini bukan PDF sungguhan\n%%EOF\n",
        hand_made_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"
        ),
    ],
    ids=["unparsable", "no-pages"],
)
def test_a_pdf_that_cannot_be_read_is_rejected_as_corrupt(content):
    error = rejection(upload(content, "surat.pdf"))

    assert error.code == "corrupt"
    assert "surat.pdf" in error.message


def test_a_pdf_without_end_marker_is_rejected_as_corrupt():
    pdf = saved(new_pdf())

    assert rejection(upload(pdf[: len(pdf) - 40], "surat.pdf")).code == "corrupt"


# Limits -------------------------------------------------------------------------------


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_rejected_with_a_message_in_the_readers_language():
    error = rejection(upload(image_bytes("PNG") + b"\x00" * 100, "besar.png"))

    assert error.code == "too_large"
    assert in_both(error.message) == (
        'Berkas "besar.png" terlalu besar (maks. 100 B).',
        'File "besar.png" is too large (max 100 B).',
    )
    with translation.override("en"):
        assert error.messages == ['File "besar.png" is too large (max 100 B).']
    assert isinstance(error, ValidationError)


def test_the_default_limit_is_shown_in_megabytes():
    with override_settings(ATTACHMENT_MAX_BYTES=10 * 1024 * 1024):
        oversized = upload(b"")
        oversized.size = 11 * 1024 * 1024  # declared size: nothing is read
        error = rejection(oversized)

    assert "(maks. 10 MB)." in in_language(error.message, "id")
    assert "(max 10 MB)." in in_language(error.message, "en")


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_a_stream_without_a_size_is_read_no_further_than_the_limit():
    endless = CountingStream(10_000)

    assert rejection(endless, name="aliran.jpg").code == "too_large"
    assert endless.bytes_read == 101


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_an_upload_that_understates_its_size_is_still_cut_off():
    lying = upload(b"\xff\xd8\xff" + b"\x00" * 500)
    lying.size = 10

    assert rejection(lying).code == "too_large"


def test_a_rejection_is_a_validation_error_that_survives_pickling():
    error = rejection(upload(b"bukan foto", "a.jpg"))

    # Task queues and caches pickle exceptions; these bytes were made by the test itself.
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301

    assert isinstance(copy, ValidationError)
    assert (copy.code, copy.message) == (error.code, error.message)


def test_an_empty_file_is_rejected():
    error = rejection(upload(b"", "kosong.jpg"))

    assert error.code == "empty"
    assert in_both(error.message) == ('Berkas "kosong.jpg" kosong.', 'File "kosong.jpg" is empty.')


@override_settings(ATTACHMENT_MAX_COUNT=5)
def test_a_batch_over_the_attachment_count_is_rejected_before_anything_is_stored():
    six = [upload(image_bytes("PNG"), f"foto{index}.png") for index in range(6)]

    with pytest.raises(UploadRejected) as caught:
        validate_upload_batch(six)

    assert caught.value.code == "too_many"
    assert in_both(caught.value.message) == (
        "Terlalu banyak lampiran (maks. 5 per laporan).",
        "Too many attachments (max 5 per report).",
    )


@override_settings(ATTACHMENT_MAX_COUNT=5)
def test_attachments_already_on_the_report_count_towards_the_limit():
    two = [upload(image_bytes("PNG"), "a.png"), upload(image_bytes("PNG"), "b.png")]

    validate_upload_batch(two, existing_count=3)
    with pytest.raises(UploadRejected, match="maks. 5 per laporan"):
        validate_upload_batch(two, existing_count=4)


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_a_batch_with_one_oversized_file_is_rejected_as_a_whole():
    files = [upload(b"x" * 50, "kecil.jpg"), upload(b"x" * 500, "besar.jpg")]

    with pytest.raises(UploadRejected) as caught:
        validate_upload_batch(files)

    assert caught.value.code == "too_large"
    assert "besar.jpg" in caught.value.message


# Names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "shown_name"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\Budi\\Pictures\\jalan rusak.jpg", "jalan rusak.jpg"),
        ("foto\x00\x1b[31m.jpg", "foto[31m.jpg"),
        ("tagihan\u202egpj.exe", "tagihangpj.exe"),
        ("  .htaccess  ", "htaccess"),
        ("baris\u2028baru\tfoto.jpg", "baris barufoto.jpg"),
        ("..", "lampiran"),
        ("", "lampiran"),
    ],
)
def test_client_file_names_are_reduced_to_a_harmless_basename_in_messages(client_name, shown_name):
    error = rejection(io.BytesIO(b"bukan foto"), name=client_name)

    assert f'"{shown_name}"' in error.message


def test_a_very_long_name_is_cut_to_150_characters_keeping_the_extension():
    error = rejection(upload(b"bukan foto", "a" * 300 + ".jpeg"))

    assert f'"{"a" * 145}.jpeg"' in error.message


def test_the_client_file_name_is_not_part_of_the_result():
    result = process_upload(upload(image_bytes("JPEG"), "Budi_081234567890.jpg"))

    assert "Budi" not in repr(result)
    assert not any("Budi" in str(value) for value in vars(result).values())


def test_the_sanitised_name_is_used_in_error_messages():
    error = rejection(upload(b"bukan foto", "../../etc/passwd.jpg"))

    assert '"passwd.jpg"' in error.message
    assert "../" not in error.message


def test_a_truncated_jpeg_stays_refused_after_the_pdf_library_is_loaded():
    # Importing WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    photo = noisy_jpeg()
    assert rejection(upload(photo[: len(photo) // 2])).code == "corrupt"


# The pixel budget of one request ---------------------------------------------------------


def blank_png(width: int, height: int) -> bytes:
    """A complete greyscale PNG of one colour: a few hundred KB however many pixels,
    built row by row so the test never holds the pixels in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def test_the_pixels_of_all_images_in_one_request_share_one_budget(monkeypatch):
    """The attack: five 6300×6300 PNGs (772 KB in all), each just under the per-image
    limit, took 8.6 s and 460 MB to decode. Now the second is refused from its header."""
    from PIL import ImageOps

    from aduan.core import uploads

    decoded = []
    real_transpose = ImageOps.exif_transpose

    def counting_transpose(image, **kwargs):
        decoded.append(image.size)
        return real_transpose(image, **kwargs)

    monkeypatch.setattr(uploads.ImageOps, "exif_transpose", counting_transpose)
    data = blank_png(6300, 6300)
    assert len(data) < 200_000
    refusals = []
    with uploads.pixel_budget():  # the default budget of a request: 60 megapixels
        for number in range(5):
            try:
                process_upload(io.BytesIO(data), name=f"peta-{number}.png")
            except UploadRejected as rejected:
                refusals.append(rejected)
    assert decoded == [(6300, 6300)]
    assert [r.code for r in refusals] == ["too_many_pixels_total"] * 4
    message_id, message_en = in_both(refusals[0].message)
    assert "batas resolusi total" in message_id and "60 megapiksel" in message_id
    assert "total resolution" in message_en
    # Outside a request (or in the next one) the budget starts again.
    with uploads.pixel_budget(limit=10_000):
        assert process_upload(io.BytesIO(blank_png(100, 100))).width == 100


def test_pillow_refuses_absurd_images_anywhere_at_the_per_image_limit():
    from django.conf import settings

    assert Image.MAX_IMAGE_PIXELS == settings.ATTACHMENT_MAX_PIXELS
