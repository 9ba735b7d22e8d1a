"""What the customer-experience sources talk about: IVR menu, bot intents, contact reasons,
ticket topics, products and survey scales.

These tables are the simulator's side of three dbt seeds (`ivr_menu_reasons`,
`contact_reason_keywords`, `survey_scales`). The simulator imports nothing of the project, so the
rows are repeated here; tests/unit/test_seeds.py keeps both sides equal, and checks that every
ticket subject the helpdesk writes is classified by the keyword seed as the reason meant here.
"""

from __future__ import annotations

from dataclasses import dataclass

BILLING, TECHNICAL, ACCOUNT, DELIVERY, SALES, CANCELLATION, OTHER = (
    "billing", "technical", "account", "delivery", "sales", "cancellation", "other")
REASONS = (BILLING, TECHNICAL, ACCOUNT, DELIVERY, SALES, CANCELLATION, OTHER)


@dataclass(frozen=True)
class MenuKey:
    """A first-level IVR choice: its reason, the queue it hands callers to (None: information
    only) and its second-level options (`sub key -> (label, self-service?)`)."""

    key: str
    reason: str
    description: str
    queue: str | None
    options: tuple[tuple[str, str, bool], ...] = ()


#: The phone menu. A session's menu_path starts with one of these keys (`1>2`).
IVR_MENU: tuple[MenuKey, ...] = (
    MenuKey("1", BILLING, "Billing and payments", "billing",
            (("1", "balance", True), ("2", "invoice_copy", True), ("3", "payment", False), ("4", "refund", False))),
    MenuKey("2", TECHNICAL, "Technical support", "support",
            (("1", "outage_info", True), ("2", "troubleshooting", False), ("3", "app", False))),
    MenuKey("3", ACCOUNT, "Account, login and personal details", "support",
            (("1", "password_reset", True), ("2", "change_details", False))),
    MenuKey("4", DELIVERY, "Orders, delivery and returns", "support",
            (("1", "order_status", True), ("2", "returns", False))),
    MenuKey("5", SALES, "New products and upgrades", "sales",
            (("1", "new_contract", False), ("2", "upgrade", False))),
    MenuKey("6", CANCELLATION, "Cancel a contract", "sales", (("1", "cancel", False),)),
    MenuKey("7", OTHER, "Opening hours and addresses (announcement only)", None),
    MenuKey("0", OTHER, "Operator", "support"),
)
MENU_BY_KEY = {m.key: m for m in IVR_MENU}

#: Which first keys callers of a queue pressed (weights). A queue no key leads to (vip: premium
#: numbers are routed there whatever they press, or a queue of another config) uses VIP_KEYS.
QUEUE_KEYS: dict[str, tuple[tuple[str, float], ...]] = {
    "billing": (("1", 1.0),),
    "support": (("2", 0.36), ("3", 0.24), ("4", 0.25), ("0", 0.15)),
    "sales": (("5", 0.8), ("6", 0.2)),
}
VIP_KEYS: tuple[tuple[str, float], ...] = (
    ("1", 0.2), ("2", 0.3), ("3", 0.12), ("4", 0.13), ("5", 0.13), ("6", 0.06), ("0", 0.06))

#: Self-service paths of the phone menu (what a caller can do without an agent).
IVR_SELF_SERVICE: tuple[tuple[str, float], ...] = (
    ("1>1", 0.22), ("1>2", 0.18), ("2>1", 0.14), ("3>1", 0.14), ("4>1", 0.20), ("7", 0.12))

