"""Demo data of the region set-up: the legal texts and a local note, written through the set-up
services by the demo region admin, so the set-up log has its first rows. Idempotent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.regions import setup
from marketplace.regions.models import Place, Region

IMPRINT = """Landkorb – Waren aus der Region
Ein Angebot des Landkreises Mayen-Koblenz (Demo)
Bahnhofstraße 9, 56068 Koblenz
E-Mail: info@example.org

Dies ist eine Demo-Installation. Die Angaben sind nicht echt."""

PRIVACY = """Wir speichern nur, was wir für Ihre Bestellung brauchen: Name, Adresse, Telefon und E-Mail.
Ihre Daten bleiben in der Region und werden nicht verkauft.
Fragen zum Datenschutz: datenschutz@example.org

Dies ist eine Demo-Installation."""

NOTE = "Abholung auch im Vereinsheim des SV Kehrig"


def seed_region_setup(region: Region, now: datetime) -> bool:
    """True when the texts were written now (False: already there, or no demo admin)."""
    admin = db.session.scalars(select(User).where(User.email == "admin@example.org")).first()
    if region.imprint_text or admin is None:
        return False
    setup.set_legal_texts(region=region, imprint_text=IMPRINT, privacy_text=PRIVACY, actor=admin, now=now)
    kehrig = db.session.scalars(select(Place).where(Place.name == "Kehrig")).first()
    if kehrig is not None:
        sub = kehrig.sub_region
        setup.set_offer(sub_region=sub, offer=setup.Offer(
            door_delivery=sub.door_delivery, door_fee_cents=sub.door_fee_cents,
            door_min_order_cents=sub.door_min_order_cents, local_note=NOTE), actor=admin, now=now)
    return True
