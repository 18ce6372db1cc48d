"""User and Membership: a user holds roles, each scoped to the object it applies to."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime
from marketplace.extensions import db
from marketplace.regions.models import Place, SubRegion


class Role(enum.StrEnum):
    RESIDENT = "resident"
    PRODUCER = "producer"
    OPERATOR = "operator"
    SALES_POINT_STAFF = "sales_point_staff"
    DRIVER = "driver"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# Which scope column each role must carry; every other scope column stays empty.
ROLE_SCOPE = {
    Role.RESIDENT: None,
    Role.PRODUCER: "producer_id",
    Role.OPERATOR: "pickup_place_id",
    Role.SALES_POINT_STAFF: "pickup_place_id",
    Role.DRIVER: "sub_region_id",
    Role.COORDINATOR: "sub_region_id",
    Role.ADMIN: "region_id",
}
_SCOPE_COLUMNS = ("producer_id", "pickup_place_id", "sub_region_id", "region_id")


def _scope_check() -> str:
    clauses = []
    for role, column in ROLE_SCOPE.items():
        parts = [f"role = '{role.value}'"]
        for other in _SCOPE_COLUMNS:
            parts.append(f"{other} IS {'NOT NULL' if other == column else 'NULL'}")
        clauses.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(clauses)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a resident served by staff who has no e-mail address (assisted ordering).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="de")
    # How they want to be told (notifications.preferences): "email", "sms", "slip"; None: e-mail.
    notify_channels: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Home address; the place decides the sub-region. lat/lon may come from the PLZ centroid.
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    town: Mapped[str | None] = mapped_column(String(200))
    home_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), index=True
    )
    home_lat: Mapped[float | None]
    home_lon: Mapped[float | None]

    home_place: Mapped[Place | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(home_lat IS NULL) = (home_lon IS NULL)", name="home_coordinates_paired"
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def home_sub_region(self) -> SubRegion | None:
        return self.home_place.sub_region if self.home_place else None

    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        return role in self.roles()

    def scopes(self, role: Role) -> list[int]:
        """Ids of the objects this user holds `role` for (producers, places, sub-regions…)."""
        column = ROLE_SCOPE[role]
        if column is None:
            return []
        return [getattr(m, column) for m in self.memberships if m.role == role]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    """One role of one user, scoped to a producer, pickup place, sub-region or region."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
             create_constraint=True, name="role")
    )
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    pickup_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="CASCADE")
    )
    sub_region_id: Mapped[int | None] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="CASCADE")
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="memberships")

    __table_args__ = (
        CheckConstraint(_scope_check(), name="scope_matches_role"),
        Index(
            "uq_memberships_scope",
            "user_id", "role", "producer_id", "pickup_place_id", "sub_region_id", "region_id",
            unique=True,
        ),
    )
