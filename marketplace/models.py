"""Imports every model module so that metadata, migrations and relationships see all tables."""
from marketplace.accounts.models import Membership, Role, User  # noqa: F401
from marketplace.catalog.models import (  # noqa: F401
    CatalogVersion,
    Category,
    Producer,
    Product,
    StaffInvitation,
    Temperature,
    UnansweredSearch,
    Unit,
)
from marketplace.delivery.models import PlanRun, Tour, TourStop, TourStopOrder, Vehicle  # noqa: F401
from marketplace.jobs.models import JobState  # noqa: F401
from marketplace.notifications.models import Notification, NotificationDelivery  # noqa: F401
from marketplace.orders.assisted.models import AssistedAction, ResidentConsent  # noqa: F401
from marketplace.orders.models import (  # noqa: F401
    Cart,
    CartItem,
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProducerOrder,
)
from marketplace.orders.standing.models import (  # noqa: F401
    StandingOrder,
    StandingOrderItem,
    StandingOrderRun,
    StandingOrderSkip,
)
from marketplace.payments.invoice_models import (  # noqa: F401
    BillingProfile,
    Invoice,
    InvoiceCounter,
    InvoiceDue,
    InvoiceLine,
)
from marketplace.payments.models import (  # noqa: F401
    Payment,
    ProducerAccount,
    Refund,
    StripeEvent,
    SubRegionPaymentMethod,
    Transfer,
)
from marketplace.pickup.models import (  # noqa: F401
    Compartment,
    CompartmentReading,
    CompartmentReservation,
    CompartmentSize,
    CompartmentState,
    DeviceNonce,
    KeypadMiss,
    KeypadState,
    OpeningHours,
    ParcelStation,
    PickupCode,
    PickupKind,
    PickupPlace,
    PickupStay,
    SalesPoint,
    SalesPointReservation,
    StationDeviceKey,
)
from marketplace.regions.changes import RegionChange  # noqa: F401
from marketplace.regions.models import (  # noqa: F401
    DeliverySchedule,
    DoorWindow,
    Municipality,
    Place,
    Region,
    SubRegion,
)
