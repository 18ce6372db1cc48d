"""English, the second language, covers every user-facing string in the code and templates."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None}
METHODS = [
    ("marketplace/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2"),
]


def _source_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_source_message_has_an_english_translation():
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"{len(missing)} strings without English: {missing[:10]}"


def test_every_notification_kind_has_german_and_english_texts(app):
    from marketplace.notifications.kinds import KINDS, PARTS, render

    assert {"order_placed", "order_confirmed", "order_cancelled"} <= set(KINDS)
    for name, kind in KINDS.items():
        for part in PARTS:
            assert (ROOT / "templates" / "notifications" / name / part).is_file(), (name, part)
        with app.app_context():
            german, english = render(name, kind.sample, "de"), render(name, kind.sample, "en")
        for field in ("subject", "text", "html", "sms"):
            assert getattr(german, field) and getattr(english, field), (name, field)
            assert getattr(german, field) != getattr(english, field), (name, field, "not translated")
