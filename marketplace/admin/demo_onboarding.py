"""Demo of joining: one producer's application waits in the Eifel for coordinator@example.org,
and the demo producer's account owns Hofladen Schmitz (it may invite staff). Idempotent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.admin import demo_data as data
from marketplace.catalog import onboarding
from marketplace.catalog.models import Producer
from marketplace.extensions import db

APPLICANT_EMAIL = "bewerbung@example.org"
APPLICATION = onboarding.Application(
    name="Imkerei am Hochsimmer", street="Bienenweg 4", postcode="56729", town="Monreal",
    description="Blüten- und Waldhonig von 40 Völkern rund um den Hochsimmer, dazu Bienenwachskerzen.",
    organic_control_number="DE-ÖKO-006", vat_status="small_business",
)


def seed_onboarding(*, now: datetime, password_hash_method: str) -> None:
    owner = db.session.scalars(select(User).where(User.email == "producer@example.org")).first()
    schmitz = db.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).first()
    if owner is not None and schmitz is not None and schmitz.owner_id is None:
        schmitz.owner = owner
    if db.session.scalars(select(User.id).where(User.email == APPLICANT_EMAIL)).first() is None:
        onboarding.apply_as_producer(
            application=APPLICATION, owner=None, now=now,
            account=onboarding.NewAccount(email=APPLICANT_EMAIL, password=data.DEMO_PASSWORD,
                                          name="Greta Imhof", hash_method=password_hash_method),
        )
    db.session.flush()
