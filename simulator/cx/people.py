"""The customers behind the contacts: one population of people who call, write and buy.

Every voice caller number (except `anonymous`) and every helpdesk end user who can be reached
(an e-mail address, or a phone on their profile) belongs to a person. Some people use both
channels: a requester is the same person as a caller when the phone on their helpdesk profile is
that caller's number, or when the simulator pairs them (a caller whose call failed writes a
ticket hours or days later, or someone who wrote calls a few days after). Most people are CRM
customers (`known`); the rest are unknown to the CRM. People who never contact anyone ("silent"
customers) fill the rest of the customer base.

Identities are unique: a phone number or an e-mail address belongs to at most one CRM customer,
so matching a contact to the CRM by number or address finds the person it came from. One
exception is inherent in the helpdesk data and harmless: a requester without an e-mail address
whose profile phone another person owns is matched (by phone) to that person.

The matching rule for tickets is "the requester's e-mail, else phone". Whether "else" means
"when there is no e-mail" or "when the e-mail is not in the CRM" never matters here: a requester
whose e-mail is not in the CRM never has a profile phone that is (`ambiguous_requesters()` checks).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from simulator.callers import ANONYMOUS, FICTION_NUMBERS, fiction_number
from simulator.cx.capture import Call
from simulator.cx.catalog import EMEA, NORTH_AMERICA
from simulator.cx.draw import Weighted, pick
from simulator.helpdesk.directory import NA, EndUser
from simulator.helpdesk.lifecycle import TicketRecord
from simulator.staffing import FIRST_NAMES, LAST_NAMES

EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
#: Silent customers (no contact in the period) per customer who contacts.
SILENT_PER_CONTACTING = 0.5
PAIR_BEFORE_SHARE = 0.6           # of pairings: the call came first (and failed or was transferred)
PAIR_BEFORE_WINDOW = (600, 3 * 86400)
PAIR_AFTER_WINDOW = (600, 4 * 86400)
_SEGMENTS = Weighted((("consumer", 0.80), ("small_business", 0.15), ("enterprise", 0.05)))
_VIP_SEGMENTS = Weighted((("consumer", 0.10), ("small_business", 0.35), ("enterprise", 0.55)))
REQUESTER_PHONE_RATE = 0.45       # requesters (not callers) whose CRM record has some phone
CALLER_EMAIL_RATE = 0.65          # callers and silent customers whose CRM record has an e-mail


@dataclass(slots=True)
class Person:
    """Someone who may call, write or buy. `known`: a CRM customer (then `customer_id` is set)."""

    index: int
    name: str
    phone: str | None                 # E.164
    email: str | None                 # lower case
    region: str
    known: bool
    origin: str                       # caller, requester or silent
    called_vip: bool = False
    user_ids: list[int] = field(default_factory=list)
    customer_id: str | None = None
    segment: str = ""


@dataclass
class Population:
    people: list[Person]
    by_phone: dict[str, Person]                  # every person's phone (known or not)
    by_user: dict[int, Person]                   # helpdesk end user id -> person
    customers: list[Person]                      # the CRM, in customer_id order
    phone_to_customer: dict[str, str]
    email_to_customer: dict[str, str]

    def customer_of_phone(self, phone: str | None) -> str | None:
        return self.phone_to_customer.get(phone) if phone else None

    def customer_of_requester(self, user: EndUser) -> str | None:
        """The docs' rule: the requester's e-mail matched to a CRM e-mail, else the profile phone."""
        if user.email is not None:
            found = self.email_to_customer.get(user.email.lower())
            if found is not None:
                return found
        return self.customer_of_phone(profile_phone(user))

    def ambiguous_requesters(self, users: list[EndUser]) -> list[int]:
        """Requesters with an e-mail the CRM does not know but a profile phone it does (none)."""
        return [u.id for u in users if u.email is not None and u.email.lower() not in self.email_to_customer
                and self.customer_of_phone(profile_phone(u)) is not None]


def profile_phone(user: EndUser) -> str | None:
    """The phone on the requester's latest profile version (Zendesk users' `phone`), as E.164
    (the helpdesk writes it `+44 20 7946 0123`: an international number with spaces)."""
    if not user.updates:
        return None
    text = user.updates[-1][1]
    return "+" + "".join(ch for ch in text if ch.isdigit())


def region_of_phone(phone: str) -> str:
    return NORTH_AMERICA if phone.startswith("+1") else EMEA


class _FreeNumbers:
    """Fiction-range numbers no voice caller uses, in a random order (for CRM phones that never call)."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        order = list(range(FICTION_NUMBERS))
        rng.shuffle(order)
        self._order: Iterator[int] = iter(order)
        self._taken = taken

    def take(self) -> str | None:
        for index in self._order:
            number = fiction_number(index)
            if number not in self._taken:
                self._taken.add(number)
                return number
        return None


