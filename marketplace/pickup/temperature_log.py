"""The cold-chain log of a compartment: readings for a period, thinned with age, as CSV and SVG."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from sqlalchemy import delete, select

from marketplace.core.csv_export import spreadsheet_safe
from marketplace.extensions import db
from marketplace.pickup.models import Compartment, CompartmentReading

KEEP_ALL_FOR = timedelta(days=90)


def list_readings(compartment_id: int, *, since: datetime, until: datetime) -> list[CompartmentReading]:
    return list(db.session.scalars(
        select(CompartmentReading).where(
            CompartmentReading.compartment_id == compartment_id,
            CompartmentReading.at >= since, CompartmentReading.at < until,
        ).order_by(CompartmentReading.at, CompartmentReading.id)
    ))


def thin_readings(*, now: datetime, keep_all_for: timedelta = KEEP_ALL_FOR) -> int:
    """Readings older than `keep_all_for` keep one per compartment and hour: the warmest (what a
    food-safety check asks about). Returns how many were deleted."""
    old = db.session.execute(
        select(CompartmentReading.id, CompartmentReading.compartment_id, CompartmentReading.at,
               CompartmentReading.celsius)
        .where(CompartmentReading.at < now - keep_all_for)
        .order_by(CompartmentReading.compartment_id, CompartmentReading.at, CompartmentReading.id)
    ).all()
    kept: dict[tuple[int, datetime], tuple] = {}
    for row in old:
        hour = (row.compartment_id, row.at.replace(minute=0, second=0, microsecond=0))
        if hour not in kept or row.celsius > kept[hour].celsius:
            kept[hour] = row
    keep_ids = {row.id for row in kept.values()}
    doomed = [row.id for row in old if row.id not in keep_ids]
    for start in range(0, len(doomed), 500):
        db.session.execute(delete(CompartmentReading).where(CompartmentReading.id.in_(doomed[start:start + 500])))
    db.session.flush()
    return len(doomed)


def readings_csv(compartment: Compartment, readings: list[CompartmentReading]) -> str:
    """One line per reading, for HACCP records: station, compartment, class, UTC time, °C."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["station", "compartment", "temperature_class", "at_utc", "celsius"])
    for reading in readings:
        writer.writerow([spreadsheet_safe(compartment.station.name), spreadsheet_safe(compartment.label), compartment.temperature.value,
                         reading.at.isoformat(), f"{reading.celsius:.2f}"])
    return out.getvalue()


def readings_svg(readings: list[CompartmentReading], *, limit_c: float | None, title: str,
                 width: int = 600, height: int = 160) -> str:
    """A small line chart of the readings, with the limit as a dashed line when there is one."""
    pad = 24
    values = [float(r.celsius) for r in readings] + ([limit_c] if limit_c is not None else [])
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1:
        low, high = low - 0.5, high + 0.5
    start = readings[0].at if readings else None
    span = (readings[-1].at - start).total_seconds() if len(readings) > 1 else 1.0

    def y(value: float) -> float:
        return round(height - pad - (value - low) / (high - low) * (height - 2 * pad), 1)

    def x(at: datetime) -> float:
        return round(pad + (at - start).total_seconds() / span * (width - 2 * pad), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>',
        f'<text x="2" y="{pad - 8}" font-size="11">{high:.1f} °C</text>',
        f'<text x="2" y="{height - 6}" font-size="11">{low:.1f} °C</text>',
    ]
    if limit_c is not None:
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{y(limit_c)}" y2="{y(limit_c)}" '
                     'stroke="#b00020" stroke-dasharray="4 3"/>')
    if readings:
        points = " ".join(f"{x(r.at)},{y(float(r.celsius))}" for r in readings)
        parts.append(f'<polyline fill="none" stroke="#1f5f3f" stroke-width="2" points="{points}"/>')
    parts.append("</svg>")
    return "".join(parts)
