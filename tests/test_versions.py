"""Managing a model store's versions: list, switch current (roll back), prune; `nlukit versions`.

The stores here hold tiny stand-in versions: a meta.json that passes every load-time
check (format, nlukit version, tokenizer, each file's sha256) over one small file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import nlukit
from nlukit import bundle
from nlukit.cli import main
from nlukit.errors import BundleError, InputError
from nlukit.versions import list_versions, prune_versions, use_version


def add_version(store: Path, name: str, *, acc: float = 0.9, f1: float = 0.8,
                retrain: dict[str, Any] | None = None) -> Path:
    path = store / name
    path.mkdir(parents=True)
    (path / "weights.txt").write_text(f"weights of {name}", encoding="utf-8")
    meta: dict[str, Any] = {
        "name": store.name, "version": name, "bundle_format": nlukit.BUNDLE_FORMAT_VERSION,
        "nlukit_version": nlukit.__version__, "created": "2026-11-21T00:00:00Z",
        "tokenizer": "mecab", "metrics": {"intent_accuracy": acc, "entity_f1": f1},
        "files": bundle.file_digests(str(path))}
    if retrain is not None:
        meta["retrain"] = retrain
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def retrained(frm: str, *, current: bool, forced: bool = False, not_worse: bool | None = None) -> dict[str, Any]:
    return {"from": frm, "current": current, "forced": forced,
            "not_worse": current and not forced if not_worse is None else not_worse}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """v1 trained; v2 retrained from v1 (current); v3 retrained from v2 but refused (worse)."""
    s = tmp_path / "demo"
    add_version(s, "v1", acc=0.9, f1=0.8)
    add_version(s, "v2", acc=0.95, f1=0.85, retrain=retrained("v1", current=True))
    add_version(s, "v3", acc=0.7, f1=0.6, retrain=retrained("v2", current=False))
    bundle.set_current(str(s), "v2")
    return s


def corrupt(path: Path) -> None:
    (path / "weights.txt").write_text("flipped", encoding="utf-8")


# ------------------------------------------------------------------ list

def test_should_list_versions_oldest_first_with_current_origin_and_metrics(store: Path) -> None:
    rows = list_versions(str(store))
    assert [r.version for r in rows] == ["v1", "v2", "v3"]
    assert [r.current for r in rows] == [False, True, False]
    assert [r.how() for r in rows] == ["trained", "retrained from v1", "retrained from v2, refused: worse"]
    assert (rows[1].intent_accuracy, rows[1].entity_f1) == (0.95, 0.85)
    assert rows[0].nlukit_version == nlukit.__version__ and rows[0].created.startswith("2026-")
    assert all(r.state == "ok" and r.problem is None for r in rows)


def test_should_say_a_forced_retrain_switched_although_worse(store: Path) -> None:
    add_version(store, "v4", retrain=retrained("v3", current=True, forced=True, not_worse=False))
    assert list_versions(str(store))[-1].how() == "retrained from v3, forced although worse"


def test_should_list_damaged_and_incompatible_versions_instead_of_crashing(store: Path) -> None:
    (store / "v0-nometa").mkdir()
    (store / "v0-badjson").mkdir()
    (store / "v0-badjson" / "meta.json").write_text("{not json", encoding="utf-8")
    newer = add_version(store, "v5")
    meta = json.loads((newer / "meta.json").read_text(encoding="utf-8"))
    (newer / "meta.json").write_text(json.dumps({**meta, "bundle_format": 99}), encoding="utf-8")
    corrupt(store / "v1")
    rows = {r.version: r for r in list_versions(str(store))}
    assert rows["v0-nometa"].state == "damaged" and "meta.json is missing" in rows["v0-nometa"].problem
    assert rows["v0-badjson"].state == "damaged" and "not valid JSON" in rows["v0-badjson"].problem
    assert rows["v5"].state == "incompatible" and "format 99" in rows["v5"].problem
    assert rows["v1"].state == "ok"  # the cheap listing reads meta only ...
    verified = {r.version: r for r in list_versions(str(store), verify=True)}
    assert verified["v1"].state == "damaged" and "weights.txt is corrupted" in verified["v1"].problem


def test_should_ignore_hidden_temp_folders_of_a_training_or_an_interrupted_prune(store: Path) -> None:
    (store / ".tmp-v9-abc").mkdir()
    (store / ".deleting-v0.1.2").mkdir()
    (store / ".deleting-v0.1.2" / "meta.json").write_text("{}", encoding="utf-8")
    assert [r.version for r in list_versions(str(store))] == ["v1", "v2", "v3"]
    assert bundle.versions(str(store)) == ["v1", "v2", "v3"]


def test_should_print_a_table_marking_current_and_damaged_versions(store: Path, capsys) -> None:
    (store / "v4").mkdir()
    assert main(["versions", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "created", "nlukit", "intent", "entity", "F1", "made"]
    assert lines[2].startswith("* v2 ") and lines[2].endswith("retrained from v1")
    assert "0.9500" in lines[2] and "0.8500" in lines[2]
    assert lines[1].startswith("  v1 ") and lines[3].endswith("refused: worse")
    assert lines[4].startswith("  v4 ") and "DAMAGED:" in lines[4] and "meta.json is missing" in lines[4]


def test_should_print_the_list_as_json(store: Path, capsys) -> None:
    assert main(["versions", str(store), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["current"] == "v2"
    assert [(v["version"], v["current"], v["made"], v["refused"]) for v in out["versions"]] == [
        ("v1", False, "trained", None), ("v2", True, "retrained", False), ("v3", False, "retrained", True)]


# ------------------------------------------------------------------ use / roll back

def test_should_switch_current_and_have_a_running_server_follow_on_reload(store: Path, monkeypatch) -> None:
    pytest.importorskip("flask")
    from test_server_fakes import FakeNLU

    from nlukit.server import create_app

    def load(path: str, **kw: Any) -> FakeNLU:  # loads what `current` really resolves to
        return FakeNLU(version=os.path.basename(bundle.resolve(path)))

    monkeypatch.setattr(nlukit, "load", load)
    client = create_app(str(store), settings={"admin_token": "tok", "torch_threads": 0}).test_client()
    assert client.get("/version").get_json()["model"]["version"] == "v2"

    r = use_version(str(store), "v1")
    assert (r.previous, r.current, r.changed) == ("v2", "v1", True)
    assert bundle.current_version(str(store)) == "v1" and os.path.islink(store / "current")
    assert client.get("/version").get_json()["model"]["version"] == "v2"  # until the reload
    assert client.post("/admin/reload", headers={"Authorization": "Bearer tok"}).status_code == 200
    assert client.get("/version").get_json()["model"]["version"] == "v1"
    assert [p for p in os.listdir(store) if p.startswith(".")] == []


def test_should_refuse_to_switch_to_a_damaged_version_and_keep_current(store: Path) -> None:
    corrupt(store / "v3")
    with pytest.raises(BundleError, match=r"cannot switch .* to v3: .*weights.txt is corrupted.*"
                                          r"retrain.*current stays at v2"):
        use_version(str(store), "v3")
    (store / "v4").mkdir()
    with pytest.raises(BundleError, match="v4/meta.json is missing.*current stays at v2"):
        use_version(str(store), "v4")
    assert bundle.current_version(str(store)) == "v2"


def test_should_refuse_an_unknown_version_naming_the_available_ones(store: Path) -> None:
    for bad in ("v9", "current", "..", ""):
        with pytest.raises(BundleError, match=r"no version .*available: v1, v2, v3"):
            use_version(str(store), bad)
    assert bundle.current_version(str(store)) == "v2"


def test_should_take_a_version_as_shell_completion_writes_it(store: Path, monkeypatch) -> None:
    # Given the version typed with tab completion: a trailing slash, or the path through the store
    monkeypatch.chdir(store.parent)
    assert use_version(str(store), "v1/").current == "v1"
    assert use_version("demo", "demo/v3/").current == "v3"
    assert use_version(str(store), str(store / "v2")).current == "v2"
    # But a folder of the same name in another place is no version of this store
    add_version(store.parent / "other", "v1")
    with pytest.raises(BundleError, match=r"no version 'other/v1'"):
        use_version(str(store), "other/v1")
    assert bundle.current_version(str(store)) == "v2"


def _copy_following_links(store: Path, dest: Path) -> Path:
    """The store as scp -r, cp -rL or a zip on Windows copy it: current becomes a real folder."""
    import shutil
    shutil.copytree(store, dest, symlinks=False)
    assert (dest / "current").is_dir() and not (dest / "current").is_symlink()
    return dest


def test_should_read_a_store_whose_current_link_was_copied_as_a_folder(store: Path, tmp_path: Path) -> None:
    # Given the store copied to a server with a tool that follows links
    copy = _copy_following_links(store, tmp_path / "deployed")
    # Then current is still the version it named: loads, listed with *, rolls back
    assert bundle.current_version(str(copy)) == "v2"
    assert bundle.resolve(str(copy)) == str(copy / "v2")
    assert [r.version for r in list_versions(str(copy)) if r.current] == ["v2"]
    assert use_version(str(copy), "previous").current == "v1"
    # And the copy gave way to a pointer again, nothing else touched
    assert (copy / "current").is_symlink() and bundle.current_version(str(copy)) == "v1"
    assert sorted(os.listdir(copy)) == ["current", "v1", "v2", "v3"]


def test_should_refuse_a_current_folder_that_is_no_copy_of_a_version_before_training(
        store: Path, tmp_path: Path) -> None:
    copy = _copy_following_links(store, tmp_path / "deployed")
    (copy / "current" / "weights.txt").write_text("edited on the server", encoding="utf-8")
    meta = json.loads((copy / "current" / "meta.json").read_text(encoding="utf-8"))
    meta["files"] = bundle.file_digests(str(copy / "current"))
    (copy / "current" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    # Then nothing is replaced, and a new training is refused before it starts (it trained first)
    for act in (lambda: use_version(str(copy), "v1"), lambda: bundle.BundleWriter(str(copy), force=True),
                lambda: bundle.resolve(str(copy))):
        with pytest.raises(BundleError, match=r"current is a real directory, not a pointer, and no copy"):
            act()
    assert (copy / "current" / "weights.txt").read_text(encoding="utf-8") == "edited on the server"
    assert sorted(os.listdir(copy)) == ["current", "v1", "v2", "v3"]


def test_should_roll_back_to_the_newest_older_version_that_passes_the_check(store: Path) -> None:
    add_version(store, "v4")
    bundle.set_current(str(store), "v4")
    corrupt(store / "v3")
    assert use_version(str(store), "previous").current == "v2"  # v3 is damaged: skipped
    assert use_version(str(store), "previous").current == "v1"
    with pytest.raises(BundleError, match="no usable version older than v1"):
        use_version(str(store), "previous")
    assert bundle.current_version(str(store)) == "v1"


def test_should_repair_a_store_whose_current_pointer_was_lost(store: Path) -> None:
    os.remove(store / "current")
    assert [r.current for r in list_versions(str(store))] == [False, False, False]
    assert use_version(str(store), "v3").previous is None
    assert bundle.resolve(str(store)) == str(store / "v3")


def test_cli_use_prints_what_was_and_is_current(store: Path, capsys) -> None:
    assert main(["versions", str(store), "--use", "v1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "current was v2, is now v1"
    assert main(["versions", str(store), "--use", "v1"]) == 0
    assert "already v1" in capsys.readouterr().out
    corrupt(store / "v3")
    assert main(["versions", str(store), "--use", "v3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nlukit: error: cannot switch") and err.count("\n") == 1
    assert "current stays at v1" in err


# ------------------------------------------------------------------ prune

@pytest.fixture
def five(tmp_path: Path) -> Path:
    s = tmp_path / "five"
    for i in range(1, 6):
        add_version(s, f"v{i}")
    bundle.set_current(str(s), "v2")
    return s


def test_should_prune_all_but_the_newest_and_keep_an_older_current(five: Path) -> None:
    r = prune_versions(str(five), 2)
    assert (r.removed, r.kept) == (["v1", "v3"], ["v2", "v4", "v5"])
    assert sorted(os.listdir(five)) == ["current", "v2", "v4", "v5"]
    assert bundle.resolve(str(five)) == str(five / "v2")
    assert prune_versions(str(five), 2).removed == []  # nothing more to do


def test_should_delete_nothing_on_a_dry_run(five: Path) -> None:
    before = sorted(os.listdir(five))
    r = prune_versions(str(five), 1, dry_run=True)
    assert (r.removed, r.kept) == (["v1", "v3", "v4"], ["v2", "v5"])
    assert sorted(os.listdir(five)) == before


def test_should_refuse_to_keep_fewer_than_one(five: Path) -> None:
    for bad in (0, -1, True):
        with pytest.raises(InputError, match="at least 1"):
            prune_versions(str(five), bad)
    assert len(bundle.versions(str(five))) == 5


def test_should_delete_damaged_folders_without_counting_them_among_the_kept(five: Path) -> None:
    (five / "v6").mkdir()  # the newest name, but no meta.json: not a version to keep
    (five / "v6" / "half.pt").write_text("x", encoding="utf-8")
    (five / "v0").mkdir()
    (five / "v0" / "meta.json").write_text("{not json", encoding="utf-8")
    r = prune_versions(str(five), 2, dry_run=True)
    assert (r.removed, r.kept) == (["v0", "v1", "v3", "v6"], ["v2", "v4", "v5"])
    assert prune_versions(str(five), 2).removed == ["v0", "v1", "v3", "v6"]
    assert sorted(os.listdir(five)) == ["current", "v2", "v4", "v5"]


def test_should_never_delete_a_folder_that_holds_nothing_of_a_model(five: Path, capsys) -> None:
    # Given the user's own folder inside the model store (notes, exports)
    (five / "notes").mkdir()
    (five / "notes" / "todo.txt").write_text("mine", encoding="utf-8")
    (five / "empty").mkdir()
    r = prune_versions(str(five), 1)
    assert r.foreign == ["empty", "notes"] and "notes" not in r.removed
    assert (five / "notes" / "todo.txt").read_text(encoding="utf-8") == "mine"
    assert r.removed == ["v1", "v3", "v4"]
    assert main(["versions", str(five), "--prune", "--keep", "1"]) == 0
    assert "left alone 2 folder(s) that hold nothing of a model: empty, notes" in capsys.readouterr().out


def test_should_never_leave_a_half_deleted_folder_that_looks_like_a_version(five: Path, monkeypatch) -> None:
    import shutil

    real = shutil.rmtree
    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: None)  # a crash mid-delete
    r = prune_versions(str(five), 3)
    assert r.removed == ["v1"] and len(r.stuck) == 1 and r.stuck[0].startswith(".deleting-v1.")
    assert bundle.versions(str(five)) == ["v2", "v3", "v4", "v5"]
    assert [v.version for v in list_versions(str(five))] == ["v2", "v3", "v4", "v5"]
    monkeypatch.setattr(shutil, "rmtree", real)
    r = prune_versions(str(five), 3)  # the next prune finishes the job
    assert r.removed == [] and r.leftovers[0].startswith(".deleting-v1.") and r.stuck == []
    assert sorted(os.listdir(five)) == ["current", "v2", "v3", "v4", "v5"]


def test_cli_prune_dry_run_then_prune(five: Path, capsys) -> None:
    assert main(["versions", str(five), "--prune", "--keep", "2", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["would delete 2: v1, v3", "kept 3: v2, v4, v5"]
    assert len(bundle.versions(str(five))) == 5
    assert main(["versions", str(five), "--prune", "--keep", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == ["v1", "v3"]
    assert bundle.versions(str(five)) == ["v2", "v4", "v5"]


# ------------------------------------------------------------------ CLI errors

@pytest.mark.parametrize("args, message", [
    (["--prune", "--keep", "0"], "at least 1"),
    (["--prune"], "--prune needs --keep N"),
    (["--keep", "2"], "go with --prune"),
    (["--use", "v9"], "no version 'v9'"),
    (["--use", "v1", "--verify"], "--verify goes with the listing"),
])
def test_cli_should_fail_with_one_line_and_exit_1(five: Path, capsys, args: list[str], message: str) -> None:
    assert main(["versions", str(five), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nlukit: error:") and message in err and err.count("\n") == 1
    assert len(bundle.versions(str(five))) == 5 and bundle.current_version(str(five)) == "v2"


def test_cli_should_name_the_fix_when_the_model_is_not_a_store(tmp_path: Path, five: Path, capsys) -> None:
    assert main(["versions", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "notes").mkdir()
    assert main(["versions", str(tmp_path / "notes")]) == 1
    assert "not a model store" in capsys.readouterr().err
    assert main(["versions", str(five / "v1"), "--prune", "--keep", "1"]) == 1
    err = capsys.readouterr().err
    assert "one model version, not a model store" in err and str(five) in err
    assert len(bundle.versions(str(five))) == 5


def test_cli_should_refuse_use_and_prune_together(five: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["versions", str(five), "--use", "v1", "--prune", "--keep", "1"])
    assert exc.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
