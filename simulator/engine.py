"""The discrete-event simulation of the contact center.

One heap of timed events (integer epoch seconds) drives queues, callers and agents. Each handler
runs at the simulated instant of its event and emits what happens *then* (queue_log lines, CDR
rows, agent states), which keeps every output stream in time order, and hands finished visits to
the ground truth. Ties at the same second run in a fixed order (logins, then agent-side events,
ringing, callers leaving, arrivals, breaks and shift ends) and then first-scheduled-first.

Model, in short (docs/simulator.md has the whole picture):
- A call enters a queue (ENTERQUEUE), or is refused: JOINEMPTY when no member is logged in, FULL
  when `maxlen` callers wait already.
- A waiting caller is offered to a free member (lowest penalty, then the one idle longest); the
  phone rings a few seconds (the agent stays AVAILABLE in the feed) and CONNECT follows, or after
  the ring timeout RINGNOANSWER and the call waits for another agent.
- Free agents pull the best waiting call of their queues: highest queue weight, lowest penalty,
  longest waiting.
- A caller leaves unanswered at the earliest of patience (ABANDON), the queue's maximum wait
  (EXITWITHTIMEOUT) and a key press (EXITWITHKEY); when the last member of a queue logs out, its
  waiting callers leave with EXITEMPTY.
- An answered call is talk with optional HOLD periods, ending with COMPLETEAGENT/COMPLETECALLER, a
  BLINDTRANSFER (the same callid enters another queue at the same second) or an ATTENDEDTRANSFER
  after a consultation hold; the agent then does after-call work (ACW).
- Breaks (PAUSE/UNPAUSE) and logouts wait until the agent is free.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from simulator import behaviour as bh
from simulator.callers import CallerBook
from simulator.clock import local_day_bounds, local_wall_epoch
from simulator.config import WEEKDAYS, QueueSpec, SimulationConfig
from simulator.patterns import day_bins, generate_arrivals
from simulator.staffing import AgentProfile, DayRoster, Shift, Workforce, shifts_crossing
from simulator.truth import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    EXITED_EMPTY,
    EXITED_WITH_KEY,
    TIMED_OUT,
    TruthBook,
    VisitRecord,
)
from simulator.writers import LandingWriter

if TYPE_CHECKING:
    from simulator.wfm_truth import AgentDayBook

# Event kinds; the number is also the tie-break priority at the same second.
LOGIN, STEP, ACW_END, BREAK_END, RING_ANSWER, RING_TIMEOUT, LEAVE, ARRIVAL, BREAK_DUE, SHIFT_END = range(10)

# Agent status (internal; the feed shows AVAILABLE while FREE or RINGING).
OFF, FREE, RINGING, BUSY, WRAPUP, ON_BREAK = range(6)

# Visit status.
WAITING, CONNECTED, DONE = range(3)

LEAVE_OUTCOME = {bh.ABANDON: ABANDONED, bh.TIMEOUT: TIMED_OUT, bh.EXIT_KEY: EXITED_WITH_KEY}
TRANSFER_CONTEXT = "from-internal"
INBOUND_CONTEXT = "from-trunk"
ATTENDED_TARGETS = ("2001", "2002", "2005")   # back-office extensions outside the queues
NONE = "NONE"


class _Queue:
    __slots__ = ("index", "spec", "name", "waiting", "members", "window")

    def __init__(self, index: int, spec: QueueSpec) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.waiting: list[_Visit] = []
        self.members: list[_Agent] = []
        self.window: tuple[int, int] | None = None   # today's opening hours as epochs


class _Agent:
    __slots__ = ("profile", "index", "interface", "penalty", "status", "visit", "login_at", "channel",
                 "idle_since", "pending_break", "pending_logout", "shift_id")

    def __init__(self, profile: AgentProfile) -> None:
        self.profile = profile
        self.index = profile.index
        self.interface = profile.interface
        self.penalty = dict(profile.skills)
        self.status = OFF
        self.visit: _Visit | None = None
        self.login_at = 0
        self.channel = ""
        self.idle_since = 0
        self.pending_break: tuple[int, str] | None = None
        self.pending_logout = False
        self.shift_id = -1


class _Call:
    __slots__ = ("callid", "caller", "channel", "visits")

    def __init__(self, callid: str, caller: str, channel: str) -> None:
        self.callid = callid
        self.caller = caller
        self.channel = channel
        self.visits: dict[int, int] = {}


class _Visit:
    """A call's stay in one queue (the ground truth's queue entry)."""

    __slots__ = ("order", "call", "queue", "entry_seq", "entered", "origpos", "transferred_in", "status",
                 "leave", "tried", "ring_agent", "ring_start", "ring_uid", "token", "agent", "connected_at",
                 "dstchannel", "plan", "step", "hold", "acw_start", "end_kind")

    def __init__(self, order: int, call: _Call, queue: _Queue, entered: int, transferred_in: bool) -> None:
        self.order = order
        self.call = call
        self.queue = queue
        self.entered = entered
        self.transferred_in = transferred_in
        self.entry_seq = call.visits.get(queue.index, 0) + 1
        call.visits[queue.index] = self.entry_seq
        self.origpos = 0
        self.status = WAITING
        self.leave: bh.LeavePlan | None = None
        self.tried: set[int] = set()
        self.ring_agent: _Agent | None = None
        self.ring_start = 0
        self.ring_uid = ""
        self.token = 0
        self.agent: _Agent | None = None
        self.connected_at = 0
        self.dstchannel = ""
        self.plan: bh.ContactPlan | None = None
        self.step = 0
        self.hold = 0
        self.acw_start = 0
        self.end_kind = ""


@dataclass
class DayStats:
    """What happened on one site-local day (for progress messages and simulation.json)."""

    date: str
    weekday: str
    bad_day: bool
    scheduled_agents: int
    absent_agents: int
    new_calls: int = 0
    absent_ids: list[str] = field(default_factory=list)


class Engine:
    """Runs the simulation day by day, writing through `out` and accounting in `truth`."""

    def __init__(self, cfg: SimulationConfig, out: LandingWriter, truth: TruthBook) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.site_timezone)
        self.out = out
        self.truth = truth
        #: Notes every agent state as it is written (the agent truth), when set before run().
        self.agent_book: AgentDayBook | None = None
        seeds = np.random.SeedSequence(cfg.seed).generate_state(4, dtype=np.uint64).tolist()
        self.arrival_rng = np.random.default_rng(seeds[0])
        self.rng = random.Random(seeds[1])
        self.workforce = Workforce(cfg, random.Random(seeds[2]))
        self.queues = [_Queue(i, spec) for i, spec in enumerate(cfg.queues)]
        self.callers = CallerBook(cfg, random.Random(seeds[3]), len(self.queues))
        self.agents = [_Agent(p) for p in self.workforce.agents]
        self.now = 0
        self._heap: list[tuple] = []
        self._seq = itertools.count()
        self._uid = itertools.count(1000)        # Asterisk-like channel sequence for unique ids
        self._chan = itertools.count(0x100)      # channel name suffixes
        self._orders = itertools.count()
        self._shift_ids = itertools.count()
        self._open: dict[int, _Visit] = {}        # visits not yet final, by order
        self.calendar: list[DayStats] = []
        self._handlers: dict[int, Callable] = {
            LOGIN: self._on_login, STEP: self._on_step, ACW_END: self._on_acw_end,
            BREAK_END: self._on_break_end, RING_ANSWER: self._on_ring_answer,
            RING_TIMEOUT: self._on_ring_timeout, LEAVE: self._on_leave, ARRIVAL: self._on_arrival,
            BREAK_DUE: self._on_break_due, SHIFT_END: self._on_shift_end,
        }

    # -- driving ------------------------------------------------------------------------------

    def run(self, progress: Callable[[int, int, str], None] | None = None) -> None:
        """Simulate every day, then drain: calls in progress finish, agents log out."""
        cfg = self.cfg
        first_start, _ = local_day_bounds(cfg.start, self.tz)
        self.now = first_start
        # Warm start: whoever is still on the previous day's (night) shift is logged in already.
        before = self.workforce.roster(cfg.start - timedelta(days=1), -1)
        for shift in shifts_crossing(before, first_start):
            self._schedule_shift(shift)
        for offset in range(cfg.days):
            day = cfg.start + timedelta(days=offset)
            _, end = local_day_bounds(day, self.tz)
            self._open_queues(day)
            roster = self.workforce.roster(day, offset)
            stats = self._schedule_day(roster)
            arrivals = generate_arrivals(day_bins(cfg, day, self.tz), self.arrival_rng)
            stats.new_calls = len(arrivals)
            for epoch, queue in arrivals:
                self._push(epoch, ARRIVAL, queue)
            self._run_until(end)
            self.truth.flush(min((v.entered for v in self._open.values()), default=end))
            self.calendar.append(stats)
            if progress is not None:
                progress(offset + 1, cfg.days, (
                    f"{day.isoformat()}: {stats.new_calls} calls, "
                    f"{stats.scheduled_agents - stats.absent_agents}/{stats.scheduled_agents} agents"
                    + (" (bad day)" if stats.bad_day else "")
                ))
        for queue in self.queues:
            queue.window = None      # no queue opens after the last day: no transfers into it
        self._run_until(None)
        if self._open:
            raise RuntimeError(f"{len(self._open)} visits left without an end event")

    def _run_until(self, end: int | None) -> None:
        heap = self._heap
        handlers = self._handlers
        while heap and (end is None or heap[0][0] < end):
            time, kind, _, subject, token = heapq.heappop(heap)
            self.now = time
            handlers[kind](subject, token)

    def _push(self, time: int, kind: int, subject: object, token: object = None) -> None:
        if time < self.now:
            raise ValueError(f"event scheduled in the past ({time} < {self.now})")
        heapq.heappush(self._heap, (time, kind, next(self._seq), subject, token))

    def _open_queues(self, day) -> None:
        for queue in self.queues:
            window = queue.spec.window(day.weekday())
            queue.window = None if window is None else (
                local_wall_epoch(day, window[0], self.tz), local_wall_epoch(day, window[1], self.tz))

    def _schedule_day(self, roster: DayRoster) -> DayStats:
        for shift in roster.shifts:
            if shift.agent not in roster.absent:
                self._schedule_shift(shift)
        return DayStats(
            date=roster.day.isoformat(), weekday=WEEKDAYS[roster.day.weekday()], bad_day=roster.bad_day,
            scheduled_agents=len(roster.shifts), absent_agents=len(roster.absent),
            absent_ids=sorted(self.agents[i].profile.agent_id for i in roster.absent),
        )

    def _schedule_shift(self, shift: Shift) -> None:
        self._push(max(shift.login, self.now), LOGIN, self.agents[shift.agent], shift)

    # -- output helpers -----------------------------------------------------------------------

    def _state(self, agent: _Agent, state: str, reason: str = "") -> None:
        p = agent.profile
        self.out.agent_state(self.now, p.agent_id, p.name, p.team, state, reason)
        if self.agent_book is not None:
            self.agent_book.state(agent.index, self.now, state)

    def _qlog(self, visit: _Visit | None, queue: str, agent: str, event: str, *data: object) -> None:
        callid = visit.call.callid if visit is not None else NONE
        self.out.queue_event(self.now, callid, queue, agent, event, *data)

    def _cdr(self, visit: _Visit) -> None:
        call = visit.call
        answered = visit.agent is not None
        self.out.cdr_row(
            src=call.caller, dst=visit.queue.spec.extension,
            dcontext=TRANSFER_CONTEXT if visit.transferred_in else INBOUND_CONTEXT,
            channel=call.channel, dstchannel=visit.dstchannel if answered else "",
            queue=visit.queue.name, start=visit.entered,
            answer=visit.connected_at if answered else None, end=self.now, uniqueid=call.callid,
        )

    def _finish(self, visit: _Visit, outcome: str, *, blocked_reason: str = "", wait: int = 0,
                connected: int = 0, acw: int = 0) -> None:
        """Hand a finished visit to the ground truth."""
        visit.status = DONE
        del self._open[visit.order]
        self.truth.add(VisitRecord(
            order=visit.order, callid=visit.call.callid, queue=visit.queue.name,
            entry_seq=visit.entry_seq, entered_at=visit.entered, outcome=outcome,
            blocked_reason=blocked_reason, wait_seconds=wait, connected_seconds=connected,
            hold_seconds=visit.hold, acw_seconds=acw,
            transferred=visit.end_kind in (bh.BLIND_TRANSFER, bh.ATTENDED_TRANSFER),
            handled=outcome == ANSWERED,
            agent_id=visit.agent.profile.agent_id if visit.agent is not None else "",
        ))

    # -- callers --------------------------------------------------------------------------------

    def _on_arrival(self, queue_index: int, _token: object) -> None:
        queue = self.queues[queue_index]
        uid = next(self._uid)
        call = _Call(
            callid=f"{self.now}.{uid}",
            caller=self.callers.caller_for(queue_index, self.now),
            channel=f"PJSIP/trunk-{next(self._chan):08x}",
        )
        self._enter(call, queue, transferred_in=False)

    def _enter(self, call: _Call, queue: _Queue, *, transferred_in: bool) -> None:
        visit = _Visit(next(self._orders), call, queue, self.now, transferred_in)
        self._open[visit.order] = visit
        if not queue.members or len(queue.waiting) >= queue.spec.maxlen:
            reason = "empty" if not queue.members else "full"
            self._qlog(visit, queue.name, NONE, "JOINEMPTY" if reason == "empty" else "FULL", "", "", "")
            self._cdr(visit)
            self._finish(visit, BLOCKED, blocked_reason=reason)
            self.callers.after_call(queue.index, call.caller, self.now, self.cfg.callback_rate_after_failure)
            return
        queue.waiting.append(visit)
        visit.origpos = len(queue.waiting)
        self._qlog(visit, queue.name, NONE, "ENTERQUEUE", "", call.caller, visit.origpos)
        visit.leave = bh.leave_plan(self.rng, queue.spec)
        self._push(self.now + visit.leave.after_seconds, LEAVE, visit)
        self._offer(visit)

    def _offer(self, visit: _Visit) -> None:
        """Ring the best free member for a waiting visit, if there is one."""
        best: _Agent | None = None
        best_key = None
        q = visit.queue.index
        for agent in visit.queue.members:
            if agent.status == FREE and agent.index not in visit.tried:
                key = (agent.penalty[q], agent.idle_since, agent.index)
                if best_key is None or key < best_key:
                    best, best_key = agent, key
        if best is not None:
            self._ring(visit, best)

    def _ring(self, visit: _Visit, agent: _Agent) -> None:
        agent.status = RINGING
        agent.visit = visit
        visit.ring_agent = agent
        visit.ring_start = self.now
        visit.ring_uid = f"{self.now}.{next(self._uid)}"
        visit.token += 1
        if self.rng.random() < self.cfg.ring_no_answer_rate:
            self._push(self.now + self.cfg.ring_timeout_seconds, RING_TIMEOUT, visit, visit.token)
        else:
            self._push(self.now + bh.ring_seconds(self.rng, self.cfg.ring_timeout_seconds),
                       RING_ANSWER, visit, visit.token)

    def _on_ring_timeout(self, visit: _Visit, token: int) -> None:
        if token != visit.token or visit.status != WAITING:
            return
        agent = visit.ring_agent
        assert agent is not None
        self._qlog(visit, visit.queue.name, agent.interface, "RINGNOANSWER", (self.now - visit.ring_start) * 1000)
        visit.tried.add(agent.index)
        visit.ring_agent = None
        agent.status = FREE
        agent.visit = None
        self._offer(visit)
        self._agent_free(agent, announce=False)

    def _on_leave(self, visit: _Visit, _token: object) -> None:
        if visit.status != WAITING:
            return
        queue = visit.queue
        rung = visit.ring_agent
        if rung is not None:
            self._qlog(visit, queue.name, rung.interface, "RINGCANCELED", (self.now - visit.ring_start) * 1000)
            visit.ring_agent = None
            visit.token += 1
            rung.status = FREE
            rung.visit = None
        plan = visit.leave
        assert plan is not None
        position = queue.waiting.index(visit) + 1
        queue.waiting.remove(visit)
        wait = self.now - visit.entered
        if plan.event == bh.EXIT_KEY:
            self._qlog(visit, queue.name, NONE, plan.event, plan.key, position, visit.origpos, wait)
        else:
            self._qlog(visit, queue.name, NONE, plan.event, position, visit.origpos, wait)
        self._cdr(visit)
        self._finish(visit, LEAVE_OUTCOME[plan.event], wait=wait)
        self.callers.after_call(queue.index, visit.call.caller, self.now, self.cfg.callback_rate_after_failure)
        if rung is not None:
            self._agent_free(rung, announce=False)

    def _exit_empty(self, queue: _Queue) -> None:
        """The last member left: every waiting caller leaves the queue (EXITEMPTY)."""
        leaving, queue.waiting = queue.waiting, []
        for position, visit in enumerate(leaving, start=1):
            wait = self.now - visit.entered
            self._qlog(visit, queue.name, NONE, "EXITEMPTY", position, visit.origpos, wait)
            self._cdr(visit)
            self._finish(visit, EXITED_EMPTY, wait=wait)
            self.callers.after_call(queue.index, visit.call.caller, self.now, self.cfg.callback_rate_after_failure)

    # -- contacts -------------------------------------------------------------------------------

    def _on_ring_answer(self, visit: _Visit, token: int) -> None:
        if token != visit.token or visit.status != WAITING:
            return
        agent = visit.ring_agent
        assert agent is not None
        queue = visit.queue
        queue.waiting.remove(visit)
        visit.status = CONNECTED
        visit.agent = agent
        visit.ring_agent = None
        visit.connected_at = self.now
        visit.dstchannel = f"{agent.interface}-{next(self._chan):08x}"
        wait = self.now - visit.entered
        self._qlog(visit, queue.name, agent.interface, "CONNECT", wait, visit.ring_uid, self.now - visit.ring_start)
        agent.status = BUSY
        agent.visit = visit
        self._state(agent, bh.TALK)
        visit.plan = bh.contact_plan(self.rng, queue.spec)
        visit.step = 0
        self._push(self.now + visit.plan.segments[0][1], STEP, visit)

    def _on_step(self, visit: _Visit, _token: object) -> None:
        """A talk or hold segment ended: the next one begins, or the agent's part ends."""
        plan = visit.plan
        assert plan is not None and visit.agent is not None
        visit.step += 1
        if visit.step < len(plan.segments):
            state, seconds = plan.segments[visit.step]
            self._state(visit.agent, state)
            if state == bh.HOLD:
                visit.hold += seconds
            self._push(self.now + seconds, STEP, visit)
        else:
            self._end_contact(visit)

    def _end_contact(self, visit: _Visit) -> None:
        plan = visit.plan
        agent = visit.agent
        assert plan is not None and agent is not None
        queue = visit.queue
        wait = visit.connected_at - visit.entered
        calltime = self.now - visit.connected_at
        end = plan.end
        target: _Queue | None = None
        if end == bh.BLIND_TRANSFER:
            target = self._transfer_target(queue)
            if target is None:
                end = bh.COMPLETE_AGENT
        visit.end_kind = end
        if end == bh.BLIND_TRANSFER:
            assert target is not None
            self._qlog(visit, queue.name, agent.interface, end, target.spec.extension, TRANSFER_CONTEXT,
                       wait, calltime, visit.origpos)
        elif end == bh.ATTENDED_TRANSFER:
            self._qlog(visit, queue.name, agent.interface, end, "BRIDGE", self._bridge_id(),
                       wait, calltime, visit.origpos)
        else:
            self._qlog(visit, queue.name, agent.interface, end, wait, calltime, visit.origpos)
        self._cdr(visit)
        agent.status = WRAPUP
        visit.acw_start = self.now
        self._state(agent, "ACW")
        self._push(self.now + bh.acw_seconds(self.rng, queue.spec), ACW_END, agent, visit)
        caller = visit.call.caller
        if target is not None:
            self._enter(visit.call, target, transferred_in=True)
            self.callers.after_call(queue.index, caller, self.now, self.cfg.callback_rate_after_transfer)
        elif end == bh.ATTENDED_TRANSFER:
            self.callers.after_call(queue.index, caller, self.now, self.cfg.callback_rate_after_transfer)
        else:
            self.callers.after_call(queue.index, caller, self.now, self.cfg.callback_rate_after_answer)

    def _transfer_target(self, source: _Queue) -> _Queue | None:
        """An open queue other than `source` and not a weighted (vip) queue, or None."""
        candidates = [
            q for q in self.queues
            if q is not source and q.spec.weight == 0 and q.window is not None
            and q.window[0] <= self.now < q.window[1]
        ]
        return self.rng.choice(candidates) if candidates else None

    def _bridge_id(self) -> str:
        bits = self.rng.getrandbits(128)
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def _on_acw_end(self, agent: _Agent, visit: _Visit) -> None:
        self._finish(visit, ANSWERED, wait=visit.connected_at - visit.entered,
                     connected=visit.acw_start - visit.connected_at, acw=self.now - visit.acw_start)
        agent.status = FREE
        agent.visit = None
        agent.idle_since = self.now
        self._agent_free(agent, announce=True)

    # -- agents ---------------------------------------------------------------------------------

    def _agent_free(self, agent: _Agent, *, announce: bool) -> None:
        """The agent can take calls again: log out or take a due break first, else pull a call."""
        if agent.pending_logout:
            self._logout(agent)
            return
        if agent.pending_break is not None:
            seconds, reason = agent.pending_break
            agent.pending_break = None
            self._start_break(agent, seconds, reason)
            return
        if announce:
            self._state(agent, "AVAILABLE")
        self._pull(agent)

    def _pull(self, agent: _Agent) -> None:
        """Ring the agent for the best waiting call among their queues."""
        best: _Visit | None = None
        best_key = None
        for q, penalty in agent.profile.skills:
            queue = self.queues[q]
            for visit in queue.waiting:
                if visit.ring_agent is None and agent.index not in visit.tried:
                    key = (-queue.spec.weight, penalty, visit.entered, visit.order)
                    if best_key is None or key < best_key:
                        best, best_key = visit, key
                    break
        if best is not None:
            self._ring(best, agent)

    def _on_login(self, agent: _Agent, shift: Shift) -> None:
        if agent.status != OFF:     # still finishing the previous shift: try again a minute later
            self._push(self.now + 60, LOGIN, agent, shift)
            return
        agent.shift_id = next(self._shift_ids)
        agent.status = FREE
        agent.login_at = self.now
        agent.idle_since = self.now
        agent.pending_break = None
        agent.pending_logout = False
        agent.channel = f"{agent.interface}-{next(self._chan):08x}"
        self._state(agent, "LOGIN")
        self._qlog(None, NONE, agent.interface, "AGENTLOGIN", agent.channel)
        for q, _ in agent.profile.skills:
            queue = self.queues[q]
            self._qlog(None, queue.name, agent.interface, "ADDMEMBER", "")
            queue.members.append(agent)
        self._state(agent, "AVAILABLE")
        for start, seconds, reason in shift.breaks:
            if start > self.now:
                self._push(start, BREAK_DUE, agent, (agent.shift_id, seconds, reason))
        self._push(max(shift.logout, self.now + 1), SHIFT_END, agent, agent.shift_id)
        self._pull(agent)

    def _on_break_due(self, agent: _Agent, token: tuple[int, int, str]) -> None:
        shift_id, seconds, reason = token
        if shift_id != agent.shift_id or agent.status in (OFF, ON_BREAK) or agent.pending_logout:
            return
        if agent.pending_break is not None:
            return
        if agent.status == FREE:
            self._start_break(agent, seconds, reason)
        else:
            agent.pending_break = (seconds, reason)

    def _start_break(self, agent: _Agent, seconds: int, reason: str) -> None:
        agent.status = ON_BREAK
        self._state(agent, "BREAK", reason)
        for q, _ in agent.profile.skills:
            self._qlog(None, self.queues[q].name, agent.interface, "PAUSE", reason)
        self._push(self.now + seconds, BREAK_END, agent, agent.shift_id)

    def _on_break_end(self, agent: _Agent, shift_id: int) -> None:
        if shift_id != agent.shift_id or agent.status != ON_BREAK:
            return
        for q, _ in agent.profile.skills:
            self._qlog(None, self.queues[q].name, agent.interface, "UNPAUSE", "")
        agent.status = FREE
        agent.idle_since = self.now
        self._agent_free(agent, announce=True)

    def _on_shift_end(self, agent: _Agent, shift_id: int) -> None:
        if shift_id != agent.shift_id or agent.status == OFF:
            return
        if agent.status == FREE:
            self._logout(agent)
        else:
            agent.pending_logout = True

    def _logout(self, agent: _Agent) -> None:
        agent.status = OFF
        agent.pending_logout = False
        agent.pending_break = None
        self._state(agent, "LOGOUT")
        emptied: list[_Queue] = []
        for q, _ in agent.profile.skills:
            queue = self.queues[q]
            self._qlog(None, queue.name, agent.interface, "REMOVEMEMBER", "")
            queue.members.remove(agent)
            if not queue.members and queue.waiting:
                emptied.append(queue)
        self._qlog(None, NONE, agent.interface, "AGENTLOGOFF", agent.channel, self.now - agent.login_at)
        for queue in emptied:
            self._exit_empty(queue)
