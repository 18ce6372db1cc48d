"""The direction of dependencies in STYLE.md, read from the imports with `ast`."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "marketplace"
ORDER = [
    "core", "regions", "accounts", "notifications", "catalog", "pickup", "orders", "payments",
    "delivery", "reports", "jobs", "api", "admin",
]
RANK = {name: i for i, name in enumerate(ORDER)}
RANK["admin"] = RANK["api"]
# Modules on top of the stack may call any service: request handlers, forms, CLI commands.
TOP_LEVEL = {"views.py", "cli.py", "forms.py", "portal.py", "permissions.py", "routing_cli.py", "jobs.py"}


def _is_top_level(path) -> bool:
    """Views, forms and commands sit on top; a second blueprint of a package is `<name>_views.py`."""
    return path.name in TOP_LEVEL or path.name.endswith("_views.py")
REQUEST_STATE = {"request", "session", "g", "current_user"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _domain_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or parts[0] not in RANK:
            continue
        yield parts[0], path


def test_domain_modules_import_only_to_their_left():
    wrong = []
    for package, path in _domain_modules():
        if _is_top_level(path) or package in {"api", "admin"}:
            continue
        for module, _ in _imports(path):
            parts = module.split(".")
            if parts[0] != "marketplace" or len(parts) < 2 or parts[1] not in RANK:
                continue
            if RANK[parts[1]] > RANK[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_services_and_models_do_not_read_request_state():
    wrong = []
    for _, path in _domain_modules():
        if _is_top_level(path) or path.parts[-2] in {"web", "api", "admin"}:
            continue
        for module, names in _imports(path):
            if module in {"flask", "flask_login"} and REQUEST_STATE & set(names):
                wrong.append(f"{path.relative_to(ROOT)} imports {sorted(REQUEST_STATE & set(names))}")
    assert wrong == []


def test_core_knows_no_flask():
    for path in (ROOT / "core").rglob("*.py"):
        modules = {m.split(".")[0] for m, _ in _imports(path)}
        assert not modules & {"flask", "flask_login", "flask_babel", "flask_sqlalchemy"}, path


def test_routing_is_pure():
    routing = ROOT / "delivery" / "routing"
    for path in routing.rglob("*.py"):
        for module, _ in _imports(path):
            top = module.split(".")[0]
            assert top not in {"flask", "sqlalchemy", "flask_sqlalchemy"}, f"{path} imports {module}"
            assert not module.startswith("marketplace.") or module.startswith(
                ("marketplace.core", "marketplace.delivery.routing")
            ), f"{path} imports {module}"


def test_only_the_stripe_gateway_imports_stripe():
    for path in ROOT.rglob("*.py"):
        if path.relative_to(ROOT).as_posix() == "payments/stripe_gateway.py":
            continue
        assert "stripe" not in {m.split(".")[0] for m, _ in _imports(path)}, path


def test_the_checker_notices_a_wrong_import(tmp_path):
    # The rule must be able to fail: a module that imports to its right is caught.
    bad = tmp_path / "bad.py"
    bad.write_text("from marketplace.orders.models import Order\n")
    modules = [m for m, _ in _imports(bad)]
    assert RANK[modules[0].split(".")[1]] > RANK["catalog"]
