"""The till over HTTP: find the resident, sell once per form, receipts, holds, refunds, the day."""

import re
import threading

import pytest

from ledger.supermarket.consent import MAX_FAILED_ATTEMPTS
from tests.api.pages.till.conftest import csrf_of, sign_in, tokens
from tests.support.supermarket import items_by_sku

SALE = re.compile(r"/till/receipts/(red_[A-Za-z0-9]+)")


def sale_form(till, member, code=""):
    answer = till.get("/till/sell", query_string={"member": member, "code": code})
    assert answer.status_code == 200, answer.text
    return answer.text


def sell(till, customer, code, *, html=None, mode="capture", **quantities):
    html = html or sale_form(till, customer["external_ref"])
    form = {"member": customer["id"], "code": code, "mode": mode, **tokens(html)}
    form.update({f"qty-{sku.replace('_', '-')}": str(n) for sku, n in quantities.items()})
    return till.post("/till/sell", data=form)


def shop_sales(client, supermarket):
    answer = client.get(
        f"/v1/shops/{supermarket.shop['id']}/redemptions", headers=supermarket.shop_key
    )
    return answer.json["items"]


def test_the_till_finds_her_by_her_number_and_shows_the_shelf(till, customer):
    """Her typed number opens the sale form with her name and each item's stock."""
    html = sale_form(till, customer["external_ref"])
    assert customer["display_name"] in html
    assert 'data-sku="soy-sauce"' in html and 'data-stock="2"' in html
    assert 'data-stock="unlimited"' in html


def test_an_unknown_number_is_not_found(till, supermarket):
    """A number no member of the shop's community has answers 404 with the search form."""
    answer = till.get("/till/sell", query_string={"member": "R-nobody"})
    assert answer.status_code == 404 and "R-nobody" in answer.text


def test_a_sale_with_her_code_takes_her_points_and_shows_a_receipt(
    client, till, supermarket, customer, fresh_code, balance
):
    """Two soy sauces with her code: 60 points to the shop, stock 0, the receipt shows them."""
    answer = sell(till, customer, fresh_code(customer), soy_sauce=2)
    assert answer.status_code == 302
    sale_id = SALE.search(answer.location).group(1)
    reported = client.get(f"/v1/redemptions/{sale_id}", headers=supermarket.shop_key).json
    assert (reported["status"], reported["points"]) == ("captured", 60)
    assert balance(customer["points_account"])["available"] == 40
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 0
    receipt = till.get(answer.location).text
    assert "酱油 500ml" in receipt and 'data-figure="points">60<' in receipt


def test_two_posts_of_one_sale_form_make_one_sale(client, till, supermarket, customer, fresh_code):
    """The same form token posted twice sells once; both answers go to the same receipt."""
    html = sale_form(till, customer["external_ref"])
    code = fresh_code(customer)
    first = sell(till, customer, code, html=html, seeds=1)
    second = sell(till, customer, code, html=html, seeds=1)
    assert first.location == second.location
    assert len(shop_sales(client, supermarket)) == 1


def test_a_wrong_code_is_counted_and_the_form_says_how_many_tries_are_left(
    client, till, supermarket, customer
):
    """A wrong code sells nothing and the form comes back saying 4 tries are left."""
    answer = sell(till, customer, "000000", seeds=1)
    assert answer.status_code == 302 and "refused=4" in answer.location
    assert "还可以再试 4 次" in till.get(answer.location).text
    assert shop_sales(client, supermarket) == []


def test_too_few_points_is_refused_and_leaves_her_code_unspent(
    client, till, supermarket, resident, fresh_code
):
    """With 25 points a 30-point soy sauce is refused (422); the same code then buys seeds."""
    poor = resident(points=25)
    code = fresh_code(poor)
    refused = sell(till, poor, code, soy_sauce=1)
    assert refused.status_code == 422 and 'data-problem="insufficient-balance"' in refused.text
    assert shop_sales(client, supermarket) == []
    assert sell(till, poor, code, seeds=1).status_code == 302


def test_a_hold_is_captured_from_its_receipt_once(client, till, supermarket, customer, fresh_code):
    """A held sale shows capture and void; capturing twice by one form captures once."""
    answer = sell(till, customer, fresh_code(customer), mode="hold", seeds=2)
    receipt = till.get(answer.location).text
    assert 'data-status="held"' in receipt and "预留至" in receipt
    sale_id = SALE.search(answer.location).group(1)
    form = tokens(receipt, 0)
    first = till.post(f"/till/receipts/{sale_id}/capture", data=form)
    second = till.post(f"/till/receipts/{sale_id}/capture", data=form)
    assert first.location == second.location == answer.location
    reported = client.get(f"/v1/redemptions/{sale_id}", headers=supermarket.shop_key).json
    assert reported["status"] == "captured"


def test_a_hold_is_voided_from_its_receipt(
    client, till, supermarket, customer, fresh_code, balance
):
    """Voiding a hold gives her points back."""
    answer = sell(till, customer, fresh_code(customer), mode="hold", seeds=2)
    sale_id = SALE.search(answer.location).group(1)
    till.post(f"/till/receipts/{sale_id}/void", data=tokens(till.get(answer.location).text, 1))
    assert balance(customer["points_account"])["available"] == 100
    assert 'data-status="voided"' in till.get(answer.location).text


