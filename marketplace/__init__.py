"""Landkorb: an online marketplace for rural local supply."""
from __future__ import annotations

from flask import Flask


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application; `overrides` replace settings (tests pass the database URL)."""
    from config import BASE_DIR, check_config, get_config
    from marketplace import models  # noqa: F401  (registers every table)
    from marketplace.extensions import (
        babel,
        cache,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        sqlite_engine_options,
    )
    from marketplace.web import clock, converters, errors, filters, i18n, labels, request_state, security

    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(get_config(config_name))
    app.config.update(overrides)
    check_config(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        )
    converters.init_app(app)

    db.init_app(app)
    clock.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    request_state.init_app(app)
    from marketplace.notifications import channels as notification_channels

    notification_channels.init_app(app)

    from marketplace.accounts import views as accounts_views
    from marketplace.admin import cli as admin_cli
    from marketplace.admin import dashboard as dashboard_views
    from marketplace.admin import hub as hub_views
    from marketplace.admin import jobs_views, portal, producer_applications, region_setup
    from marketplace.admin import payment_methods as payment_method_views
    from marketplace.api import assisted as _assisted_api  # noqa: F401  (its routes on the api blueprint)
    from marketplace.api import devices as device_api
    from marketplace.api import driver as _driver_api  # noqa: F401  (its routes on the api blueprint)
    from marketplace.api import pickup_code as _pickup_code_api  # noqa: F401  (its route joins api_views.bp)
    from marketplace.api import pickup_places as pickup_place_api
    from marketplace.api import producer as _producer_api  # noqa: F401  (its routes join api_views.bp)
    from marketplace.api import producer_days as _producer_days_api  # noqa: F401  (the same)
    from marketplace.api import standing as api_standing  # noqa: F401  (its routes on the api blueprint)
    from marketplace.api import views as api_views
    from marketplace.catalog import onboarding_views
    from marketplace.catalog import portal as producer_products_views
    from marketplace.catalog import views as catalog_views
    from marketplace.delivery import cli as delivery_cli
    from marketplace.delivery import views as delivery_views
    from marketplace.delivery.driver_app import views as _driver_app  # noqa: F401  (on the delivery blueprint)
    from marketplace.delivery.routing_cli import routing_cli
    from marketplace.jobs.cli import jobs_cli
    from marketplace.notifications import cli as notifications_cli
    from marketplace.notifications import views as notifications_views
    from marketplace.orders import views as orders_views
    from marketplace.orders.standing import views as standing_views
    from marketplace.payments import invoice_views
    from marketplace.payments import views as payments_views
    from marketplace.payments.cli import payments_cli
    from marketplace.pickup import views as station_views
    from marketplace.pickup.cli import stations_cli
    from marketplace.pickup.sales_point import views as sales_point_views
    from marketplace.reports import sales_views
    from marketplace.reports import views as open_data_views
    from marketplace.reports.packing import views as packing_views
    from marketplace.reports.statements import views as statement_views
    from marketplace.web import views as web_views

    app.register_blueprint(web_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(catalog_views.bp)
    app.register_blueprint(producer_products_views.bp)
    app.register_blueprint(onboarding_views.bp)
    app.register_blueprint(producer_applications.bp)
    app.register_blueprint(packing_views.bp)
    app.register_blueprint(orders_views.bp)
    app.register_blueprint(standing_views.bp)
    app.register_blueprint(invoice_views.bp)
    app.register_blueprint(statement_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(device_api.bp)
    app.register_blueprint(pickup_place_api.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(delivery_views.bp)
    app.register_blueprint(open_data_views.bp)
    app.register_blueprint(sales_views.bp)
    app.register_blueprint(jobs_views.bp)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(station_views.bp)
    app.register_blueprint(hub_views.bp)
    app.register_blueprint(dashboard_views.bp)
    app.register_blueprint(sales_point_views.bp)
    app.register_blueprint(payments_views.bp)
    app.register_blueprint(region_setup.bp)
    app.register_blueprint(region_setup.public)
    app.register_blueprint(payment_method_views.bp)
    app.cli.add_command(admin_cli.demo_cli)
    app.cli.add_command(delivery_cli.tours_cli)
    app.cli.add_command(routing_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(notifications_cli.notifications_cli)
    app.cli.add_command(stations_cli)
    app.cli.add_command(payments_cli)
    return app
