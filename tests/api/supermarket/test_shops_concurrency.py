"""Staff screens racing on one shop's shelf (PostgreSQL: real row locks, real parallelism)."""

from tests.support.supermarket import run_together


def test_tills_creating_one_item_at_once_get_one_201_and_conflicts(app, supermarket):
    """Eight staff screens add the same sku together: one creates it, the rest are told 409."""
    item = {"sku": "rice-5kg", "name": "大米 5kg", "price_points": 120, "stock": 3}
    path = f"/v1/shops/{supermarket.shop['id']}/items"
    results = run_together(app, [(path, item, supermarket.staff)] * 8)
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1
    assert set(statuses) == {201, 409}, [r.json for r in results]
