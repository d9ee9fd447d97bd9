"""``ControlSet``: the controls to run for each (strategy, instrument), built once.

``build_controls`` (``ironkeel.risk.config``) makes one from a ``RiskConfig``. The tuple
for a pair is assembled on first use and kept; stateful controls (the throttles) are
shared by every tuple they belong to. ``check`` runs a tuple in order and returns the
first denial: cheap, stateless controls first, the throttles last, so a token is taken
only by an order that every other control has passed.
"""

from __future__ import annotations

from collections.abc import Callable

from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.risk.controls.base import Control, Denial, ReasonCode
from ironkeel.risk.controls.throttle import ModifyThrottle
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["ControlSet", "UnknownInstrument"]

SubmitBuilder = Callable[[StrategyId, InstrumentId], tuple[Control, ...]]
ModifyBuilder = Callable[[StrategyId], tuple[ModifyThrottle, ...]]


class UnknownInstrument(Control):
    """Denies every order: the instrument was not given to ``build_controls`` (fail closed)."""

    __slots__ = ()
    code = ReasonCode.UNKNOWN_INSTRUMENT

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        return Denial(
            code=self.code,
            reason=f"no risk controls were built for {ticket.instrument_id}: denied (fail closed)",
        )


class ControlSet:
    """The pre-trade controls of every (strategy, instrument), and the modify throttles."""

    __slots__ = (
        "_last",
        "_last_instrument",
        "_last_strategy",
        "_modify",
        "_modify_builder",
        "_submit",
        "_submit_builder",
        "digest",
    )

    def __init__(self, submit: SubmitBuilder, modify: ModifyBuilder, *, digest: str) -> None:
        self._submit_builder = submit
        self._modify_builder = modify
        self._submit: dict[tuple[StrategyId, InstrumentId], tuple[Control, ...]] = {}
        self._modify: dict[StrategyId, tuple[ModifyThrottle, ...]] = {}
        # The pair of the last order checked and its controls (ids compared by identity).
        self._last_strategy: StrategyId | None = None
        self._last_instrument: InstrumentId | None = None
        self._last: tuple[Control, ...] = ()
        #: What names the limits in force, for the audit trail: the ``RiskConfig.digest()``
        #: they were built from, or (scaled) the digest ``LimitScaler`` gives them.
        self.digest = digest

    def changed(self, digest: str) -> None:
        """The limits behind the builders changed (``Assembly.replace``): the tuples are
        built again on next use; ``digest`` names the limits now in force."""
        self._submit.clear()
        self._modify.clear()
        self._last_strategy = self._last_instrument = None
        self._last = ()
        self.digest = digest

    def controls(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> tuple[Control, ...]:
        """The ordered controls an order of ``strategy_id`` in ``instrument_id`` must pass."""
        key = (strategy_id, instrument_id)
        found = self._submit.get(key)
        if found is None:
            found = self._submit[key] = self._submit_builder(strategy_id, instrument_id)
        return found

    def modify_throttles(self, strategy_id: StrategyId) -> tuple[ModifyThrottle, ...]:
        found = self._modify.get(strategy_id)
        if found is None:
            found = self._modify[strategy_id] = self._modify_builder(strategy_id)
        return found

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        """The first denial of the order's controls, or None if it may be sent."""
        strategy_id, instrument_id = ticket.strategy_id, ticket.instrument_id
        if strategy_id is self._last_strategy and instrument_id is self._last_instrument:
            controls = self._last  # the same pair as the last order: no key to hash
        else:
            controls = self.controls(strategy_id, instrument_id)
            self._last_strategy, self._last_instrument = strategy_id, instrument_id
            self._last = controls
        view.begin_check(ticket)
        try:
            for control in controls:
                denial = control.check(ticket, view)
                if denial is not None:
                    return denial
            return None
        finally:
            view.end_check()

    def check_modify(
        self, strategy_id: StrategyId, view: PreTradeView, *, emergency: bool = False
    ) -> Denial | None:
        """Whether a modify of ``strategy_id`` may be sent now (MODIFY_RATE if not). The
        new price and quantity are checked by the engine as an order (``check``)."""
        for throttle in self.modify_throttles(strategy_id):
            denial = throttle.check_modify(strategy_id, view, emergency=emergency)
            if denial is not None:
                return denial
        return None