def _random_name(rng: random.Random) -> tuple[str, str]:
    return pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)


def _made_up_email(rng: random.Random, first: str, last: str, index: int) -> str:
    # "first.last123@..." (the helpdesk's addresses are "first.last.123@..."): never the same.
    return f"{first}.{last}{index}@{pick(rng, EMAIL_DOMAINS)}".lower().replace(" ", "")


def build_population(calls: list[Call], pool: list[str], tickets: list[TicketRecord], vip_queues: set[str],
                     rng: random.Random, *, known_caller_rate: float, known_requester_rate: float,
                     cross_channel_rate: float) -> Population:
    """Callers first (in order of their first call), then requesters (in order of their first
    ticket, some paired with callers), then silent customers; then customer ids and segments."""
    people: list[Person] = []
    by_phone: dict[str, Person] = {}
    by_user: dict[int, Person] = {}

    def new_person(**kwargs) -> Person:
        person = Person(index=len(people), **kwargs)
        people.append(person)
        if person.phone is not None:
            by_phone[person.phone] = person
        return person

    # Callers.
    for call in calls:
        if call.caller == ANONYMOUS:
            continue
        person = by_phone.get(call.caller)
        if person is None:
            first, last = _random_name(rng)
            person = new_person(name=f"{first} {last}", phone=call.caller, email=None,
                                region=region_of_phone(call.caller), known=rng.random() < known_caller_rate,
                                origin="caller")
        if any(v.queue in vip_queues for v in call.visits):
            person.called_vip = True
    callers = list(people)

    taken = set(pool) | set(by_phone)
    free = _FreeNumbers(rng, taken)
    pairing = _Pairing(calls, vip_queues, by_phone, rng)

    # Requesters (every end user, by their first ticket).
    seen: set[int] = set()
    for record in sorted(tickets, key=lambda r: (r.created_at, r.id)):
        user = record.requester
        if user.id in seen:
            continue
        seen.add(user.id)
        email = user.email.lower() if user.email is not None else None
        phone = profile_phone(user)
        region = NORTH_AMERICA if user.region == NA else EMEA
        name = user.name if not user.name.startswith("@") else " ".join(_random_name(rng))
        owner = by_phone.get(phone) if phone is not None else None
        if owner is not None and not owner.user_ids:
            owner.user_ids.append(user.id)                      # the same person: their number
            owner.email = email
            owner.name = name
            by_user[user.id] = owner
        elif owner is not None:
            if email is not None:                               # the number is someone else's
                by_user[user.id] = new_person(name=name, phone=None, email=email, region=region, known=True,
                                              origin="requester", user_ids=[user.id])
        elif phone is not None:
            taken.add(phone)
            by_user[user.id] = new_person(name=name, phone=phone, email=email, region=region_of_phone(phone),
                                          known=rng.random() < known_requester_rate, origin="requester",
                                          user_ids=[user.id])
        elif email is not None:
            paired = pairing.partner(record.created_at) if rng.random() < cross_channel_rate else None
            if paired is not None:
                paired.user_ids.append(user.id)
                paired.email = email
                paired.name = name
                by_user[user.id] = paired
            else:
                crm_phone = free.take() if rng.random() < REQUESTER_PHONE_RATE else None
                person = new_person(name=name, phone=crm_phone, email=email, region=region,
                                    known=rng.random() < known_requester_rate, origin="requester",
                                    user_ids=[user.id])
                by_user[user.id] = person
        # else: no e-mail and no phone (social media, some messaging): nobody can tell who it is.

    for person in callers:
        if person.email is None and rng.random() < CALLER_EMAIL_RATE:
            first, last = person.name.split(" ", 1)
            person.email = _made_up_email(rng, first, last, person.index)

    # Silent customers: the rest of the customer base.
    contacting = sum(p.known for p in people)
    uncalled = [n for n in pool if n not in by_phone]
    rng.shuffle(uncalled)
    for _ in range(round(SILENT_PER_CONTACTING * contacting)):
        first, last = _random_name(rng)
        draw = rng.random()
        phone = None
        if draw < 0.5 and uncalled:
            phone = uncalled.pop()
            taken.add(phone)
        elif draw < 0.8:
            phone = free.take()
        index = len(people)
        email = _made_up_email(rng, first, last, index) if rng.random() < 0.7 else None
        region = region_of_phone(phone) if phone else (EMEA if rng.random() < 0.6 else NORTH_AMERICA)
        new_person(name=f"{first} {last}", phone=phone, email=email, region=region, known=True, origin="silent")

    # The CRM: known people in a random order get ids; segments lean on the vip line.
    customers = [p for p in people if p.known]
    rng.shuffle(customers)
    for number, person in enumerate(customers, start=1):
        person.customer_id = f"CU{number:07d}"
        person.segment = (_VIP_SEGMENTS if person.called_vip else _SEGMENTS).draw(rng)
    phone_to_customer = {p.phone: p.customer_id for p in customers if p.phone is not None}
    email_to_customer = {p.email: p.customer_id for p in customers if p.email is not None}
    assert len(phone_to_customer) == sum(p.phone is not None for p in customers), "a CRM phone twice"
    assert len(email_to_customer) == sum(p.email is not None for p in customers), "a CRM e-mail twice"
    return Population(people=people, by_phone=by_phone, by_user=by_user, customers=customers,
                      phone_to_customer=phone_to_customer, email_to_customer=email_to_customer)


