"""Real roster files on disk, as an administrator would produce them."""

import csv
import io
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
