"""Ids in URLs beyond any database id answer 404, never a 500 from the database."""
from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize("path", [
    "/produkte/38736218129563271168", "/bestellungen/99999999999", "/api/v1/products/38736218129563271168",
    "/api/v1/orders/38736218129563271168",
])
def test_ids_beyond_any_row_are_404_not_500(client, demo, path):
    login(client, "resident@example.org")
    assert client.get(path).status_code in (401, 404)


def test_cancel_with_a_huge_id_is_404(client, demo):
    token = client.post("/api/v1/auth/token", json={"email": "resident@example.org", "password": "landkorb-demo"})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    response = client.post("/api/v1/orders/38736218129563271168/cancel", headers=bearer)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
