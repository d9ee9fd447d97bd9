"""Static checks of a strategy script's source, before any of it runs.

``check_source`` parses the script and walks its syntax tree; every problem is a
``Finding`` with file:line:col, a rule code, the reason and how to fix it (the
codes are listed in ``RULES`` and in docs/validation.md). ``check_params`` loads
the class (only once the static checks pass: loading runs the module) and checks
the given parameters against the class's declared ones.

These checks give early, friendly refusals; they are not the security boundary
(the sandbox process is). A determined script can hide a call from any AST check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ironkeel.model.errors import InvalidInputError
from ironkeel.sandbox.allowlist import ROOT_NAMES, ROOT_ONLY, is_allowed, why_denied
from ironkeel.strategy.loader import StrategyLoadError, load_strategy_class
from ironkeel.strategy.params import parse_params

__all__ = ["RULES", "Finding", "check_file", "check_params", "check_source", "class_line"]

#: Rule code -> what it refuses.
RULES: Final[dict[str, str]] = {
    "IK001": "syntax error",
    "IK101": "import of a module not on the allow-list",
    "IK102": "dynamic import (__import__, importlib)",
    "IK103": "call of a forbidden built-in (open, eval, exec, compile, input, ...)",
    "IK104": "access to an introspection dunder (__subclasses__, __globals__, ...)",
    "IK105": "call of a forbidden method (file I/O, sleep, wall clock, threads, processes)",
    "IK201": "`while True` loop with no break, return or raise",
    "IK301": "module-level mutable state",
    "IK302": "`global` statement",
    "IK303": "mutable class attribute of a Strategy subclass",
    "IK401": "no Strategy subclass",
    "IK402": "several Strategy subclasses and no class name given",
    "IK501": "unknown or invalid parameter",
    "IK502": "the script could not be loaded",
}

_BUILTINS: Final = {
    "open": "reads or writes files",
    "eval": "runs code from text",
    "exec": "runs code from text",
    "compile": "builds code from text",
    "input": "reads the terminal",
    "breakpoint": "stops in a debugger",
    "globals": "exposes the module's namespace",
    "locals": "exposes a frame's namespace",
    "vars": "exposes an object's namespace",
    "memoryview": "gives raw memory access",
    "exit": "stops the process",
    "quit": "stops the process",
    "help": "reads the terminal",
}
_DYNAMIC_IMPORT: Final = {
    "__import__",
    "import_module",
    "reload",
    "find_spec",
    "spec_from_file_location",
}
_METHODS: Final = {
    "sleep": "sleeps (a strategy must return quickly)",
    "now": "reads the wall clock (use self.now, the engine's clock)",
    "utcnow": "reads the wall clock (use self.now, the engine's clock)",
    "today": "reads the wall clock (use self.now, the engine's clock)",
    "fromfile": "reads a file",
    "tofile": "writes a file",
    "loadtxt": "reads a file",
    "savetxt": "writes a file",
    "genfromtxt": "reads a file",
    "savez": "writes a file",
    "savez_compressed": "writes a file",
    "memmap": "maps a file",
    "read_csv": "reads a file",
    "read_parquet": "reads a file",
    "read_pickle": "unpickles a file",
    "read_json": "reads a file",
    "read_excel": "reads a file",
    "read_sql": "reads a database",
    "read_hdf": "reads a file",
    "read_feather": "reads a file",
    "read_table": "reads a file",
    "read_fwf": "reads a file",
    "to_csv": "writes a file",
    "to_parquet": "writes a file",
    "to_pickle": "writes a file",
    "to_excel": "writes a file",
    "to_sql": "writes a database",
    "to_hdf": "writes a file",
    "to_feather": "writes a file",
    "to_clipboard": "writes the clipboard",
    "read_clipboard": "reads the clipboard",
    "Thread": "starts a thread",
    "Process": "starts a process",
    "Popen": "starts a process",
    "system": "runs a shell command",
    "fork": "starts a process",
}
_DUNDERS: Final = frozenset(
    {
        "__subclasses__", "__globals__", "__builtins__", "__class__", "__base__", "__bases__",
        "__mro__", "__code__", "__closure__", "__dict__", "__getattribute__", "__reduce__",
        "__reduce_ex__", "__loader__", "__spec__", "__import__", "__self__", "__func__",
        "__frame__", "f_globals", "f_locals", "f_back", "gi_frame", "cr_frame", "tb_frame",
    }
)  # fmt: skip
_ATTR_BUILTINS: Final = {"getattr", "setattr", "delattr", "hasattr"}
_MUTABLE_CALLS: Final = {
    "list", "dict", "set", "bytearray", "deque", "defaultdict", "OrderedDict", "Counter",
    "array", "zeros", "ones", "empty", "full", "DataFrame", "Series",
}  # fmt: skip
_MUTABLE_NODES: Final = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)


@dataclass(frozen=True)
class Finding:
    """One problem in a script: where, which rule, why, and how to fix it."""

    path: str
    line: int
    col: int
    code: str
    reason: str
    fix: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.code} {self.reason}. Fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "reason": self.reason,
            "fix": self.fix,
        }


def check_file(path: Path | str, class_name: str | None = None) -> list[Finding]:
    """The static findings of the script at ``path`` (see ``check_source``)."""
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [Finding(str(file), 0, 0, "IK502", f"cannot be read ({error})", "check the path")]
    return check_source(source, str(file), class_name)


def check_source(
    source: str, path: str = "<script>", class_name: str | None = None
) -> list[Finding]:
    """Every static finding in ``source``, in line order; [] when the script is clean."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        return [
            Finding(
                path, error.lineno or 0, error.offset or 0, "IK001",
                f"syntax error: {error.msg}", "correct the line",
            )
        ]  # fmt: skip
    checker = _Checker(path)
    checker.visit(tree)
    found = (
        checker.findings
        + list(_module_state(tree, path))
        + _strategy_classes(tree, path, class_name)
    )
    return sorted(found, key=lambda f: (f.line, f.col, f.code))