class _Pairing:
    """Finds a caller for a requester: someone whose call failed (or was transferred) shortly
    before the ticket, or who calls a few days after it."""

    def __init__(self, calls: list[Call], vip_queues: set[str], by_phone: dict[str, Person],
                 rng: random.Random) -> None:
        self.rng = rng
        self.by_phone = by_phone
        usable = [c for c in calls if c.caller != ANONYMOUS]
        failed = [c for c in usable if c.outcome != "answered" or c.is_transferred]
        self.failed = failed
        self.failed_starts = [c.started_at for c in failed]
        self.calls = usable
        self.starts = [c.started_at for c in usable]

    def partner(self, at: int) -> Person | None:
        if self.rng.random() < PAIR_BEFORE_SHARE:
            calls, starts = self.failed, self.failed_starts
            low, high = at - PAIR_BEFORE_WINDOW[1], at - PAIR_BEFORE_WINDOW[0]
        else:
            calls, starts = self.calls, self.starts
            low, high = at + PAIR_AFTER_WINDOW[0], at + PAIR_AFTER_WINDOW[1]
        first, last = bisect.bisect_left(starts, low), bisect.bisect_right(starts, high)
        if first >= last:
            return None
        for _ in range(8):
            person = self.by_phone[calls[self.rng.randrange(first, last)].caller]
            if not person.user_ids:
                return person
        return None


# -- how people write their numbers and addresses ---------------------------------------------

def display_phone(e164: str, rng: random.Random) -> str:
    """A human way of writing an E.164 fiction number that `phonenumbers` (default region US)
    reads back as the same E.164."""
    if e164.startswith("+1"):
        area, exchange, line = e164[2:5], e164[5:8], e164[8:]
        return _US_FORMATS.draw(rng).format(area=area, exchange=exchange, line=line)
    if e164.startswith("+44"):
        area, first, second = e164[3:5], e164[5:9], e164[9:]
        return _UK_FORMATS.draw(rng).format(area=area, first=first, second=second)
    return e164


_US_FORMATS = Weighted((
    ("+1 ({area}) {exchange}-{line}", 0.22), ("({area}) {exchange}-{line}", 0.2), ("{area}-{exchange}-{line}", 0.14),
    ("+1 {area} {exchange} {line}", 0.12), ("1-{area}-{exchange}-{line}", 0.08), ("{area}.{exchange}.{line}", 0.08),
    ("+1{area}{exchange}{line}", 0.1), ("+1-{area}-{exchange}-{line}", 0.06),
))
_UK_FORMATS = Weighted((
    ("+44 {area} {first} {second}", 0.45), ("+44{area}{first}{second}", 0.2), ("+44 ({area}) {first} {second}", 0.1),
    ("+44-{area}-{first}-{second}", 0.1), ("+44 {area}{first}{second}", 0.05),
    ("+44 (0){area} {first} {second}", 0.1),
))


def display_email(email: str, rng: random.Random) -> str:
    """The same address as someone typed it: mixed case (the domain too)."""
    draw = rng.random()
    if draw < 0.5:
        return email
    local, domain = email.split("@", 1)
    if draw < 0.8:
        local = ".".join(part[:1].upper() + part[1:] for part in local.split("."))
        return f"{local}@{domain.capitalize() if rng.random() < 0.3 else domain}"
    if draw < 0.9:
        return email.upper()
    return local[:1].upper() + local[1:] + "@" + domain
