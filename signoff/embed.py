"""Embeds the source data files in a laid-out PDF/A-3b as one incremental update: new data, no new layout."""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass

# A PDF is laid out once per text it prints (WeasyPrint, seconds) and then carries the data files it was made
# from (SPEC §8) as attachments added here (milliseconds). An edit that changes a data file but nothing a
# document prints therefore changes that document's bytes without laying it out again.
#
# The update follows ISO 32000-1 §7.5.6: the new objects (per file an /EmbeddedFile stream and its /Filespec,
# the /EmbeddedFiles name tree and the catalog, rewritten under its own number with /Names and /AF) are
# appended, then a cross-reference stream that points back to the original one (/Prev) and repeats the
# original trailer's entries. PDF/A-3 (ISO 19005-3) asks each file for its MIME type, /Params /ModDate and an
# /AFRelationship, and the catalog to list the files in /AF. Every byte comes from the arguments, so the
# same layout, files and stamp give the same bytes.

MIME = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json"}
_MAGIC = b"%signoff-layout 2\n"


@dataclass(frozen=True)
class Layout:
    """A PDF as WeasyPrint wrote it, with its catalog's entries as written (captured while writing, so the PDF
    need not be parsed to update it): `catalog` without /Names and /AF, `names` the /Names entries but
    /EmbeddedFiles."""
    pdf: bytes
    catalog: bytes
    names: bytes

    def to_bytes(self, key: str) -> bytes:
        """The layout cache's file for the cache key `key`: a header line of JSON (the key, the PDF's size and
        SHA-256, the catalog entries), then the PDF."""
        head = json.dumps({"key": key, "size": len(self.pdf), "sha256": hashlib.sha256(self.pdf).hexdigest(),
                           "catalog": self.catalog.decode("latin-1"), "names": self.names.decode("latin-1")})
        return _MAGIC + head.encode() + b"\n" + self.pdf

    @classmethod
    def from_bytes(cls, data: bytes, key: str) -> Layout:
        """The layout in a cache file, which must prove it is the one kept for `key`: ValueError otherwise
        (another format, another key, a truncated or altered PDF)."""
        if not data.startswith(_MAGIC):
            raise ValueError("not a layout this version of Signoff wrote")
        head, sep, pdf = data[len(_MAGIC):].partition(b"\n")
        fields = json.loads(head) if sep else None
        if not isinstance(fields, dict) or fields.get("key") != key:
            raise ValueError("a layout kept for another document")
        if fields.get("size") != len(pdf) or fields.get("sha256") != hashlib.sha256(pdf).hexdigest():
            raise ValueError("a truncated or altered layout")
        return cls(pdf, fields["catalog"].encode("latin-1"), fields["names"].encode("latin-1"))


def embed(layout: Layout, files: list[tuple[str, bytes]], stamp: datetime.datetime) -> bytes:
    """The PDF of `layout` with `files` (name, bytes) attached as the sources it was made from."""
    pdf = layout.pdf
    if not files:
        return pdf
    trailer = _trailer(pdf)
    number = trailer["size"]
    date = _text(stamp.astimezone(datetime.timezone.utc).strftime("D:%Y%m%d%H%M%SZ"))
    objects: dict[int, bytes] = {}
    specs, tree = [], []
    for name, data in sorted(files):
        mime = MIME.get(name[name.rfind("."):], "application/octet-stream").replace("/", "#2F")
        packed = zlib.compress(data, 9)
        objects[number] = (
            b"<</Type /EmbeddedFile/Subtype /%s/Filter /FlateDecode/Length %d" % (mime.encode(), len(packed))
            + b"/Params <</Size %d/CheckSum <%s>" % (len(data), hashlib.md5(data).hexdigest().encode())
            + b"/CreationDate " + date + b"/ModDate " + date + b">>>>\nstream\n" + packed + b"\nendstream")
        objects[number + 1] = (b"<</Type /Filespec/F " + _text(name) + b"/UF " + _text(name) + b"/Desc "
                               + _text(name) + b"/EF <</F %d 0 R>>/AFRelationship /Source>>" % number)
        specs.append(b"%d 0 R" % (number + 1))
        tree += [_text(name), b"%d 0 R" % (number + 1)]
        number += 2
    objects[number] = b"<</Names [" + b" ".join(tree) + b"]>>"
    objects[trailer["root"]] = (b"<<" + layout.catalog + b"/Names <<" + layout.names
                                + b"/EmbeddedFiles %d 0 R>>/AF [" % number + b" ".join(specs) + b"]>>")
    number += 1

    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for idnum in sorted(objects):
        offsets[idnum] = out.tell()
        out.write(b"%d 0 obj\n" % idnum + objects[idnum] + b"\nendobj\n")
    offsets[number] = xref_at = out.tell()  # the cross-reference stream lists itself, as pydyf's does
    rows = b"".join(b"\x01" + offset.to_bytes(4, "big") + b"\x00" for _, offset in sorted(offsets.items()))
    update = hashlib.md5(out.getvalue()[len(pdf):]).hexdigest().encode()
    entries = b"/Type /XRef/Size %d/Root %d 0 R" % (number + 1, trailer["root"])
    if trailer["info"] is not None:
        entries += b"/Info %d 0 R" % trailer["info"]
    entries += (b"/Index [" + b" ".join(b"%d 1" % idnum for idnum in sorted(offsets)) + b"]/W [1 4 1]"
                + b"/Prev %d/ID [%s <%s>]/Length %d" % (trailer["startxref"], trailer["id"], update, len(rows)))
    out.write(b"%d 0 obj\n<<" % number + entries + b">>\nstream\n" + rows + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _trailer(pdf: bytes) -> dict:
    """The entries of the last cross-reference stream of a PDF that pydyf or qpdf wrote (its dictionary, found
    where `startxref` points)."""
    end = _STARTXREF.search(pdf[-64:])
    if not end:
        raise ValueError("not a PDF that WeasyPrint wrote: no cross-reference stream at its end")
    start = int(end.group(1))
    stop = pdf.find(b"stream", start)
    text = pdf[start:stop] if stop > 0 else b""
    if b"/XRef" not in text:
        raise ValueError("not a PDF that WeasyPrint wrote: no cross-reference stream at its end")

    def entry(pattern: bytes) -> bytes | None:
        match = re.search(pattern, text)
        return match.group(1) if match else None

    size, root, info = entry(rb"/Size (\d+)"), entry(rb"/Root (\d+) 0 R"), entry(rb"/Info (\d+) 0 R")
    identifier = entry(rb"/ID \[\s*(\([0-9a-f]*\)|<[0-9A-Fa-f]*>)")
    if size is None or root is None or identifier is None:
        raise ValueError("not a PDF that WeasyPrint wrote: its trailer lacks /Size, /Root or /ID")
    return {"size": int(size), "root": int(root), "info": int(info) if info else None, "id": identifier,
            "startxref": start}


def _text(value: str) -> bytes:
    """A PDF text string: literal when ASCII, UTF-16BE with its byte-order mark otherwise."""
    if value.isascii():
        return b"(" + value.encode().replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"
