"""The strategy registry: content-addressed blobs, numbered versions, the current pointer,
refusals with the valid choices, atomicity and the audit trail."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.audit import read_records, verify
from ironkeel.core.clock import TestClock
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.sandbox.registry import Registry

LOCK = {"numpy": "2.0.0", "python": "3.11.7"}


def _script(folder: Path, text: str, name: str = "s.py") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    clock = TestClock(1_000)
    with Registry(tmp_path / "reg", clock=clock) as reg:
        yield reg  # type: ignore[misc]


def test_when_a_script_is_deployed_then_it_is_version_1_stored_by_its_sha256(
    registry: Registry, tmp_path: Path
) -> None:
    path = _script(tmp_path, "print('v1')\n")
    version = registry.deploy("alpha", path, {"fast": 3}, LOCK, note="first")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (version.number, version.sha256, version.current) == (1, digest, True)
    assert (version.params, version.dependency_lock, version.note) == ({"fast": 3}, LOCK, "first")
    assert version.created_ns == 1_000
    assert registry.blob_path(digest).read_bytes() == path.read_bytes()
    assert registry.script(version) == path.read_bytes()
    assert registry.names() == ["alpha"]


def test_when_a_name_is_in_use_then_deploy_needs_replace_and_lists_the_names(
    registry: Registry, tmp_path: Path
) -> None:
    path = _script(tmp_path, "x = 1\n")
    registry.deploy("alpha", path, {}, LOCK)
    registry.deploy("beta", path, {}, LOCK)
    with pytest.raises(InvalidInputError, match=r"already deployed.*\['alpha', 'beta'\]"):
        registry.deploy("alpha", path, {}, LOCK)
    second = registry.deploy("alpha", _script(tmp_path, "x = 2\n"), {}, LOCK, replace=True)
    assert second.number == 2
    assert registry.current("alpha").number == 2
    assert registry.previous("alpha") is not None
    assert [v.current for v in registry.versions("alpha")] == [False, True]


def test_when_a_missing_version_or_name_is_asked_for_then_the_valid_ones_are_listed(
    registry: Registry, tmp_path: Path
) -> None:
    registry.deploy("alpha", _script(tmp_path, "x = 1\n"), {}, LOCK)
    with pytest.raises(InvalidInputError, match=r"does not exist.*\[1\]"):
        registry.set_current("alpha", 7)
    with pytest.raises(InvalidInputError, match=r"not deployed.*\['alpha'\]"):
        registry.versions("gamma")


def test_when_rolled_back_then_the_previous_current_is_recorded_and_audited(
    registry: Registry, tmp_path: Path
) -> None:
    registry.deploy("alpha", _script(tmp_path, "x = 1\n"), {}, LOCK)
    registry.deploy("alpha", _script(tmp_path, "x = 2\n"), {}, LOCK, replace=True)
    back = registry.set_current("alpha", 1, reason="bad fills")
    assert back.current
    previous = registry.previous("alpha")
    assert previous is not None
    assert previous.number == 2
    records = read_records(registry.audit.path)
    actions = [(r.kind, r.subject, r.payload) for r in records]
    assert [a[0] for a in actions] == ["deployment"] * 3
    assert '"action":"set_current"' in actions[2][2]
    assert '"reason":"bad fills"' in actions[2][2]
    registry.audit.flush()
    assert verify(registry.audit.path).ok


def test_when_the_index_write_fails_then_nothing_changes(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.deploy("alpha", _script(tmp_path, "x = 1\n"), {}, LOCK)
    path = _script(tmp_path, "x = 99\n", "new.py")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(registry, "_journal", broken)
    with pytest.raises(sqlite3.OperationalError):
        registry.deploy("alpha", path, {}, LOCK, replace=True)
    assert [v.number for v in registry.versions("alpha")] == [1]
    assert registry.current("alpha").number == 1
    assert not registry.blob_path(digest).exists()
    assert not list(registry.blob_path(digest).parent.glob(".tmp-*"))


def test_when_a_blob_is_altered_then_reading_it_is_refused(
    registry: Registry, tmp_path: Path
) -> None:
    version = registry.deploy("alpha", _script(tmp_path, "x = 1\n"), {}, LOCK)
    registry.blob_path(version.sha256).write_text("x = 666\n", encoding="utf-8")
    with pytest.raises(StateError, match="altered"):
        registry.script(version)


def test_when_reopened_the_registry_keeps_its_versions(tmp_path: Path) -> None:
    root = tmp_path / "reg"
    with Registry(root, clock=TestClock(5)) as reg:
        reg.deploy("alpha", _script(tmp_path, "x = 1\n"), {"k": "v"}, LOCK)
    with Registry(root, clock=TestClock(6)) as reg:
        assert [v.to_dict()["params"] for v in reg.versions("alpha")] == [{"k": "v"}]


def test_when_the_name_is_invalid_then_it_is_refused(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="valid strategy name"):
        registry.deploy("../evil", _script(tmp_path, "x\n"), {}, LOCK)


NAMES = st.sampled_from(["a", "b", "c"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("deploy"), NAMES, st.booleans(), st.integers(0, 3)),
        st.tuples(st.just("set"), NAMES, st.integers(0, 6), st.just(0)),
    ),
    max_size=25,
)


@given(OPS)
def test_property_versions_count_up_per_name_and_current_follows_the_model(
    ops: list[tuple[str, str, object, int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        scripts = [_script(base, f"x = {k}\n", f"s{k}.py") for k in range(4)]
        model: dict[str, list[int]] = {}
        current: dict[str, int] = {}
        previous: dict[str, int | None] = {}
        audited = 0
        with Registry(base / "reg", clock=TestClock(0)) as reg:
            for kind, name, arg, content in ops:
                if kind == "deploy":
                    replace = bool(arg)
                    if name in model and not replace:
                        with pytest.raises(InvalidInputError):
                            reg.deploy(name, scripts[content], {}, LOCK, replace=replace)
                        continue
                    version = reg.deploy(name, scripts[content], {}, LOCK, replace=replace)
                    model.setdefault(name, []).append(version.number)
                    previous[name] = current.get(name)
                    current[name] = version.number
                    audited += 1
                else:
                    number = int(arg)  # type: ignore[call-overload]
                    if name not in model or number not in model[name]:
                        with pytest.raises(InvalidInputError):
                            reg.set_current(name, number)
                        continue
                    reg.set_current(name, number)
                    previous[name] = current[name]
                    current[name] = number
                    audited += 1
            assert reg.names() == sorted(model)
            for name, numbers in model.items():
                assert numbers == list(range(1, len(numbers) + 1))
                assert [v.number for v in reg.versions(name)] == numbers
                assert reg.current(name).number == current[name]
                before = reg.previous(name)
                assert (None if before is None else before.number) == previous[name]
                assert sum(v.current for v in reg.versions(name)) == 1
            assert len(read_records(reg.audit.path)) == audited
