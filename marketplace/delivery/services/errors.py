"""What the delivery services refuse, with German messages."""
from __future__ import annotations

from marketplace.core.errors import N_, Conflict, InvalidInput


class InvalidSetting(InvalidInput):
    code = "invalid_delivery_setting"
    message = N_("Die Liefereinstellungen sind ungültig.")


class HubOutsideSubRegion(InvalidInput):
    code = "hub_outside_sub_region"
    message = N_("Das Lager muss in der eigenen Teilregion liegen.")


class ShiftEndsBeforeStart(InvalidInput):
    code = "shift_ends_before_start"
    message = N_("Die Schicht muss enden, nachdem sie beginnt.")


class VehicleNameTaken(Conflict):
    code = "vehicle_name_taken"
    message = N_("Ein Fahrzeug mit diesem Namen gibt es in der Teilregion schon.")


class WindowTaken(Conflict):
    code = "door_window_taken"
    message = N_("Dieses Lieferfenster gibt es schon.")


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    message = N_("Es gibt keine geplanten Touren, die veröffentlicht werden können.")


class TourNotPublished(Conflict):
    code = "tour_not_published"
    message = N_("Die Tour ist noch nicht veröffentlicht.")


class StopAlreadyDone(Conflict):
    code = "stop_already_done"
    message = N_("Dieser Halt ist schon bestätigt.")


class NotAStop(InvalidInput):
    code = "not_a_stop"
    message = N_("Am Lager gibt es nichts zu bestätigen.")


class PlanRunBusy(Conflict):
    code = "plan_run_busy"
    message = N_("Für diesen Tag läuft schon eine Planung.")


class PlanRunStateWrong(Conflict):
    code = "plan_run_state"
    message = N_("Der Planungslauf ist nicht in dem Zustand, den dieser Schritt verlangt.")


class NotADriverHere(InvalidInput):
    code = "not_a_driver_here"
    message = N_("Diese Person fährt nicht in der Teilregion der Tour.")


class VehicleNotHere(InvalidInput):
    code = "vehicle_not_here"
    message = N_("Das Fahrzeug gehört nicht zur Teilregion der Tour oder ist außer Dienst.")


class VehicleBusy(Conflict):
    code = "vehicle_busy"
    message = N_("Das Fahrzeug fährt an diesem Tag schon eine andere Tour.")


class VehicleTooSmall(InvalidInput):
    code = "vehicle_too_small"
    message = N_("Die Ladung der Tour passt nicht in dieses Fahrzeug.")


class TourAlreadyStarted(Conflict):
    code = "tour_already_started"
    message = N_("Die Tour ist schon gestartet.")


class TourNotStarted(Conflict):
    code = "tour_not_started"
    message = N_("Die Tour ist noch nicht gestartet.")


class TourAlreadyEnded(Conflict):
    code = "tour_already_ended"
    message = N_("Die Tour ist schon beendet.")


class AlreadyDelivered(Conflict):
    code = "already_delivered"
    message = N_("Dieser Halt ist schon erledigt.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = N_("Bitte kurz schreiben, was passiert ist.")


class OrderNotAtStop(InvalidInput):
    code = "order_not_at_stop"
    message = N_("Diese Bestellung gehört nicht zu diesem Halt.")


class UnknownStop(Conflict):
    code = "unknown_stop"
    message = N_("Diesen Halt gibt es nicht mehr; die Tour wurde vielleicht neu geplant.")


class UnknownTour(Conflict):
    code = "unknown_tour"
    message = N_("Diese Tour gibt es nicht mehr; sie wurde vielleicht neu geplant.")


class BeforePublication(Conflict):
    code = "before_publication"
    message = N_("Die Meldung ist älter als die Veröffentlichung der Tour.")


class AfterTourEnd(Conflict):
    code = "after_tour_end"
    message = N_("Die Meldung ist jünger als das Ende der Tour.")


class EventInFuture(InvalidInput):
    code = "event_in_future"
    message = N_("Die Meldung %(client_event_id)s liegt mehr als fünf Minuten in der Zukunft.")


class ClientEventIdReused(InvalidInput):
    code = "client_event_id_reused"
    message = N_("Diese Ereignis-ID wurde schon für eine andere Meldung verwendet.")


class EventRejectedBefore(Conflict):
    code = "event_rejected"
    message = N_("Diese Meldung wurde schon einmal abgelehnt.")
