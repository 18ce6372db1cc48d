"""`/admin/jobs`: the scheduled jobs for region admins (last run, next run, failures with their error)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from marketplace.accounts.permissions import can_see_jobs
from marketplace.core.clock import utcnow
from marketplace.jobs.queries import list_jobs

bp = Blueprint("jobs_admin", __name__)


@bp.get("/admin/jobs")
def index():
    # Anyone but a region admin learns nothing, not even that the page exists.
    if not can_see_jobs(current_user):
        abort(404)
    now = utcnow()
    return render_template("admin/jobs.html", jobs=list_jobs(now), now=now)
