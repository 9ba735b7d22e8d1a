"""Contracts and orders of the CRM customers, and how experience moves them.

Before the period: every customer has one to three contract lines (consumers one), most started
years ago; a quarter of the old lines changed product once (an upgrade or downgrade: the new
contract names the one it replaces, which ended the day before). A few silent customers are new:
their first contract starts during the period.

During the period (`apply_behaviour`, after the contacts and surveys are known):
- churn: each customer churns with a probability that grows with bad experience (calls with a
  wait over 60 s or not answered, contacts followed by a repeat, unhappy survey answers); a
  churner's contracts all end on one day, a few days after one of those bad experiences (a
  customer without any ends on a random day). End dates stay before the last day, so a churner
  is no longer active at the end of the period;
- upgrades (more likely for satisfied customers) and downgrades (more likely after bad ones);
- orders: occasional purchases, more for satisfied customers, some repeated (repurchases).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from simulator.clock import local_wall_epoch
from simulator.cx.catalog import PRODUCTS
from simulator.cx.draw import Weighted, between, pick
from simulator.cx.people import Person

#: Monthly churn of a customer without bad experience, per segment.
BASE_MONTHLY_CHURN = {"consumer": 0.016, "small_business": 0.011, "enterprise": 0.006}
BAD_EXPERIENCE_FACTOR = 2.0        # churn hazard x (1 + factor x min(bad events, 5))
SATISFIED_FACTOR = 0.7             # ... x this when only good experience
UPGRADE_MONTHLY = 0.02
DOWNGRADE_MONTHLY = 0.008
NEW_CUSTOMERS_MONTHLY = 0.02       # of the customer base
ORDER_MONTHLY = {"consumer": 0.05, "small_business": 0.12, "enterprise": 0.25}
ORDER_MEDIAN = {"consumer": 60.0, "small_business": 400.0, "enterprise": 2500.0}
REPURCHASE_RATE = 0.3
CHURN_DELAY_MEDIAN_DAYS = 4.0


@dataclass(slots=True)
class Contract:
    contract_id: str
    customer_id: str
    product: str
    tier: int
    start_date: date
    monthly_value: str
    end_date: date | None = None
    previous_contract_id: str = ""
    cents: int = 0                      # monthly_value in cents

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(slots=True)
class Order:
    customer_id: str
    ordered_at: int
    amount_cents: int
    order_id: str = ""

    @property
    def amount(self) -> str:
        return f"{self.amount_cents // 100}.{self.amount_cents % 100:02d}"


@dataclass(slots=True)
class Account:
    person: Person
    created_at: int
    contracts: list[Contract] = field(default_factory=list)
    updated_at: int = 0
    new: bool = False

    first_start: date = date.max          # the earliest start_date (set when the account is opened)


@dataclass(slots=True)
class Experience:
    """What a customer went through in the period (for behaviour)."""

    bad_times: list[int] = field(default_factory=list)
    good: int = 0


class Ledger:
    """Every account with its contracts, plus the orders of the period."""

    def __init__(self, tz: ZoneInfo, first_day: date, last_day: date, horizon: int) -> None:
        self.tz = tz
        self.first_day = first_day
        self.last_day = last_day
        self.horizon = horizon
        self.accounts: dict[str, Account] = {}
        self.orders: list[Order] = []
        self._contracts = 0
        self._hours: dict[tuple[date, int], int] = {}

    def new_contract(self, customer_id: str, segment: str, tier: int, start: date, previous: str = "") -> Contract:
        self._contracts += 1
        product, value = PRODUCTS[segment][tier]
        return Contract(contract_id=f"CT{self._contracts:08d}", customer_id=customer_id, product=product, tier=tier,
                        start_date=start, monthly_value=value, previous_contract_id=previous,
                        cents=_CENTS[value])

    def active_at(self, customer_id: str, epoch: int) -> bool:
        day = datetime.fromtimestamp(epoch, self.tz).date()
        return any(c.active_on(day) for c in self.accounts[customer_id].contracts)

    def _day_epoch(self, day: date, rng: random.Random, earliest: int = 8 * 60, latest: int = 22 * 60) -> int:
        """A random second of site-local wall-clock time in [earliest, latest) minutes of `day`."""
        minute = between(rng, earliest, latest - 1)
        key = (day, minute // 60)
        hour = self._hours.get(key)
        if hour is None:     # offsets change on whole hours: cache each local hour's epoch
            hour = self._hours[key] = local_wall_epoch(day, minute // 60 * 60, self.tz)
        return hour + minute % 60 * 60 + between(rng, 0, 59)


def open_accounts(customers: list[Person], ledger: Ledger, days: int, rng: random.Random) -> None:
    """Contracts as they stood when the period began (and the new customers of the period)."""
    silent = [p for p in customers if p.origin == "silent"]
    new_count = min(len(silent), round(NEW_CUSTOMERS_MONTHLY * len(customers) * days / 30))
    new_ids = {p.customer_id for p in rng.sample(silent, new_count)}
    period_start = ledger.first_day
    for person in customers:
        cid = person.customer_id
        assert cid is not None
        segment = person.segment
        if cid in new_ids:
            start = period_start + timedelta(days=between(rng, 0, days - 1))
            created = ledger._day_epoch(start, rng, 8 * 60, 12 * 60)
            account = Account(person=person, created_at=created, new=True)
            account.contracts.append(ledger.new_contract(cid, segment, _tier(rng), start))
            ledger.accounts[cid] = account
            continue
        first = period_start - timedelta(days=1 + min(int(rng.expovariate(1 / 800)), 3650))
        created_day = first - timedelta(days=between(rng, 0, 20))
        account = Account(person=person, created_at=ledger._day_epoch(created_day, rng))
        lines = {"consumer": (1, 1, 1, 1, 1, 1, 1, 1, 1, 2),
                 "small_business": (1, 1, 1, 2), "enterprise": (1, 1, 2, 2, 3)}[segment]
        for line in range(pick(rng, lines)):
            start = first if line == 0 else first + timedelta(days=between(rng, 0, (period_start - first).days - 1))
            tier = _tier(rng)
            contract = ledger.new_contract(cid, segment, tier, start)
            room = (period_start - start).days
            if room > 90 and rng.random() < 0.25:
                change = start + timedelta(days=between(rng, 30, room - 1))
                up = rng.random() < 0.7
                new_tier = min(tier + 1, 2) if up else max(tier - 1, 0)
                if new_tier != tier:
                    contract.end_date = change - timedelta(days=1)
                    account.contracts.append(contract)
                    contract = ledger.new_contract(cid, segment, new_tier, change, contract.contract_id)
            account.contracts.append(contract)
        ledger.accounts[cid] = account
    for account in ledger.accounts.values():
        account.first_start = min(c.start_date for c in account.contracts)
        account.updated_at = account.created_at
        if not account.new and rng.random() < 0.3:         # a profile edit some time before the period
            edit = ledger._day_epoch(period_start - timedelta(days=between(rng, 1, 365)), rng)
            account.updated_at = max(account.created_at, edit)


_CENTS = {value: int(value.replace(".", "")) for products in PRODUCTS.values() for _, value in products}
_TIERS = Weighted(((0, 0.5), (1, 0.35), (2, 0.15)))


def _tier(rng: random.Random) -> int:
    return _TIERS.draw(rng)


def apply_behaviour(ledger: Ledger, experience: dict[str, Experience], days: int, rng: random.Random) -> set[str]:
    """Churn, upgrades, downgrades and orders of the period; returns the churned customer ids."""
    tz = ledger.tz
    first_day, last_day = ledger.first_day, ledger.last_day
    months = days / 30
    churned: set[str] = set()
    for cid, account in ledger.accounts.items():
        segment = account.person.segment
        seen = experience.get(cid, Experience())
        bad = len(seen.bad_times)
        hazard = BASE_MONTHLY_CHURN[segment] * months * (1 + BAD_EXPERIENCE_FACTOR * min(bad, 5))
        if bad == 0 and seen.good:
            hazard *= SATISFIED_FACTOR
        running = [c for c in account.contracts if c.end_date is None]
        latest_start = max(c.start_date for c in running)
        churn_day: date | None = None
        if rng.random() < min(hazard, 0.9):
            if seen.bad_times:
                trigger = pick(rng, seen.bad_times)
                delay = max(86400, round(86400 * rng.lognormvariate(math.log(CHURN_DELAY_MEDIAN_DAYS), 0.8)))
                churn_day = datetime.fromtimestamp(trigger + delay, tz).date()
            else:
                churn_day = first_day + timedelta(days=between(rng, 0, max(1, days - 1) - 1))
            if not (latest_start <= churn_day < last_day and churn_day >= first_day):
                churn_day = None
        if churn_day is not None:
            for contract in running:
                contract.end_date = churn_day
            churned.add(cid)
            account.updated_at = max(account.updated_at, ledger._day_epoch(churn_day, rng))
        else:
            up = UPGRADE_MONTHLY * months * (3 if seen.good else 1) * (0.5 if bad else 1)
            down = DOWNGRADE_MONTHLY * months * (2 if bad else 1)
            draw = rng.random()
            if draw < up + down:
                line = pick(rng, running)
                new_tier = line.tier + 1 if draw < up else line.tier - 1
                low = max(first_day, line.start_date + timedelta(days=1))
                if 0 <= new_tier <= 2 and low <= last_day:
                    change = low + timedelta(days=between(rng, 0, (last_day - low).days))
                    line.end_date = change - timedelta(days=1)
                    account.contracts.append(
                        ledger.new_contract(cid, segment, new_tier, change, line.contract_id))
                    account.updated_at = max(account.updated_at, ledger._day_epoch(change, rng, 8 * 60, 10 * 60))
        _orders(ledger, account, seen, churn_day, months, rng)
    ledger.orders.sort(key=lambda o: (o.ordered_at, o.customer_id))
    for number, order in enumerate(ledger.orders, start=1):
        order.order_id = f"OR{number:08d}"
    return churned


def _orders(ledger: Ledger, account: Account, seen: Experience, churn_day: date | None, months: float,
            rng: random.Random) -> None:
    segment = account.person.segment
    cid = account.person.customer_id
    assert cid is not None
    first = max(ledger.first_day, account.first_start)
    last = churn_day - timedelta(days=1) if churn_day is not None else ledger.last_day
    if last < first:
        return
    rate = ORDER_MONTHLY[segment] * months * (1.4 if seen.good else 1) * (0.6 if seen.bad_times else 1)
    moments: list[int] = []
    if account.new and rng.random() < 0.6:
        moments.append(ledger._day_epoch(account.first_start, rng, 12 * 60, 20 * 60))
    elif rng.random() < min(rate, 0.9):
        moments.append(ledger._day_epoch(first + timedelta(days=between(rng, 0, (last - first).days)), rng))
    while moments and rng.random() < REPURCHASE_RATE:
        after = datetime.fromtimestamp(moments[-1], ledger.tz).date() + timedelta(days=1)
        if after > last:
            break
        moments.append(ledger._day_epoch(after + timedelta(days=between(rng, 0, (last - after).days)), rng))
    for moment in moments:
        if moment >= ledger.horizon:
            continue
        amount = max(5.0, rng.lognormvariate(math.log(ORDER_MEDIAN[segment]), 0.6))
        ledger.orders.append(Order(customer_id=cid, ordered_at=moment, amount_cents=round(amount * 100)))
