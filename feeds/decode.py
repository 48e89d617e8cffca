"""Bytes -> text: detect the encoding, normalise newlines, strip control characters.

Pure: takes bytes, returns text or raises InputError. Detection is by whole-file decoding, not
per byte: a BOM wins; otherwise strict UTF-8; otherwise strict GB18030 (a superset of GBK and
GB2312). Anything else, or anything that looks binary, is rejected with a one-line reason.
"""

from __future__ import annotations

import re

from feeds.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a newspaper page is ~5-50 KB; 20 MB is a wrong file

_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable",
}
# C0 controls except \t and \n (\r and \f are turned into newlines first), DEL, and C1 controls:
# all illegal or meaningless in XML 1.0 feeds.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # not \t \n \f \r
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")


def decode(data: bytes, path: str = "<bytes>", max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Return (text, encoding) for a page's bytes; raise InputError naming `path` otherwise."""
    text, encoding, _warning = decode_page(data, path, max_bytes)
    return text, encoding


def decode_page(
    data: bytes, path: str = "<bytes>", max_bytes: int = MAX_BYTES
) -> tuple[str, str, str | None]:
    """(text, encoding, warning): like decode(), but a UTF-8 page with a few broken bytes (a
    damaged dump) is kept, the bytes replaced by U+FFFD, with a warning to report."""
    if len(data) > max_bytes:
        raise InputError(
            path, f"too large ({len(data) / 1e6:.1f} MB, limit {max_bytes / 1e6:.0f} MB)"
        )
    if not data.strip():
        raise InputError(path, "empty file")
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"not text (binary data: {kind})")
    warning = None
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        encoding = "utf-16"
        text = _strict(data, encoding, path)
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        text = _strict(data, encoding, path)
    else:
        if data.count(b"\x00") > len(data) // 100:
            raise InputError(path, "not text (binary data)")
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            lenient = data.decode("utf-8", errors="replace")
            broken = lenient.count("\ufffd")
            try:
                encoding, text = "gb18030", data.decode("gb18030")
            except UnicodeDecodeError as exc:
                if broken > max(8, len(lenient) // 200):
                    raise InputError(
                        path,
                        f"undecodable bytes at offset {exc.start} (neither UTF-8 nor GB18030)",
                    ) from exc
                encoding, text = "utf-8", lenient
            if encoding == "gb18030" and broken <= max(2, len(lenient) // 1000):
                # valid GB18030 but nearly valid UTF-8 too: a UTF-8 page with a bad byte
                encoding, text = "utf-8", lenient
            if encoding == "utf-8":
                warning = (
                    f"{broken} undecodable byte(s) replaced, first at offset {utf8_error.start}"
                )
    if _looks_binary(text):
        raise InputError(path, "not text (binary data)")
    return normalise(text), encoding, warning


def _looks_binary(text: str) -> bool:
    """Many control characters: a binary file that happened to decode."""
    controls = len(_BINARY.findall(text[:20000]))
    return controls > max(16, len(text[:20000]) // 50)


def _strict(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"undecodable {encoding} at offset {exc.start}") from exc


def normalise(text: str) -> str:
    """CRLF/CR/form feed -> LF; strip control characters; drop trailing spaces on lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))
