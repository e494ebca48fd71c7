"""The resident's "pay at the shop" page over HTTP: her code, its QR link, minutes left, reach."""

import re

from api.pages.cli import qr_svg
from tests.api.pages.till.conftest import tokens
from tests.support.pages import card_token

CODE = re.compile(r'data-code="([0-9]{6})"')
MINUTES = re.compile(r'data-minutes-left="([0-9]+)"')


def signed_in(app, member):
    phone = app.test_client()
    assert phone.get(f"/s/{card_token(app, member['id'])}").status_code == 302
    return phone


def new_code(phone, member):
    page = phone.get(f"/members/{member['id']}/pay").text
    return phone.post(f"/members/{member['id']}/pay", data=tokens(page))


def test_her_pay_page_shows_a_code_its_minutes_and_a_qr_code(app, customer):
    """Asking for a code shows six digits, five minutes left, and the QR code of the till's link."""
    phone = signed_in(app, customer)
    answer = new_code(phone, customer)
    assert answer.location == f"/members/{customer['id']}/pay"
    page = phone.get(answer.location).text
    assert CODE.search(page) and MINUTES.search(page).group(1) == "5"
    code = CODE.search(page).group(1)
    link = f"http://localhost/till/sell?member={customer['id']}&code={code}"
    assert str(qr_svg(link)) in page


def test_asking_twice_by_one_form_keeps_one_code(app, customer):
    """The form posted twice issues one code: the page shows the same digits after both."""
    phone = signed_in(app, customer)
    form = tokens(phone.get(f"/members/{customer['id']}/pay").text)
    phone.post(f"/members/{customer['id']}/pay", data=form)
    first = CODE.search(phone.get(f"/members/{customer['id']}/pay").text).group(1)
    phone.post(f"/members/{customer['id']}/pay", data=form)
    assert CODE.search(phone.get(f"/members/{customer['id']}/pay").text).group(1) == first


def test_the_minutes_left_count_down_and_the_code_expires(app, customer, clock):
    """Two and a half minutes later three are left; after five the page says it expired."""
    phone = signed_in(app, customer)
    clock.set(clock.now())
    new_code(phone, customer)
    clock.advance(minutes=2, seconds=30)
    assert MINUTES.search(phone.get(f"/members/{customer['id']}/pay").text).group(1) == "3"
    clock.advance(minutes=3)
    page = phone.get(f"/members/{customer['id']}/pay").text
    assert 'data-code-status="expired"' in page and "<svg" not in page


def test_the_code_sells_at_the_till_and_then_reads_as_used(app, till, customer, balance):
    """The QR link's sale form has her code filled in; after the sale her page says it is used."""
    phone = signed_in(app, customer)
    new_code(phone, customer)
    code = CODE.search(phone.get(f"/members/{customer['id']}/pay").text).group(1)
    form_page = till.get("/till/sell", query_string={"member": customer["id"], "code": code}).text
    assert (
        f'name="code" type="text" inputmode="numeric" autocomplete="off" pattern="[0-9]*" value="{code}"'
        in form_page
    )
    sold = till.post(
        "/till/sell",
        data={"member": customer["id"], "code": code, "qty-seeds": "1", **tokens(form_page)},
    )
    assert sold.status_code == 302 and "/till/receipts/" in sold.location
    assert balance(customer["points_account"])["available"] == 80
    page = phone.get(f"/members/{customer['id']}/pay").text
    assert 'data-code-status="used"' in page


def test_another_members_pay_page_is_not_found(app, customer, resident):
    """Her session opening another member's pay page, or asking a code for her, gets 404."""
    other = resident(points=0, display_name="李建国")
    phone = signed_in(app, customer)
    assert phone.get(f"/members/{other['id']}/pay").status_code == 404
    form = tokens(phone.get(f"/members/{customer['id']}/pay").text)
    assert phone.post(f"/members/{other['id']}/pay", data=form).status_code == 404


def test_without_a_session_the_pay_page_sends_her_to_sign_in(client, customer):
    """No resident session: the pay page redirects to the sign-in page."""
    assert client.get(f"/members/{customer['id']}/pay").location == "/"
