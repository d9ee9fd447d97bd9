"""The risk engine's port to the OMS behind it, and the row it records for each risk
event (``risk_events.csv``); re-exported by ``risk.engine``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ironkeel.model.commands import ModifyOrder, SubmitOrder
from ironkeel.model.events import OrderInitialized
from ironkeel.model.identifiers import ClientOrderId
from ironkeel.model.orders import Order

__all__ = ["OrderGateway", "RiskEvent", "decision_payload"]


class OrderGateway(Protocol):
    """What the risk engine needs of the OMS behind it (``execution.OrderManager``)."""

    def submit(self, command: SubmitOrder) -> None: ...

    def modify(self, command: ModifyOrder) -> None: ...

    def deny(self, init: OrderInitialized, reason_code: str, reason: str) -> None: ...

    def refuse_modify(self, command: ModifyOrder, reason: str) -> None: ...

    def order(self, client_order_id: ClientOrderId) -> Order | None: ...


@dataclass(frozen=True)
class RiskEvent:
    """One row of ``risk_events.csv``: a breaker transition, a kill or an operator action."""

    ts_ns: int
    level: str
    scope: str
    strategy: str
    from_state: str
    to_state: str
    reason: str


def decision_payload(
    order: OrderInitialized, outcome: str, code: str, reason: str
) -> dict[str, object]:
    """The audit payload of a pre-trade decision on ``order``."""
    return {
        "outcome": outcome,
        "code": code,
        "reason": reason,
        "strategy": str(order.strategy_id),
        "instrument": str(order.instrument_id),
        "side": order.side.name,
        "quantity": order.quantity,
        "emergency": order.emergency,
    }