#: Bot intents: the first element of a bot session's menu_path, and its reason.
BOT_INTENTS: tuple[tuple[str, str, str], ...] = (
    ("billing", BILLING, "Bot: invoices, balance, payments, refunds"),
    ("technical", TECHNICAL, "Bot: outages, troubleshooting, the app"),
    ("account", ACCOUNT, "Bot: login, password, personal details"),
    ("delivery", DELIVERY, "Bot: order status, delivery, returns"),
    ("sales", SALES, "Bot: products and upgrades"),
    ("cancellation", CANCELLATION, "Bot: cancelling a contract"),
    ("opening_hours", OTHER, "Bot: opening hours and addresses"),
    ("agent", OTHER, "Bot: asked for a person straight away"),
)
BOT_REASON = {intent: reason for intent, reason, _ in BOT_INTENTS}
BOT_SELF_SERVICE: tuple[tuple[str, float], ...] = (
    ("billing>invoice_copy", 0.24), ("billing>balance", 0.12), ("delivery>order_status", 0.24),
    ("account>password_reset", 0.16), ("technical>outage_info", 0.12), ("opening_hours", 0.12))

#: The helpdesk's ticket topics (the first tag of a ticket, simulator/helpdesk/texts.py) -> reason.
TOPIC_REASONS: dict[str, str] = {
    "login": ACCOUNT, "password": ACCOUNT, "address": ACCOUNT,
    "delivery": DELIVERY, "damaged": DELIVERY,
    "app": TECHNICAL, "sync": TECHNICAL,
    "cancel": CANCELLATION, "upgrade": SALES,
    "invoice": BILLING, "refund": BILLING, "payment": BILLING, "double_charge": BILLING,
    "spam": OTHER,
}

#: The seed `contact_reason_keywords`: (keyword, reason, rank); the first keyword by rank that the
#: lower-cased subject contains gives the reason, else `other`.
REASON_KEYWORDS: tuple[tuple[str, str, int], ...] = (
    ("cancel", CANCELLATION, 10), ("terminate", CANCELLATION, 11), ("unsubscribe", CANCELLATION, 12),
    ("refund", BILLING, 20), ("invoice", BILLING, 21), ("charged", BILLING, 22), ("payment", BILLING, 23),
    ("billing", BILLING, 24),
    ("password", ACCOUNT, 30), ("log in", ACCOUNT, 31), ("login", ACCOUNT, 32), ("address", ACCOUNT, 33),
    ("account", ACCOUNT, 34),
    ("crash", TECHNICAL, 40), ("sync", TECHNICAL, 41), ("error", TECHNICAL, 42), ("not working", TECHNICAL, 43),
    ("upgrade", SALES, 50), ("premium", SALES, 51), ("offer", SALES, 52),
    ("damaged", DELIVERY, 60), ("delivery", DELIVERY, 61), ("order", DELIVERY, 62), ("package", DELIVERY, 63),
    ("parcel", DELIVERY, 64),
)


def reason_of_subject(subject: str) -> str:
    """The keyword rule of docs/cx_sources.md on one subject (used by the truth and the tests)."""
    text = subject.lower()
    for keyword, reason, _ in sorted(REASON_KEYWORDS, key=lambda row: row[2]):
        if keyword in text:
            return reason
    return OTHER


def reason_of_path(menu_path: str) -> str | None:
    """The seed `ivr_menu_reasons` on a session's menu_path (first key or intent); None if absent."""
    first = menu_path.split(">", 1)[0]
    if first in MENU_BY_KEY:
        return MENU_BY_KEY[first].reason
    return BOT_REASON.get(first)


#: The seed `survey_scales`: scale -> (min, max, csat top-box minimum).
SURVEY_SCALES: dict[str, tuple[int, int, int]] = {
    "1-3": (1, 3, 3), "1-5": (1, 5, 4), "1-7": (1, 7, 6), "1-10": (1, 10, 8), "0-10": (0, 10, 8),
}

SEGMENTS = ("consumer", "small_business", "enterprise")
EMEA, NORTH_AMERICA = "emea", "north_america"
CURRENCY = "EUR"

#: Products per segment, cheapest first (upgrades move up, downgrades down): (name, monthly EUR).
PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "consumer": (("Home Basic", "19.90"), ("Home Plus", "29.90"), ("Home Premium", "49.90")),
    "small_business": (("Business Starter", "99.00"), ("Business Pro", "249.00"), ("Business Max", "499.00")),
    "enterprise": (("Enterprise Standard", "1500.00"), ("Enterprise Plus", "3200.00"),
                   ("Enterprise Max", "6000.00")),
}
