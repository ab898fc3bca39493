"""The balancer's plan: how much current each charging session may draw (pure, no I/O).

Inputs are a tree of nodes (sites, feeders, stations) with the current each one has *available
for charging* per phase, loads the balancer cannot control (stations that reject profiles or stopped
answering, counted at their maximum), and the sessions with their minimum, maximum, phases and
priority. The output is one limit per session.

**The invariant.** For every node and every phase it constrains, the allocations of the sessions
under it plus the fixed loads under it never exceed the node's available current (when the fixed
loads alone exceed it, every controllable session under it gets 0). Every allocation is 0 or within
``[min_a, max_a]``.

**Constraints.** A three-phase node constrains each phase: the sessions drawing on phase ``p`` (a
session's ``phases`` are site phases 0, 1, 2; unknown means all three, which is always safe) must
fit ``available_a[p]``. A single-phase node has one constraint over every session under it.

**Admission.** Sessions are taken in order of priority (highest first), then sessions already
running before new ones (a newcomer never displaces one that charges), then ``rank`` (usually the
start time). A session is admitted when its minimum fits every constraint it is in, given the
minimums already admitted; otherwise it waits at 0.

**Distribution.** What is left is shared tier by tier (highest priority first) by water filling:
within a tier every session's allocation is ``clamp(level, min_a, max_a)`` for a common level that
rises until the session reaches its maximum or one of its constraints is full (max-min fairness:
equal current unless a session cannot use it). A lower tier shares what the higher ones left.

Allocations are rounded down to :data:`RESOLUTION_A` (never below the session's minimum), so
rounding never breaks the invariant. The filling is event driven (a heap of "a session reaches
its cap", "a session starts rising", "a constraint is full"), O((n x depth) log n).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RESOLUTION_A = 0.1
EPSILON = 1e-9
ALL_PHASES: frozenset[int] = frozenset({0, 1, 2})

Constraint = tuple[str, int]  # (node id, phase index; 0 for a single-phase node)


class PlanError(ValueError):
    """Inputs that do not form a tree (unknown parent, cycle, unknown node of a session)."""


@dataclass(frozen=True, slots=True)
class PlanNode:
    """A node of the site tree. ``available_a`` has one entry (single-phase node) or three (per phase):
    what it may give to charging now (limit minus measured building load minus margin; may be negative)."""

    id: str
    parent: str | None
    available_a: tuple[float, ...]

    @property
    def single_phase(self) -> bool:
        return len(self.available_a) == 1


@dataclass(frozen=True, slots=True)
class FixedLoad:
    """Current the balancer cannot control, counted as drawn under ``node`` on ``phases``
    (a station that rejects profiles or stopped answering, at its assumed maximum)."""

    node: str
    amps: float
    phases: frozenset[int] = ALL_PHASES
    key: str = ""


@dataclass(frozen=True, slots=True)
class PlanSession:
    key: str
    node: str
    min_a: float
    max_a: float
    phases: frozenset[int] = ALL_PHASES
    priority: int = 0
    rank: float = 0.0  # admission order within a priority (lower first), e.g. the start time
    running: bool = False  # admitted in the previous plan: kept before newcomers of its priority


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: dict[str, float]
    waiting: frozenset[str]  # admissible sessions (max >= min > 0... ) that got 0: their minimum did not fit
    residual_a: dict[Constraint, float] = field(default_factory=dict)  # capacity left per constraint (before rounding)
    capacity_a: dict[Constraint, float] = field(default_factory=dict)  # available minus fixed loads, per constraint

    def total(self) -> float:
        return sum(self.allocations.values())


@dataclass(slots=True)
class _Tree:
    nodes: dict[str, PlanNode]
    chains: dict[str, tuple[str, ...]]  # node -> itself and its ancestors, nearest first

    def constraints_of(self, node: str, phases: frozenset[int]) -> list[Constraint]:
        out: list[Constraint] = []
        for ancestor in self.chains[node]:
            if self.nodes[ancestor].single_phase:
                out.append((ancestor, 0))
            else:
                out.extend((ancestor, p) for p in sorted(phases))
        return out


def build_tree(nodes: Iterable[PlanNode]) -> _Tree:
    by_id: dict[str, PlanNode] = {}
    for node in nodes:
        if node.id in by_id:
            raise PlanError(f"node {node.id!r} given twice")
        if len(node.available_a) not in (1, 3):
            raise PlanError(f"node {node.id!r}: available_a needs 1 or 3 phases")
        by_id[node.id] = node
    chains: dict[str, tuple[str, ...]] = {}
    for node_id in by_id:
        chain: list[str] = []
        current: str | None = node_id
        while current is not None:
            if current in chain:
                raise PlanError(f"node {node_id!r}: the tree has a cycle through {current!r}")
            parent_node = by_id.get(current)
            if parent_node is None:
                raise PlanError(f"node {chain[-1]!r}: unknown parent {current!r}")
            chain.append(current)
            current = parent_node.parent
        chains[node_id] = tuple(chain)
    return _Tree(by_id, chains)


def _clean_phases(phases: frozenset[int]) -> frozenset[int]:
    known = frozenset(p for p in phases if p in ALL_PHASES)
    return known or ALL_PHASES


def plan(
    nodes: Sequence[PlanNode],
    sessions: Sequence[PlanSession],
    fixed: Sequence[FixedLoad] = (),
) -> Plan:
    """Allocate current to ``sessions`` under the tree of ``nodes`` (see the module docstring)."""
    tree = build_tree(nodes)
    capacity: dict[Constraint, float] = {}
    for node in tree.nodes.values():
        for phase, amps in enumerate(node.available_a):
            capacity[(node.id, phase)] = float(amps)
    for load in fixed:
        if load.node not in tree.nodes:
            raise PlanError(f"fixed load {load.key!r}: unknown node {load.node!r}")
        for c in tree.constraints_of(load.node, _clean_phases(load.phases)):
            capacity[c] -= max(0.0, load.amps)

    members: dict[str, list[Constraint]] = {}
    for s in sessions:
        if s.node not in tree.nodes:
            raise PlanError(f"session {s.key!r}: unknown node {s.node!r}")
        if s.key in members:
            raise PlanError(f"session {s.key!r} given twice")
        members[s.key] = tree.constraints_of(s.node, _clean_phases(s.phases))

    # -- admission: the minimums, in order --------------------------------------------------
    residual = dict(capacity)
    admitted: dict[str, PlanSession] = {}
    waiting: set[str] = set()
    order = sorted(sessions, key=lambda s: (-s.priority, not s.running, s.rank, s.key))
    for s in order:
        low = max(0.0, s.min_a)
        if s.max_a <= EPSILON or s.max_a + EPSILON < low:
            continue  # cannot charge at all (no current, or its maximum is below the minimum)
        if all(residual[c] + EPSILON >= low for c in members[s.key]):
            admitted[s.key] = s
            for c in members[s.key]:
                residual[c] -= low
        else:
            waiting.add(s.key)

    alloc: dict[str, float] = {key: max(0.0, s.min_a) for key, s in admitted.items()}

    # -- distribution: water filling per priority tier --------------------------------------
    for priority in sorted({s.priority for s in admitted.values()}, reverse=True):
        tier = [s for s in admitted.values() if s.priority == priority and s.max_a > alloc[s.key] + EPSILON]
        _fill(tier, members, residual, alloc)

    allocations: dict[str, float] = {}
    for s in sessions:
        value = alloc.get(s.key, 0.0)
        if s.key in admitted:
            value = max(max(0.0, s.min_a), math.floor((value + EPSILON) / RESOLUTION_A) * RESOLUTION_A)
            value = round(min(value, s.max_a), 6)
        allocations[s.key] = value
    return Plan(allocations, frozenset(waiting), residual, capacity)


def _fill(
    tier: list[PlanSession],
    members: Mapping[str, list[Constraint]],
    residual: dict[Constraint, float],
    alloc: dict[str, float],
) -> None:
    """Raise the tier's allocations to ``clamp(level, min, max)`` for a rising common level until each
    session is capped or in a full constraint; updates ``residual`` and ``alloc`` in place."""
    if not tier:
        return
    rising_in: dict[Constraint, int] = {}  # sessions of the tier rising in each constraint
    updated_at: dict[Constraint, float] = {}  # the level at which residual[c] was last brought up to date
    version: dict[Constraint, int] = {}
    tier_members: dict[Constraint, list[str]] = {}
    state: dict[str, int] = {}  # 0 waiting to rise, 1 rising, 2 frozen
    base = {s.key: alloc[s.key] for s in tier}
    by_key = {s.key: s for s in tier}
    events: list[tuple[float, int, str, Constraint | None]] = []  # (level, kind, key, constraint)
    START, CAP, FULL = 0, 1, 2  # at an equal level: start rising before capping, constraints last

    for s in tier:
        state[s.key] = 0
        for c in members[s.key]:
            tier_members.setdefault(c, []).append(s.key)
            rising_in.setdefault(c, 0)
            updated_at.setdefault(c, 0.0)
            version.setdefault(c, 0)
        heapq.heappush(events, (base[s.key], START, s.key, None))

    def bring(c: Constraint, level: float) -> None:
        residual[c] -= rising_in[c] * (level - updated_at[c])
        updated_at[c] = level

    def schedule_full(c: Constraint, level: float) -> None:
        version[c] += 1
        if rising_in[c] > 0:
            at = level + max(0.0, residual[c]) / rising_in[c]
            heapq.heappush(events, (at, FULL, f"{version[c]}", c))

    def freeze(key: str, level: float, touched: set[Constraint] | None = None) -> None:
        """Stop ``key`` rising at ``level``; its constraints are rescheduled now, or collected in
        ``touched`` to be rescheduled once (a full constraint freezes many sessions at once)."""
        if state[key] != 1:
            state[key] = 2
            return
        state[key] = 2
        alloc[key] = min(max(level, base[key]), by_key[key].max_a)
        for c in members[key]:
            bring(c, level)
            rising_in[c] -= 1
            if touched is None:
                schedule_full(c, level)
            else:
                touched.add(c)

    while events:
        level, kind, key, constraint = heapq.heappop(events)
        if kind == START:
            if state[key] != 0:
                continue
            s = by_key[key]
            if any(residual_at(c, level, residual, rising_in, updated_at) <= EPSILON for c in members[key]):
                state[key] = 2  # a constraint is already full: it stays at its minimum
                continue
            state[key] = 1
            for c in members[key]:
                bring(c, level)
                rising_in[c] += 1
                schedule_full(c, level)
            heapq.heappush(events, (s.max_a, CAP, key, None))
        elif kind == CAP:
            if state[key] == 1:
                freeze(key, level)
        else:
            assert constraint is not None
            if key != f"{version[constraint]}" or rising_in[constraint] == 0:
                continue  # superseded by a later schedule_full
            bring(constraint, level)
            touched: set[Constraint] = set()
            for member in tier_members[constraint]:
                # rising: stops here; not yet rising: its constraint is full first, it stays at its minimum
                freeze(member, level, touched)
            for c in touched:
                schedule_full(c, level)
    for key, value in state.items():  # nothing left rising (every event drained); be explicit anyway
        if value == 1:
            alloc[key] = by_key[key].max_a


def residual_at(
    c: Constraint,
    level: float,
    residual: Mapping[Constraint, float],
    rising_in: Mapping[Constraint, int],
    updated_at: Mapping[Constraint, float],
) -> float:
    return residual[c] - rising_in[c] * (level - updated_at[c])


# -- checks (used by the tests and, cheaply, by the service before it sends anything) -------------


def violations(
    nodes: Sequence[PlanNode],
    sessions: Sequence[PlanSession],
    fixed: Sequence[FixedLoad],
    allocations: Mapping[str, float],
    tolerance: float = 1e-6,
) -> list[str]:
    """Every way ``allocations`` breaks the invariant (empty when it holds)."""
    tree = build_tree(nodes)
    problems: list[str] = []
    capacity: dict[Constraint, float] = {}
    for node in tree.nodes.values():
        for phase, amps in enumerate(node.available_a):
            capacity[(node.id, phase)] = float(amps)
    for load in fixed:
        for c in tree.constraints_of(load.node, _clean_phases(load.phases)):
            capacity[c] -= max(0.0, load.amps)
    used: dict[Constraint, float] = dict.fromkeys(capacity, 0.0)
    for s in sessions:
        amps = allocations.get(s.key, 0.0)
        if amps < -tolerance:
            problems.append(f"{s.key}: negative allocation {amps}")
        if amps > tolerance and (amps + tolerance < s.min_a or amps > s.max_a + tolerance):
            problems.append(f"{s.key}: {amps} A is outside [{s.min_a}, {s.max_a}]")
        for c in tree.constraints_of(s.node, _clean_phases(s.phases)):
            used[c] += amps
    for c, amps in used.items():
        if amps > tolerance and amps > max(0.0, capacity[c]) + tolerance:
            problems.append(f"{c[0]} phase {c[1] + 1}: {amps:.3f} A allocated, {capacity[c]:.3f} A available")
    return problems


# -- re-use of current an EV does not draw -------------------------------------------------------

REUSE_THRESHOLD_A = 3.0  # the EV draws this much less than its limit: the difference goes to others
REUSE_HEADROOM_A = 2.0  # its limit stays this far above what it draws, so it can show it wants more


def reuse_cap(previous_cap: float | None, measured_a: float | None, limit_a: float) -> float | None:
    """The cap on a session's allocation derived from what its EV actually draws (None: no cap).

    An EV that draws well below its limit (``measured_a + REUSE_THRESHOLD_A <= limit_a``) is capped
    at what it draws plus ``REUSE_HEADROOM_A``; the cap holds while the EV stays below it, and is
    lifted as soon as it draws close to it (it wants more), so the cap never oscillates. Without a
    fresh measurement the previous cap is kept.
    """
    if measured_a is None:
        return previous_cap
    if previous_cap is not None:
        if measured_a >= previous_cap - REUSE_HEADROOM_A / 2:
            return None  # pushing against the cap: give it its fair share again
        if measured_a + REUSE_THRESHOLD_A <= limit_a:
            return min(previous_cap, measured_a + REUSE_HEADROOM_A)  # it draws even less now
        return previous_cap
    if limit_a > 0 and measured_a + REUSE_THRESHOLD_A <= limit_a:
        return measured_a + REUSE_HEADROOM_A
    return None
