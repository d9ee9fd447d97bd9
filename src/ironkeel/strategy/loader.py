"""Loading a strategy script: a Python file that defines one Strategy subclass.

Every way a script can be wrong ends in a ``StrategyLoadError`` that names the
file, the line where known, and what to do: the file is missing, it has a syntax
error, importing it raised, it defines no Strategy subclass, or several (and no
class name was given).
"""

from __future__ import annotations

import hashlib
import sys
import traceback
import types
from pathlib import Path

from ironkeel.model.errors import IronkeelError
from ironkeel.strategy.base import Strategy

__all__ = [
    "USER_MODULE_PREFIX",
    "StrategyLoadError",
    "load_strategy_class",
    "strategy_class_from_source",
]

#: The module name of every loaded strategy script starts with this.
USER_MODULE_PREFIX = "ironkeel_user_strategy_"


class StrategyLoadError(IronkeelError):
    """A strategy script could not be loaded; the message says where and how to fix it."""


def load_strategy_class(path: Path | str, class_name: str | None = None) -> type[Strategy]:
    """The Strategy subclass defined in ``path`` (the only one, or the one named)."""
    file = Path(path)
    if not file.is_file():
        raise StrategyLoadError(f"{file}: no such strategy file. Fix: check the path")
    source = file.read_text(encoding="utf-8")
    digest = hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:12]
    return strategy_class_from_source(source, str(file), class_name, f"{file.stem}_{digest}")


def strategy_class_from_source(
    source: str, filename: str, class_name: str | None = None, key: str = "script"
) -> type[Strategy]:
    """The Strategy subclass defined by ``source`` (errors name ``filename``); the module
    is registered as ``ironkeel_user_strategy_<key>``. The sandbox loads scripts this way,
    from text received over IPC, never from the file system."""
    file = filename
    try:
        code = compile(source, file, "exec")
    except SyntaxError as error:
        raise StrategyLoadError(
            f"{file}:{error.lineno}: syntax error: {error.msg}. Fix: correct the line"
        ) from None
    module_name = f"{USER_MODULE_PREFIX}{key}"
    module = types.ModuleType(module_name)
    module.__file__ = file
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - running the user's strategy file is the point
    except Exception as error:
        sys.modules.pop(module_name, None)
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == file]
        line = f":{frames[-1].lineno}" if frames else ""
        raise StrategyLoadError(
            f"{file}{line}: importing the strategy raised {type(error).__name__}: {error}. "
            "Fix: make the module import cleanly"
        ) from None
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Strategy)
        and value is not Strategy
        and value.__module__ == module_name
    ]
    if class_name is not None:
        for cls in found:
            if cls.__name__ == class_name:
                return cls
        raise StrategyLoadError(
            f"{file}: no Strategy subclass named {class_name!r}. "
            f"Fix: use one of {[c.__name__ for c in found] or 'none (define one)'}"
        )
    if not found:
        raise StrategyLoadError(
            f"{file}: defines no Strategy subclass. "
            "Fix: define `class MyStrategy(Strategy): ...` (from ironkeel import Strategy)"
        )
    if len(found) > 1:
        raise StrategyLoadError(
            f"{file}: defines several Strategy subclasses {[c.__name__ for c in found]}. "
            "Fix: name the one to run (class = ... in the run file)"
        )
    return found[0]
