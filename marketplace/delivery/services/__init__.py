"""Delivery changes: a sub-region's settings and vehicles, planning a day into tours, publishing, driving."""
from marketplace.delivery.services.assigning import (  # noqa: F401
    assign_only_driver,
    assign_tour,
    list_vehicle_trips,
)
from marketplace.delivery.services.driving import (  # noqa: F401
    confirm_stop_delivered,
    confirm_stop_partly,
    fail_stop,
    mark_arrived,
    on_stop_delivered,
    publish_tours,
    report_stop_problem,
)
from marketplace.delivery.services.errors import (  # noqa: F401
    AlreadyDelivered,
    HubOutsideSubRegion,
    InvalidSetting,
    NotADriverHere,
    NotAStop,
    NothingToPublish,
    PlanRunBusy,
    PlanRunStateWrong,
    ReasonRequired,
    ShiftEndsBeforeStart,
    StopAlreadyDone,
    TourAlreadyEnded,
    TourAlreadyStarted,
    TourNotPublished,
    TourNotStarted,
    VehicleBusy,
    VehicleNameTaken,
    VehicleNotHere,
    VehicleTooSmall,
    WindowTaken,
)
from marketplace.delivery.services.planning import (  # noqa: F401
    CLOSED_THAT_DAY,
    NO_HUB,
    PLANNABLE,
    DayInput,
    DaySolution,
    Progress,
    StopSource,
    SubRegionInput,
    create_plan_run,
    plan_day,
    prepare_day,
    solve_day,
    store_day,
)
from marketplace.delivery.services.runs import (  # noqa: F401
    fail_abandoned_plan_runs,
    fail_plan_run,
    finish_plan_run,
    report_plan_progress,
    start_plan_run,
)
from marketplace.delivery.services.settings import (  # noqa: F401
    add_door_window,
    parse_window,
    remove_door_window,
    save_vehicle,
    set_vehicle_active,
    update_schedule,
)
from marketplace.delivery.services.touring import ON_THE_WAY, end_tour, start_tour  # noqa: F401
