"""What ordering refuses: each a DomainError with its HTTP status, code and German msgid."""
from __future__ import annotations

from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.orders.transitions import InvalidTransition

__all__ = [
    "AddressNotFound", "AddressOutsideSubRegion", "PickupPlaceClosed", "BelowDoorMinimum", "ColdChainBroken", "CutoffPassed", "DoorNotOffered", "EmptyOrder",
    "IdempotencyMismatch", "InvalidFulfilment", "InvalidIdempotencyKey", "InvalidPaymentMethod", "InvalidQuantity", "InvalidTransition",
    "NoHomeAddress", "NotADeliveryDay", "OutOfStock", "PickupPlaceUnavailable", "QuantityNotAllowed",
    "ProductUnavailable", "TooManyLines", "UnknownProduct", "WrongSubRegion",
]


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"
    message = N_("Die Menge muss eine ganze Zahl von 1 bis 999 sein.")


class QuantityNotAllowed(InvalidQuantity):
    message = N_("%(product)s gibt es ab %(minimum)s Stück und dann in Schritten von %(step)s.")


class EmptyOrder(InvalidInput):
    code = "empty_order"
    message = N_("Der Warenkorb ist leer.")


class TooManyLines(InvalidInput):
    code = "too_many_lines"
    message = N_("Eine Bestellung kann höchstens 100 Positionen haben.")


class UnknownProduct(InvalidInput):
    code = "unknown_product"
    message = N_("Dieses Produkt gibt es nicht.")


class ProductUnavailable(InvalidInput):
    code = "product_unavailable"
    message = N_("„%(product)s“ ist an diesem Tag nicht erhältlich.")


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = N_("Von „%(product)s“ sind nicht mehr genug vorrätig.")


class NoHomeAddress(InvalidInput):
    code = "no_home_address"
    message = N_("Bitte geben Sie zuerst eine Adresse in unserer Region an.")


class NotADeliveryDay(InvalidInput):
    code = "not_a_delivery_day"
    message = N_("An diesem Tag wird in Ihrer Teilregion nicht geliefert.")


class CutoffPassed(Conflict):
    code = "cutoff_passed"
    message = N_("Der Bestellschluss für diesen Liefertag ist vorbei.")


class InvalidFulfilment(InvalidInput):
    code = "invalid_fulfilment"
    message = N_("Bitte wählen Sie eine Paketstation, eine Verkaufsstelle oder die Lieferung an die Haustür.")


class PickupPlaceUnavailable(InvalidInput):
    code = "pickup_place_unavailable"
    message = N_("Diese Abholstelle ist nicht verfügbar.")


class WrongSubRegion(InvalidInput):
    code = "wrong_sub_region"
    message = N_("Diese Abholstelle liegt nicht in Ihrer Teilregion.")


class ColdChainBroken(InvalidInput):
    code = "cold_chain_broken"
    message = N_("Gekühlte oder tiefgekühlte Waren können dort nicht kalt gelagert werden.")


class DoorNotOffered(InvalidInput):
    code = "door_not_offered"
    message = N_("In Ihrer Teilregion gibt es keine Lieferung an die Haustür.")


class BelowDoorMinimum(InvalidInput):
    code = "below_door_minimum"
    message = N_("Die Lieferung an die Haustür gibt es ab einem Warenwert von %(minimum)s.")


class IdempotencyMismatch(InvalidInput):
    code = "idempotency_mismatch"
    message = N_("Dieser Idempotency-Key wurde schon für eine andere Bestellung verwendet.")


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    message = N_("Der Idempotency-Key muss 1 bis 200 Zeichen lang sein.")


class InvalidPaymentMethod(InvalidInput):
    code = "invalid_payment_method"
    message = N_("Diese Zahlungsart gibt es nicht.")


class PickupPlaceClosed(Conflict):
    code = "pickup_place_closed"
    message = N_("„%(place)s“ hat am %(day)s geschlossen. Bitte wählen Sie einen anderen Tag oder Abholort.")


class AddressNotFound(InvalidInput):
    code = "address_not_found"
    message = N_("Diese Lieferadresse konnten wir nicht finden. Bitte prüfen Sie Straße, PLZ und Ort.")


class AddressOutsideSubRegion(InvalidInput):
    code = "address_outside_sub_region"
    message = N_("Diese Lieferadresse liegt außerhalb Ihres Liefergebiets.")
