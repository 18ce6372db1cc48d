"""/api/v1/orders/{id}/pickup-code.svg: the resident's pickup code as a QR code (segno), on the
`api` blueprint; for the resident's bearer token or web session, 401 for anyone else."""
from __future__ import annotations

import io

import segno
from flask import Response
from flask_login import current_user

from marketplace.accounts.permissions import can_see_pickup_code
from marketplace.api.auth import Unauthenticated, api_user, token_optional
from marketplace.api.views import bp
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound
from marketplace.orders import queries as order_queries
from marketplace.pickup.collection import get_resident_pickup


def pickup_code_svg(code: str) -> str:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False,
                                      title=f"Abholcode {code}")
    return buffer.getvalue().decode()


@bp.get("/orders/<int:order_id>/pickup-code.svg")
@token_optional
def pickup_code_qr(order_id: int):
    user = api_user() or (current_user if current_user.is_authenticated else None)
    order = order_queries.get_order(order_id)
    if order is None or not can_see_pickup_code(user, order):
        raise Unauthenticated()
    pickup = get_resident_pickup(order, now=utcnow())
    if pickup is None:
        raise NotFound()
    return Response(pickup_code_svg(pickup.code), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store, private"})