def check_params(
    path: Path | str, params: Mapping[str, Any] | None, class_name: str | None = None
) -> list[Finding]:
    """Load the class (run only after ``check_source`` found nothing) and check ``params``
    against its declared parameters; an unknown name suggests the closest valid one."""
    file = str(path)
    try:
        cls = load_strategy_class(path, class_name)
    except StrategyLoadError as error:
        return [Finding(file, _line_of(str(error)), 0, "IK502", str(error), "see the reason")]
    line = class_line(Path(path), cls.__name__)
    try:
        parse_params(cls, dict(params or {}), cls.param_specs)
    except InvalidInputError as error:
        return [
            Finding(
                file, line, 0, "IK501", f"{error.field}={error.value!r}: {error.problem}", error.fix
            )
        ]
    return []


def _line_of(message: str) -> int:
    head = message.split(": ", 1)[0]
    tail = head.rsplit(":", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0


def class_line(path: Path, name: str | None = None) -> int:
    """The line of the class ``name`` (None: the first class) in ``path``; 0 if none."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return 0
    return next(
        (
            n.lineno
            for n in tree.body
            if isinstance(n, ast.ClassDef) and (name is None or n.name == name)
        ),
        0,
    )


class _Checker(ast.NodeVisitor):
    """Imports, calls, dunder access, loops and ``global`` statements."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def add(self, node: ast.AST, code: str, reason: str, fix: str) -> None:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", -1) + 1
        self.findings.append(Finding(self.path, line, col, code, reason, fix))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._import(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.add(node, "IK101", "relative import", "import allowed modules by full name")
            return
        module = node.module or ""
        if not is_allowed(module):
            self._import(node, module)
            return
        for alias in node.names:  # ``from numpy import ctypeslib`` names a submodule
            if alias.name == "*":
                continue
            dotted = f"{module}.{alias.name}"
            root_name = module in ROOT_ONLY and alias.name in ROOT_NAMES
            if not root_name and not is_allowed(dotted):
                self._import(node, dotted)

    def _import(self, node: ast.AST, name: str) -> None:
        if name.split(".", maxsplit=1)[0] == "importlib":
            self.add(
                node,
                "IK102",
                "imports importlib (dynamic imports)",
                "import allowed modules directly",
            )
        elif not is_allowed(name):
            self.add(
                node,
                "IK101",
                f"imports {name}: {why_denied(name)}",
                "remove the import; see docs/validation.md for the allow-list",
            )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self._call_name(node, func.id)
        elif isinstance(func, ast.Attribute):
            if func.attr in _DYNAMIC_IMPORT:
                self.add(
                    node,
                    "IK102",
                    f"calls {func.attr} (dynamic import)",
                    "import allowed modules directly",
                )
            elif func.attr in _METHODS:
                self.add(
                    node,
                    "IK105",
                    f"calls .{func.attr}(): it {_METHODS[func.attr]}",
                    "remove the call; strategies act only through self (the engine)",
                )
        self.generic_visit(node)

    def _call_name(self, node: ast.Call, name: str) -> None:
        if name in _DYNAMIC_IMPORT:
            self.add(
                node, "IK102", f"calls {name} (dynamic import)", "import allowed modules directly"
            )
        elif name in _BUILTINS:
            self.add(node, "IK103", f"calls {name}(): it {_BUILTINS[name]}", "remove the call")
        elif name in _ATTR_BUILTINS and len(node.args) >= 2:
            attr = node.args[1]
            if not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
                self.add(
                    node,
                    "IK104",
                    f"calls {name}() with a computed attribute name",
                    "use plain attribute access (obj.name)",
                )
            elif attr.value in _DUNDERS:
                self.add(
                    node,
                    "IK104",
                    f"{name}(..., {attr.value!r}) reaches interpreter internals",
                    "remove it",
                )
        elif name in _METHODS and name in ("Thread", "Process", "Popen"):
            self.add(node, "IK105", f"calls {name}(): it {_METHODS[name]}", "remove the call")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _DUNDERS:
            self.add(
                node,
                "IK104",
                f"accesses .{node.attr}, an introspection escape",
                "remove it; use the strategy API",
            )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ("__builtins__", "__import__", "__loader__", "__spec__"):
            self.add(node, "IK104", f"uses {node.id}, an introspection escape", "remove it")

    def visit_While(self, node: ast.While) -> None:
        test = node.test
        if isinstance(test, ast.Constant) and bool(test.value) and not _exits(node.body):
            self.add(
                node,
                "IK201",
                "`while True` loop with no break, return or raise: it can hang the strategy",
                "give the loop an exit, or bound it with `for _ in range(n)`",
            )
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.add(
            node,
            "IK302",
            f"`global {', '.join(node.names)}`: module state shared across calls and runs",
            "keep state on self (set it in on_start)",
        )


def _exits(body: list[ast.stmt]) -> bool:
    """Whether a break (of this loop), return or raise is reachable in ``body``."""
    return any(_exits_node(stmt) for stmt in body)


def _exits_node(node: ast.AST) -> bool:
    if isinstance(node, (ast.Break, ast.Return, ast.Raise)):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        return False
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        # a break inside a nested loop ends that loop only; return/raise still count
        return any(_returns(child) for child in node.body + node.orelse)
    return any(_exits_node(child) for child in ast.iter_child_nodes(node))


def _returns(node: ast.AST) -> bool:
    if isinstance(node, (ast.Return, ast.Raise)):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        return False
    return any(_returns(child) for child in ast.iter_child_nodes(node))


def _is_mutable(value: ast.expr | None) -> bool:
    if isinstance(value, _MUTABLE_NODES):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else ""
        )
        return name in _MUTABLE_CALLS
    return False


