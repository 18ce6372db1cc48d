"""Every kind's SMS fits one message: at most 160 GSM-7 characters, with long realistic values."""
from __future__ import annotations

import pytest

from marketplace.notifications.gsm7 import fits_one_sms, septets
from marketplace.notifications.kinds import KINDS, LANGUAGES, render


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_sms_of_every_kind_fits_160_gsm7_characters(app, kind, language):
    sample = dict(KINDS[kind].sample)
    for fulfilment in ("sales_point", "door"):
        sample["fulfilment"] = fulfilment
        with app.app_context():
            sms = render(kind, sample, language).sms
        assert septets(sms) is not None, f"{kind}/{language}: not GSM-7: {sms!r}"
        assert fits_one_sms(sms), f"{kind}/{language}: {septets(sms)} septets: {sms!r}"


def test_the_gsm7_check_can_fail():
    assert fits_one_sms("a" * 160)
    assert not fits_one_sms("a" * 161)
    assert not fits_one_sms("€" * 81)  # the euro sign takes two septets
    assert septets("Grüße aus Mayen") == 15
    assert septets("Zoë’s") is None  # neither ë nor the typographic apostrophe is GSM-7
