"""Risk: drawdown breakers, high-water marks, correlation guard, allocation."""