def _targets(node: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        return names, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id], node.value
    return [], None


def _module_state(tree: ast.Module, path: str) -> Iterator[Finding]:
    for node in tree.body:
        names, value = _targets(node)
        if names and _is_mutable(value):
            yield Finding(
                path, node.lineno, node.col_offset + 1, "IK301",
                f"module-level mutable {', '.join(names)}: shared by every instance and run",
                "create it in on_start (self.x = ...), or use a tuple/frozenset for a constant",
            )  # fmt: skip


def _strategy_classes(tree: ast.Module, path: str, class_name: str | None) -> list[Finding]:
    """IK401/IK402 on the module's classes, and IK303 on their class attributes."""
    local = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    strategies: list[ast.ClassDef] = []

    def derives(node: ast.ClassDef, seen: frozenset[str] = frozenset()) -> bool:
        for base in node.bases:
            name = (
                base.id
                if isinstance(base, ast.Name)
                else base.attr
                if isinstance(base, ast.Attribute)
                else ""
            )
            if name == "Strategy":
                return True
            if name in local and name not in seen and derives(local[name], seen | {node.name}):
                return True
        return False

    found: list[Finding] = []
    for node in local.values():
        if not derives(node):
            continue
        strategies.append(node)
        for stmt in node.body:
            names, value = _targets(stmt)
            if names and _is_mutable(value):
                found.append(Finding(
                    path, stmt.lineno, stmt.col_offset + 1, "IK303",
                    f"class attribute {', '.join(names)} of {node.name} is mutable (shared)",
                    "create it in on_start (self.x = ...)",
                ))  # fmt: skip
    names = [n.name for n in strategies]
    if not strategies:
        found.append(
            Finding(
                path,
                1,
                0,
                "IK401",
                "defines no Strategy subclass",
                "define `class MyStrategy(Strategy): ...` (from ironkeel import Strategy)",
            )
        )
    elif class_name is not None and class_name not in names:
        found.append(
            Finding(
                path,
                1,
                0,
                "IK401",
                f"defines no Strategy subclass named {class_name!r}",
                f"use one of {names}",
            )
        )
    elif class_name is None and len(strategies) > 1:
        found.append(
            Finding(
                path,
                strategies[1].lineno,
                0,
                "IK402",
                f"defines several Strategy subclasses {names}",
                "keep one, or name the one to validate",
            )
        )
    return found
