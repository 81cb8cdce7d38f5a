"""``ndcnp paper --quick``: every part runs and its files are written (needs NDCNP_DATA)."""

from __future__ import annotations

import json

import pytest

from fusion.cli import main


@pytest.mark.needs_data
def test_paper_quick_writes_every_table_and_figure(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NDCNP_DATA", str(data_dir))
    out = tmp_path / "paper"
    assert main(["paper", "--quick", "-o", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {
        "paper-results.md",
        "paper-results.json",
        "fig7.png",
        "fig8.png",
    }
    text = (out / "paper-results.md").read_text()
    for heading in ("Table 1", "Table 2", "Table 3", "Table 4", "Fig. 7", "Fig. 8", "Energy"):
        assert f"## {heading}" in text
    # The paper's numbers stand beside ours: Table 1 Lytro Qabf, Table 3's ablation PSNR.
    assert "(0.7621, " in text and "(25.702, " in text
    numbers = json.loads((out / "paper-results.json").read_text())
    assert numbers["quick"] is True
    # 2 systems x 520 x 520 neurons x 110 steps for a Lytro pair
    assert numbers["energy"]["mean"]["neuron_steps"] == 2 * 520 * 520 * 110
    row = numbers["table1"]["lytro"]["rows"][0]
    assert row["image"] == "1" and 0 < row["Qabf"] < 1 and row["PSNR"] > 20


def test_paper_without_data_is_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NDCNP_DATA", raising=False)
    assert main(["paper", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ndcnp: error:") and err.count("\n") == 1
    assert not (tmp_path / "x").exists()