def test_refunds_by_line_and_of_the_rest_happen_once(
    client, till, supermarket, customer, fresh_code, balance
):
    """One of two soy sauces back, then the rest twice by one form: 60 points back in all."""
    answer = sell(till, customer, fresh_code(customer), soy_sauce=2)
    sale_id = SALE.search(answer.location).group(1)
    by_line = {**tokens(till.get(answer.location).text, 0), "refund-soy-sauce": "1"}
    assert till.post(f"/till/receipts/{sale_id}/refund", data=by_line).status_code == 302
    rest = tokens(till.get(answer.location).text, 1)
    till.post(f"/till/receipts/{sale_id}/refund-all", data=rest)
    till.post(f"/till/receipts/{sale_id}/refund-all", data=rest)
    assert balance(customer["points_account"])["available"] == 100
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 2
    assert "全部退货" not in till.get(answer.location).text


def test_a_refund_larger_than_the_sale_is_refused(till, customer, fresh_code):
    """Asking back three of two soy sauces answers 422 with the receipt and what went wrong."""
    answer = sell(till, customer, fresh_code(customer), soy_sauce=2)
    sale_id = SALE.search(answer.location).group(1)
    form = {**tokens(till.get(answer.location).text, 0), "refund-soy-sauce": "3"}
    refused = till.post(f"/till/receipts/{sale_id}/refund", data=form)
    assert refused.status_code == 422 and 'data-problem="refund-too-large"' in refused.text


def test_today_shows_the_running_total_of_sales_less_refunds(till, customer, fresh_code):
    """Two sales (60 and 20) and a 30-point refund: the day's total is 50 over two sales."""
    first = sell(till, customer, fresh_code(customer), soy_sauce=2)
    sell(till, customer, fresh_code(customer), seeds=1)
    sale_id = SALE.search(first.location).group(1)
    form = {**tokens(till.get(first.location).text, 0), "refund-soy-sauce": "1"}
    till.post(f"/till/receipts/{sale_id}/refund", data=form)
    today = till.get("/till/today").text
    assert 'data-figure="total">50<' in today and 'data-figure="count">2<' in today
    assert 'data-figure="total">50<' in till.get("/till").text


def test_another_shops_till_gets_404_for_a_receipt(
    app, client, till, supermarket, customer, fresh_code, make_key
):
    """A second shop's till opening or refunding the first shop's sale answers 404."""
    other = client.post(
        "/v1/communities/qianjiang/shops", json={"name": "第二超市"}, headers=supermarket.staff
    ).json
    other_till = app.test_client()
    sign_in(other_till, make_key("shop", shop=other["id"]))
    answer = sell(till, customer, fresh_code(customer), seeds=1)
    assert other_till.get(answer.location).status_code == 404
    sale_id = SALE.search(answer.location).group(1)
    form = {"csrf_token": csrf_of(other_till.get("/till").text), "form_token": "x" * 22}
    assert other_till.post(f"/till/receipts/{sale_id}/refund-all", data=form).status_code == 404
    assert shop_sales(client, supermarket)[0]["refunded_points"] == 0


def test_a_staff_desk_cannot_open_the_till(app, supermarket):
    """A desk signed in with a staff key gets 403 from the till; no session goes to sign-in."""
    desk = app.test_client()
    sign_in(desk, supermarket.staff)
    assert desk.get("/till").status_code == 403
    assert app.test_client().get("/till").location == "/device"


def test_the_fifth_wrong_code_locks_her_and_the_form_says_so(till, customer, fresh_code):
    """After MAX_FAILED_ATTEMPTS wrong codes the form says she is locked; her right code is then
    refused too (422) and nothing is sold."""
    for _ in range(MAX_FAILED_ATTEMPTS):
        answer = sell(till, customer, "000000", seeds=1)
    assert 'data-problem="redemption-locked"' in till.get(answer.location).text
    refused = sell(till, customer, fresh_code(customer), seeds=1)
    assert refused.status_code == 422 and 'data-problem="redemption-locked"' in refused.text


def test_the_sale_form_speaks_english_when_asked(till, customer):
    """With Accept-Language: en the sale form's labels come from the English catalogue."""
    answer = till.get(
        "/till/sell",
        query_string={"member": customer["external_ref"]},
        headers={"Accept-Language": "en"},
    )
    assert 'lang="en"' in answer.text and "Take the points now" in answer.text


@pytest.mark.postgres
def test_one_sale_form_sent_twice_at_once_sells_once(app, supermarket, customer, fresh_code):
    """Two tills of one key posting the same form token at the same moment make one sale."""
    tills = [app.test_client() for _ in range(2)]
    for client in tills:
        sign_in(client, supermarket.shop_key)
    html = sale_form(tills[0], customer["external_ref"])
    form = {"member": customer["id"], "code": fresh_code(customer), "qty-seeds": "1"}
    form["form_token"] = tokens(html)["form_token"]
    # Each session's own CSRF token, one form token between them.
    csrf = [csrf_of(client.get("/till").text) for client in tills]
    barrier = threading.Barrier(len(tills))
    answers = [None] * len(tills)

    def send(i):
        barrier.wait()
        answers[i] = tills[i].post("/till/sell", data={**form, "csrf_token": csrf[i]})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(tills))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status_code for a in answers} == {302}
    assert len({a.location for a in answers}) == 1
    assert len(shop_sales(tills[0], supermarket)) == 1


def test_a_sale_without_code_or_pin_is_refused_without_counting_a_try(till, customer, fresh_code):
    """An empty consent answers 422 and the next wrong code still has 4 tries left."""
    refused = sell(till, customer, "", seeds=1)
    assert refused.status_code == 422 and 'data-problem="invalid"' in refused.text
    assert "refused=4" in sell(till, customer, "000000", seeds=1).location
