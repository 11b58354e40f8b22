"""The training config: defaults from the model modules, TOML files, --set overrides."""
from __future__ import annotations

import pytest

from nlukit.config import SECTIONS, coerce_value, defaults, load_config, to_toml
from nlukit.errors import ConfigError


def test_should_take_each_section_default_from_its_model_module() -> None:
    from nlukit.models import embeddings, intent, tagger
    cfg = defaults()
    assert tuple(cfg) == SECTIONS
    assert cfg["word2vec"] == embeddings.DEFAULTS
    assert cfg["intent"] == intent.DEFAULTS
    assert cfg["tagger"] == tagger.DEFAULTS
    assert {"seed", "threads", "device", "max_text_length"} <= set(cfg["train"])


def test_should_coerce_overrides_to_the_type_of_the_default() -> None:
    cfg = load_config(overrides=["intent.epochs=5", "intent.jamo=true", "intent.lr=1e-2",
                                 "intent.kernel_sizes=2,3", "intent.kind=word_cnn",
                                 "train.device=cpu", "word2vec.dim=8"])
    assert cfg["intent"]["epochs"] == 5 and isinstance(cfg["intent"]["epochs"], int)
    assert cfg["intent"]["jamo"] is True
    assert cfg["intent"]["lr"] == 0.01
    assert cfg["intent"]["kernel_sizes"] == [2, 3]
    assert cfg["intent"]["kind"] == "word_cnn"
    assert cfg["train"]["device"] == "cpu"
    assert cfg["word2vec"]["dim"] == 8


def test_should_read_a_bare_comma_list_of_names_as_strings() -> None:
    cfg = load_config(overrides=["intent.kind=ensemble", "intent.members=char_cnn, ngram"])
    assert cfg["intent"]["members"] == ["char_cnn", "ngram"]
    cfg = load_config(overrides=['intent.members=["word_cnn"]'])
    assert cfg["intent"]["members"] == ["word_cnn"]


def test_should_read_an_unset_default_override_as_a_toml_value() -> None:
    cfg = load_config(overrides={"intent.threshold": "0.4"})
    assert cfg["intent"]["threshold"] == 0.4
    assert load_config(overrides=["intent.threshold=none"])["intent"]["threshold"] is None


def test_should_name_the_unknown_key_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_config(overrides=["intent.epoch=5"])
    msg = str(err.value)
    assert "intent.epoch" in msg and "epochs" in msg and "patience" in msg


def test_should_name_the_known_sections_for_an_unknown_section() -> None:
    with pytest.raises(ConfigError, match=r"\[intnet\].*word2vec, intent, tagger, train"):
        load_config(overrides=["intnet.epochs=5"])


@pytest.mark.parametrize("item", ["intent.epochs=five", "intent.jamo=maybe", "intent.epochs=2.5",
                                  "word2vec.dim=[1]"])
def test_should_refuse_a_value_of_the_wrong_type(item: str) -> None:
    with pytest.raises(ConfigError, match=item.split("=")[0]):
        load_config(overrides=[item])


@pytest.mark.parametrize("item", ["epochs=5", "intent.epochs", "=5", "intent.=3"])
def test_should_refuse_a_malformed_override(item: str) -> None:
    with pytest.raises(ConfigError, match="section.key=value"):
        load_config(overrides=[item])


def test_should_merge_a_toml_file_then_overrides(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[intent]\nepochs = 7\nlr = 1\n[train]\nseed = 99\n", encoding="utf-8")
    cfg = load_config(path, ["intent.epochs=3"])
    assert cfg["intent"]["epochs"] == 3          # the override wins over the file
    assert cfg["intent"]["lr"] == 1.0 and isinstance(cfg["intent"]["lr"], float)
    assert cfg["train"]["seed"] == 99


def test_should_locate_errors_in_a_config_file(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[intent\nepochs = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[tagger]\nhiden = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tagger.hiden"):
        load_config(unknown)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.toml")


def test_should_read_a_config_file_saved_with_a_byte_order_mark(tmp_path) -> None:
    # Given a config saved by Notepad as "UTF-8 with BOM", a Korean comment in it
    path = tmp_path / "c.toml"
    path.write_bytes("# 빠른 설정\n[intent]\nepochs = 7\n".encode("utf-8-sig"))
    # Then it is read like any UTF-8 file
    assert load_config(path)["intent"]["epochs"] == 7


def test_should_name_the_encoding_and_the_fix_for_a_cp949_config_file(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes("[intent]\n# 빠른 설정\nepochs = 7\n".encode("cp949"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == (f"{path}:2: not UTF-8 text (it looks like cp949/euc-kr); "
                              "save the config file as UTF-8")


def test_should_say_which_section_a_key_outside_any_section_belongs_to(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("seed = 7\n[intent]\nepochs = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.toml: seed = 7 is outside any section; it is a key of "
                                          r"\[word2vec\], \[intent\], \[tagger\], \[train\]: write it under one of them"):
        load_config(path)


@pytest.mark.parametrize("item, hint", [
    ("intent.epoch=5", "(did you mean intent.epochs?)"),
    ("intnet.epochs=5", "(did you mean [intent]?)"),
    ("Intent.epochs=5", "(did you mean [intent]?)"),
    ("train.epochs=5", "(epochs is a key of [word2vec], [intent], [tagger])"),
    ("tagger.kernel_sizes=3", "(kernel_sizes is a key of [intent])"),
])
def test_should_suggest_the_key_or_section_a_typo_meant(item: str, hint: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(overrides=[item])
    assert hint in str(err.value)


@pytest.mark.parametrize("item", ["intent.kind = char_cnn", 'intent.kind="char_cnn"', "intent.kind='char_cnn'",
                                  "intent.kind= 'char_cnn' "])
def test_should_read_a_string_setting_without_spaces_or_toml_quotes(item: str) -> None:
    # a string override was kept as typed: ' char_cnn' or '"char_cnn"', an unknown kind at training
    assert load_config(overrides=[item])["intent"]["kind"] == "char_cnn"


def test_should_take_one_override_given_as_a_string_not_as_its_characters() -> None:
    # load_config(overrides="intent.epochs=5") said: bad override 'i'
    assert load_config(overrides="intent.epochs=5")["intent"]["epochs"] == 5


def test_should_say_an_int_not_a_int() -> None:
    with pytest.raises(ConfigError, match="cannot read 'five' as an int"):
        load_config(overrides=["intent.epochs=five"])


def test_should_round_trip_through_to_toml(tmp_path) -> None:
    cfg = load_config(overrides=["intent.epochs=3", "intent.kernel_sizes=2,5"])
    path = tmp_path / "round.toml"
    path.write_text(to_toml(cfg), encoding="utf-8")
    assert load_config(path) == cfg


def test_should_keep_a_bool_strict() -> None:
    with pytest.raises(ConfigError):
        coerce_value("train.embeddings", 1, True)
