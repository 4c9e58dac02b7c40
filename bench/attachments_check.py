"""Benchmark: the attachment safety check on the largest PDFs the portal accepts.

    .venv/bin/python bench/attachments_check.py [--pages 300] [--megabytes 20] [--runs 5]

Issue 11 asks that a 20 MB, 300-page PDF be checked in under a second. This script
builds such files with pypdf, in memory, and times applications.attachments.check_pdf
on each: the whole upload check (header, pypdf's parse, page count and the walk of
every object for active content), as the upload runs it on a temporary file.

1. "scanned": 300 pages, each a ~70 KB photograph (an image XObject), a line of
   text, a /URI link and a bookmark: 20 MB, a few thousand objects.
2. "tagged": the same 20 MB over 300 pages, with 10 links a page and the
   structure tree a tagged export writes (40 elements a page): 16,000 objects.
3. "object streams": the tagged file with every dictionary packed into a
   compressed object stream (tests/applications/pdfs.py's in_object_stream).

Prints the file size, object count and median, min and max time of each. The goal
line says PASS or FAIL. Timings depend on the machine: run it
on a quiet one and read the load average it prints.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_S = 1.0

from django.conf import settings  # noqa: E402

settings.configure(USE_I18N=False)  # no database, no apps: the check needs neither

from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.generic import (  # noqa: E402
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from applications.attachments import MAX_BYTES, check_pdf  # noqa: E402
from tests.applications.pdfs import in_object_stream  # noqa: E402


def _name(value: str) -> NameObject:
    return NameObject(value)


def _dict(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject("/" + key): value for key, value in entries.items()})


def _link(writer: PdfWriter, index: int) -> object:
    rect = ArrayObject([FloatObject(60), FloatObject(700 - index), FloatObject(300), FloatObject(712 - index)])
    action = DictionaryObject(
        {_name("/S"): _name("/URI"), _name("/URI"): TextStringObject(f"https://www.diana.nato.int/{index}")}
    )
    return writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/Link"),
                _name("/Rect"): rect,
                _name("/A"): action,
            }
        )
    )


def build(pages: int, total_bytes: int, links_per_page: int, tags_per_page: int = 0) -> bytes:
    rng = random.Random(2026)
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Font"),
                _name("/Subtype"): _name("/Type1"),
                _name("/BaseFont"): _name("/Helvetica"),
            }
        )
    )
    image_bytes = max(3, (total_bytes - 200 * pages * (links_per_page + tags_per_page + 4)) // pages)
    elements = ArrayObject()
    width = 160
    height = max(1, image_bytes // (3 * width))
    for number in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        image = DecodedStreamObject()
        image.set_data(rng.randbytes(width * height * 3))  # a photograph does not compress
        image.update(
            {
                _name("/Type"): _name("/XObject"),
                _name("/Subtype"): _name("/Image"),
                _name("/Width"): NumberObject(width),
                _name("/Height"): NumberObject(height),
                _name("/ColorSpace"): _name("/DeviceRGB"),
                _name("/BitsPerComponent"): NumberObject(8),
            }
        )
        content = DecodedStreamObject()
        content.set_data(
            f"q 475 0 0 {height * 3} 60 100 cm /Im0 Do Q BT /F1 11 Tf 60 780 Td (Page {number + 1}) Tj ET".encode()
        )
        page[_name("/Resources")] = DictionaryObject(
            {
                _name("/Font"): DictionaryObject({_name("/F1"): font}),
                _name("/XObject"): DictionaryObject({_name("/Im0"): writer._add_object(image)}),
            }
        )
        page[_name("/Contents")] = writer._add_object(content)
        page[_name("/Annots")] = ArrayObject(_link(writer, index) for index in range(links_per_page))
        writer.add_outline_item(title=f"Page {number + 1}", page_number=number)
        for tag in range(tags_per_page):  # one structure element per paragraph
            element = {_name("/Type"): _name("/StructElem"), _name("/S"): _name("/P"), _name("/K"): NumberObject(tag)}
            element[_name("/Pg")] = page.indirect_reference
            elements.append(writer._add_object(DictionaryObject(element)))
    if elements:
        root = {_name("/Type"): _name("/StructTreeRoot"), _name("/K"): elements}
        writer.root_object[_name("/StructTreeRoot")] = writer._add_object(DictionaryObject(root))
        writer.root_object[_name("/MarkInfo")] = DictionaryObject({_name("/Marked"): BooleanObject(True)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def time_check(data: bytes, runs: int) -> list[float]:
    """check_pdf on a temporary file, as Django hands an upload over 2.5 MB to the form."""
    timings = []
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        for _ in range(runs):
            handle.seek(0)
            started = time.perf_counter()
            check_pdf(handle)
            timings.append(time.perf_counter() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--megabytes", type=float, default=20, help="size of the scanned file (at most 20)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    target = min(int(args.megabytes * 1024 * 1024), MAX_BYTES) - 64 * 1024

    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print("building the files ...", flush=True)
    scanned = build(args.pages, target, links_per_page=1)
    tagged = build(args.pages, target, links_per_page=10, tags_per_page=40)
    cases = [("scanned", scanned), ("tagged", tagged), ("object streams", in_object_stream(tagged))]
    print(f"{'file':<22}{'size':>10}{'objects':>10}{'median':>10}{'min':>9}{'max':>9}  goal")
    failed = False
    for label, data in cases:
        if len(data) > MAX_BYTES:
            print(f"{label}: {len(data)} bytes is over the 20 MB limit; lower --megabytes")
            return 2
        timings = time_check(data, args.runs)
        reader = PdfReader(io.BytesIO(data))
        objects = sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)
        median = statistics.median(timings)
        failed |= median >= GOAL_S
        print(
            f"{label:<22}{len(data) / 1024 / 1024:>8.1f}MB{objects:>10}"
            f"{median:>9.3f}s{min(timings):>8.3f}s{max(timings):>8.3f}s  {'FAIL' if median >= GOAL_S else 'PASS'}"
        )
    verdict = "FAIL" if failed else "PASS"
    print(f"goal: each {args.pages}-page file above checked in under {GOAL_S:g} s (median): {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
