"""The API key never leaves the process except in the Authorization header; logs are JSON lines and carry no
question text unless ``SHENBAO_LOG_QUESTIONS=1``.

``shenbao -v ask`` runs as a real process against the scripted OpenAI-protocol server (failing on purpose),
so debug logs of every library are on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from tests.conftest import ROOT
from tests.llm.openai_stub import OpenAIStub, Reply
from tests.reliability.conftest import TALLY, cli_env, closed_port, run_cli

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

API_KEY = "sk-test-SECRET-9d8e7f6a5b4c3d2e1f"
SECRET_PARTS = (API_KEY, API_KEY[8:], "SECRET-9d8e7f6a")  # the key, or a recognisable piece of it
PRIVATE = "蓝鲸海洋科技"  # a company name only the question contains
QUESTION = f"我们公司叫{PRIVATE}，新型研发机构奖补单个机构最高补助多少？"


def _assert_no_key(*texts: str) -> None:
    for text in texts:
        for part in SECRET_PARTS:
            assert part not in text, f"API key leaked: …{text[max(0, text.find(part) - 80):][:200]}"


def _log_lines(stderr: str) -> list[dict[str, object]]:
    """Every stderr line parsed as a JSON log record (fails on any line that is not one)."""
    records = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"log line is not JSON: {line[:200]!r}")
        assert isinstance(rec, dict) and {"level", "logger", "msg"} <= set(rec), line[:200]
        records.append(rec)
    return records


def _env(data_dir: Path, base_url: str, **extra: str) -> dict[str, str]:
    model = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": base_url, "SHENBAO_LLM_MODEL": "stub-model",
             "SHENBAO_LLM_TIMEOUT": "2", "SHENBAO_LLM_RETRIES": "0"}
    return cli_env(data_dir, **{**model, **extra})


def test_failing_endpoint_with_debug_logs_never_shows_the_key_or_the_question(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    with OpenAIStub() as stub:
        stub.push(Reply(status=500, content=f"upstream error for key {API_KEY}"))
        res = run_cli(["-v", "ask", QUESTION, "--json"], _env(corpus_settings.data_dir, stub.base_url))
    TALLY["faults"] += 1
    assert res.code == 0, res.err[-2000:]
    _assert_no_key(res.out, res.err)
    record = json.loads(res.out)
    assert record["mode"] == "offline" and any("离线答案" in n for n in record["notices"])
    logs = _log_lines(res.err)
    assert logs, "-v gives debug logs"
    assert any(r["level"] == "DEBUG" for r in logs)
    assert PRIVATE not in res.err and QUESTION not in res.err
    # the key went to the server in the Authorization header only
    assert stub.received
    for r in stub.received:
        assert r.headers["authorization"] == f"Bearer {API_KEY}"
        assert API_KEY.encode() not in r.raw


def test_question_text_is_logged_only_when_enabled(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    base_url = f"http://127.0.0.1:{closed_port()}/v1"  # endpoint down
    res = run_cli(["-v", "ask", QUESTION, "--json"],
                  _env(corpus_settings.data_dir, base_url, SHENBAO_LOG_QUESTIONS="1"))
    TALLY["faults"] += 1
    assert res.code == 0, res.err[-2000:]
    _assert_no_key(res.out, res.err)
    logs = _log_lines(res.err)
    assert any(PRIVATE in str(r["msg"]) for r in logs), "SHENBAO_LOG_QUESTIONS=1 logs the question"
    assert any("离线答案" in n for n in json.loads(res.out)["notices"])


def test_a_config_error_with_a_key_set_shows_a_message_and_no_key(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    res = run_cli(["-v", "ask", QUESTION],
                  _env(corpus_settings.data_dir, "http://127.0.0.1:9/v1", SHENBAO_LLM_TIMEOUT="abc"))
    TALLY["faults"] += 1
    _assert_no_key(res.out, res.err)
    assert res.code == 2 and "SHENBAO_LLM_TIMEOUT" in res.err and "Traceback" not in res.err


def test_settings_and_errors_do_not_carry_the_key(tmp_path: Path) -> None:
    s = Settings.from_env({"SHENBAO_DATA_DIR": str(tmp_path), "OPENAI_API_KEY": API_KEY})
    _assert_no_key(repr(s), str(s))
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({"OPENAI_API_KEY": API_KEY, "SHENBAO_LLM_RETRIES": "many"})
    _assert_no_key(str(exc.value), repr(exc.value))


def test_the_log_formatter_writes_json_and_masks_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.logs import JsonLogFormatter

    fmt = JsonLogFormatter(secrets=[API_KEY])
    try:
        raise RuntimeError(f"boom with {API_KEY} and \"quotes\"\nand a second line")
    except RuntimeError:
        import sys

        rec = logging.LogRecord("shenbao.test", logging.ERROR, __file__, 1, 'said "%s"', (API_KEY,),
                                sys.exc_info())
    line = fmt.format(rec)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR" and parsed["logger"] == "shenbao.test"
    assert "RuntimeError" in parsed["exc"]
    _assert_no_key(line)


def test_eval_results_never_hold_the_key(corpus_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``shenbao eval`` with the model configured (and failing): results, metrics and report are key-free."""
    items = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "dev.jsonl").read_text(
        encoding="utf-8").splitlines()[:3]]
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    out = tmp_path / "eval"
    with OpenAIStub() as stub:
        stub.push(*[Reply(status=500, content=f"upstream error for key {API_KEY}")] * 12)
        res = run_cli(["-v", "eval", "--dataset", str(dataset), "--out", str(out), "--no-ragas", "--no-plots"],
                      _env(corpus_settings.data_dir, stub.base_url), timeout=300)
    TALLY["faults"] += 1
    assert res.code in (0, 1), res.err[-2000:]  # 1: a threshold missed, not a crash
    assert "Traceback" not in res.err
    _assert_no_key(res.out, res.err)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "results.jsonl" for p in written)
    for p in written:
        _assert_no_key(p.read_bytes().decode("utf-8", "replace"))
    assert stub.received, "the eval went through the model path"
