"""The sweep's supermarket job: expired holds are voided and their points and stock come back."""

from datetime import UTC, datetime

from tests.support.supermarket import items_by_sku


def test_the_sweep_voids_expired_holds(app, client, supermarket, resident, redeem, balance, clock):
    """After the hold expires, `pointsbank sweep` voids it: points available, stock back."""
    from ledger.capabilities import JOBS

    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(100)
    held = redeem(wang, lines=[("soy-sauce", 2)], capture=False).json
    assert balance(wang["points_account"])["available"] == 40
    clock.advance(minutes=31)
    runner = app.test_cli_runner()
    from api.cli import sweep_command

    result = runner.invoke(sweep_command)
    assert result.exit_code == 0, result.output
    assert "void_expired_holds: 1" in result.output
    assert balance(wang["points_account"])["available"] == 100
    assert balance(wang["points_account"])["pending"] == 0
    shown = client.get(f"/v1/redemptions/{held['id']}", headers=supermarket.shop_key).json
    assert shown["status"] == "voided"
    entry = client.get(f"/v1/entries/{shown['entry']}", headers=supermarket.staff).json
    assert entry["status"] == "voided"
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 2
    assert "void_expired_holds: 0" in runner.invoke(sweep_command).output
    assert any(name == "void_expired_holds" for name, _ in JOBS)
