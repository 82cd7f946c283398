"""Real roster files on disk, as an administrator would produce them."""

import csv
import io
import random
from pathlib import Path

from openpyxl import Workbook

from villages.roster import COLUMNS


def row(**values: str) -> dict[str, str]:
    base = {
        "district": "寒亭区",
        "street": "固堤街道",
        "street_kind": "street",
        "village_code": "370703003001",
        "village": "杜家庄子村",
        "secretary": "杜崇超",
        "gender": "male",
        "phone": "13800000001",
        "since": "2021-03-01",
    }
    return base | values


def write(path: Path, rows: list[dict[str, str]], *, header=COLUMNS, bom: bool = True) -> Path:
    """Write rows as .csv (UTF-8, BOM optional) or .xlsx, by the path's suffix."""
    cells = [list(header)] + [[r.get(c, "") for c in header] for r in rows]
    if path.suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        for line in cells:
            sheet.append(line)
        workbook.save(path)
    else:
        out = io.StringIO(newline="")
        csv.writer(out).writerows(cells)
        path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode())
    return path


def large(path: Path, *, size: int) -> Path:
    """A .csv or .xlsx roster of a few thousand villages, of `size` bytes or a little less, with
    a remarks column as other systems export it (the import ignores it) in varied text, which
    compresses no better than a real workbook's."""
    words = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    header = (*COLUMNS, "remarks")

    def rows(count: int) -> list[dict[str, str]]:
        made = []
        for n in range(1, count + 1):
            rng = random.Random(n)  # noqa: S311 - test data, the same every run
            made.append(
                row(
                    village_code=f"3707{n:08d}",
                    village=f"第{n}村",
                    secretary="".join(rng.choices(words, k=3)),
                    phone=f"139{n:08d}",
                    remarks="".join(rng.choices(words, k=400)),
                )
            )
        return made

    count = 500
    write(path, rows(count), header=header)
    count = int(count * size / path.stat().st_size)  # rows are about the same size
    write(path, rows(count), header=header)
    while path.stat().st_size > size:
        count -= 10
        write(path, rows(count), header=header)
    return path
