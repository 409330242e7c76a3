"""Embeds the source data files in a laid-out PDF/A-3b as one incremental update: new data, no new layout."""
from __future__ import annotations

import datetime
import hashlib
import io
import re
import zlib

# A PDF is laid out once per text it prints (WeasyPrint, seconds) and then carries the data files it was made
# from (SPEC §8) as attachments added here (milliseconds). An edit that changes a data file but nothing a
# document prints therefore changes that document's bytes without laying it out again.
#
# The update follows ISO 32000-1 §7.5.6: the new objects (per file an /EmbeddedFile stream and its /Filespec,
# the /EmbeddedFiles name tree and the catalog, rewritten under its own number with /Names and /AF) are
# appended, then a cross-reference stream that points back to the original one (/Prev) and repeats the
# original trailer's entries. PDF/A-3 (ISO 19005-3) asks each file for its MIME type, /Params /ModDate and an
# /AFRelationship, and the catalog to list the files in /AF. Every byte comes from the arguments, so the
# same PDF, files and stamp give the same bytes.

MIME = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json"}


def embed(pdf: bytes, files: list[tuple[str, bytes]], stamp: datetime.datetime) -> bytes:
    """`pdf` with `files` (name, bytes) attached as the sources it was made from; `pdf` itself if none."""
    if not files:
        return pdf
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(pdf), strict=True)
    trailer = reader.trailer
    root_ref = trailer.raw_get("/Root")
    catalog = DictionaryObject(trailer["/Root"].get_object())
    number = int(trailer["/Size"])
    date = _literal(stamp.astimezone(datetime.timezone.utc).strftime("D:%Y%m%d%H%M%SZ").encode())

    objects: dict[int, bytes] = {}
    specs = ArrayObject()
    tree = ArrayObject()
    for name, data in sorted(files):
        mime = MIME.get(name[name.rfind("."):], "application/octet-stream").replace("/", "#2F")
        packed = zlib.compress(data, 9)
        objects[number] = (
            b"<< /Type /EmbeddedFile /Subtype /" + mime.encode() + b" /Filter /FlateDecode /Length "
            + str(len(packed)).encode() + b" /Params << /Size " + str(len(data)).encode()
            + b" /CheckSum <" + hashlib.md5(data).hexdigest().encode() + b"> /CreationDate " + date
            + b" /ModDate " + date + b" >> >>\nstream\n" + packed + b"\nendstream")
        spec = DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject(name), NameObject("/UF"): TextStringObject(name),
            NameObject("/Desc"): TextStringObject(name),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): IndirectObject(number, 0, reader)}),
            NameObject("/AFRelationship"): NameObject("/Source"),
        })
        objects[number + 1] = _serialise(spec)
        specs.append(IndirectObject(number + 1, 0, reader))
        tree.extend([TextStringObject(name), IndirectObject(number + 1, 0, reader)])
        number += 2
    objects[number] = _serialise(DictionaryObject({NameObject("/Names"): tree}))
    names = DictionaryObject(catalog.get("/Names", DictionaryObject()))
    names[NameObject("/EmbeddedFiles")] = IndirectObject(number, 0, reader)
    catalog[NameObject("/Names")] = names
    catalog[NameObject("/AF")] = specs
    objects[root_ref.idnum] = _serialise(catalog)
    number += 1

    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for idnum in sorted(objects):
        offsets[idnum] = out.tell()
        out.write(b"%d 0 obj\n" % idnum + objects[idnum] + b"\nendobj\n")
    offsets[number] = xref_at = out.tell()  # the cross-reference stream lists itself, as pydyf's does
    rows = b"".join(b"\x01" + offset.to_bytes(4, "big") + b"\x00" for _, offset in sorted(offsets.items()))
    first, update = _serialise(trailer["/ID"][0]), hashlib.md5(out.getvalue()[len(pdf):]).hexdigest()
    entries = [
        b"/Type /XRef", b"/Size %d" % (number + 1), b"/Root %d 0 R" % root_ref.idnum,
        b"/Index [" + b" ".join(b"%d 1" % idnum for idnum in sorted(offsets)) + b"]",
        b"/W [1 4 1]", b"/Prev %d" % _startxref(pdf),
        b"/ID [" + first + b" <" + update.encode() + b">]",
        b"/Length %d" % len(rows),
    ]
    if "/Info" in trailer:
        entries.insert(3, b"/Info %d 0 R" % trailer.raw_get("/Info").idnum)
    out.write(b"%d 0 obj\n<< " % number + b" ".join(entries) + b" >>\nstream\n" + rows + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def _serialise(obj) -> bytes:
    stream = io.BytesIO()
    obj.write_to_stream(stream)
    return stream.getvalue()


def _literal(text: bytes) -> bytes:
    return b"(" + text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _startxref(pdf: bytes) -> int:
    found = re.findall(rb"startxref\s+(\d+)\s+%%EOF", pdf[-1024:])
    if not found:
        raise ValueError("not a PDF this renderer wrote: no startxref at its end")
    return int(found[-1])
