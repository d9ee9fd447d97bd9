"""Execution: the order management system between strategies (through risk) and venues."""

from ironkeel.execution.factory import OrderFactory
from ironkeel.execution.oms import DenialCode, OrderManager

__all__ = ["DenialCode", "OrderFactory", "OrderManager"]
