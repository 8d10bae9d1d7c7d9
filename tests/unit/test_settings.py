"""One Settings object: every EHC_* variable as README's Configuration table names it, the
API's and the KPI targets' included, and a value that cannot be used named in one line."""

from __future__ import annotations

import pytest

from ehc.settings import SettingsError, load_settings


def test_api_and_kpi_variables_keep_their_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHC_API_PORT", "9001")
    monkeypatch.setenv("EHC_API_TOKENS", "token-000000000001 supervisor")
    monkeypatch.setenv("EHC_KPI_TARGETS", '{"advice-6-weeks": 70}')
    monkeypatch.setenv("EHC_KPI_AMBER_MARGIN", "5")
    monkeypatch.setenv("EHC_WORKER_ACTIVITY_THREADS", "3")
    settings = load_settings()
    assert settings.api.port == 9001
    assert len(settings.api.load_tokens()) == 1
    targets = settings.kpi.kpi_targets()
    assert targets.percent["advice-6-weeks"] == 70
    assert targets.amber_margin == 5
    assert settings.worker_activity_threads == 3


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("EHC_AMBER_DAYS", "soon", "EHC_AMBER_DAYS: Input should be a valid integer"),
        ("EHC_REMINDER_DAYS", "fortnight", "EHC_REMINDER_DAYS: a comma list of whole days"),
        ("EHC_API_PORT", "0", "EHC_API_PORT: Input should be greater than or equal to 1"),
        ("EHC_KPI_AMBER_MARGIN", "200", "EHC_KPI_AMBER_MARGIN: Input should be less than"),
        ("EHC_KPI_TARGETS", "seventy", "EHC_KPI_TARGETS: not valid JSON"),
        ("EHC_WORKER_ACTIVITY_THREADS", "0", "EHC_WORKER_ACTIVITY_THREADS: Input should be"),
    ],
)
def test_a_value_that_cannot_be_used_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith(said)
    assert "\n" not in str(refused.value) and value not in str(refused.value)
