#!/usr/bin/env python3
"""Browser test for the booking page (GET /) and the dashboard (GET /dashboard).

Drives a headless Chromium through Selenium the way a buyer would: register on first use, pick a session,
click a seat, hold it, watch the countdown, confirm, and see the seat BOOKED; then opens the dashboard and
checks that every chart drew. Screenshots go to docs/screenshots/ (seatmap.png, dashboard.png).

Environment: BOXOFFICE_URL (the server), ADMIN_TOKEN (to create the hall and session), SCREENSHOT_DIR
(optional), CHROMIUM (optional binary), CHROMEDRIVER (optional driver). Exits non-zero with a message on
the first failure. scripts/browser-test starts a private server and runs this.
"""
import json
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boxoffice_api  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("BOXOFFICE_URL", "http://127.0.0.1:8080").rstrip("/")
ADMIN = os.environ.get("ADMIN_TOKEN", "")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(ROOT, "docs", "screenshots"))
CHARTS = ["throughput", "rates", "latency", "occupancy", "lag", "bookings", "conversion", "sales", "arrivals"]

checks = []


class Failure(Exception):
    pass


def step(text):
    print(f"-- {text}", flush=True)


def passed(name):
    checks.append(name)
    print(f"ok {len(checks)} - {name}", flush=True)


def api(method, path, body=None, token=ADMIN):
    status, answer = boxoffice_api.call(BASE, method, path, body, token, timeout=10)
    if not 200 <= status < 300:
        raise Failure(f"{method} {path} answered {status}: {answer}")
    return answer


def status_of(method, path, body, token):
    """Like api(), but answers (status, body) for any status: the race below expects 409s."""
    return boxoffice_api.call(BASE, method, path, body, token, timeout=10)


def rush(hall_id):
    """A short, bounded race on a fresh session so the dashboard has traffic, successes and conflicts to draw:
    8 buyers, 3 rounds, each reaching for two seats that overlap their neighbours'; winners confirm or cancel."""
    starts = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT21:00:00Z")
    session = api("POST", "/sessions", {"title": "Browser Test Rush", "hallId": hall_id, "startsAt": starts})
    buyers = [api("POST", "/users", {"name": f"Buyer {i}", "email": f"rush-{i}-{time.time_ns()}@example.com"}, token=None)
              for i in range(8)]

    def attempt(args):
        i, r = args
        seats = [f"A{(i + r) % 12 + 1}", f"A{(i + r + 1) % 12 + 1}"] if r < 2 else [f"B{(i + r) % 12 + 1}"]
        status, booking = status_of("POST", f"/sessions/{session['id']}/seats/reserve", {"seats": seats}, buyers[i]["token"])
        if status == 201 and (i + r) % 3:
            verb = "confirm" if (i + r) % 3 == 1 else "cancel"
            status_of("POST", f"/bookings/{booking['id']}/{verb}", None, buyers[i]["token"])
        return status

    outcomes = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for r in range(3):
            outcomes += pool.map(attempt, [(i, r) for i in range(8)])
            time.sleep(0.6)
    if any(code not in (201, 409) for code in outcomes):
        raise Failure(f"the race answered other than 201/409: {outcomes}")
    passed(f"a race of {len(outcomes)} reservations: {outcomes.count(201)} won, {outcomes.count(409)} refused with 409")


def wait_for(driver, what, condition, timeout=15):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d))
    except TimeoutException:
        raise Failure(f"timed out after {timeout}s waiting for {what}")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1360,1000", "--hide-scrollbars", "--force-device-scale-factor=1",
                     "--lang=en-GB", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def screenshot(driver, name, min_height=1000):
    """Resizes the window to the whole page first, so the PNG shows everything (no scrolling)."""
    os.makedirs(SHOTS, exist_ok=True)
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1360, "height": max(min_height, min(int(height), 3000)), "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.5)
    path = os.path.join(SHOTS, name)
    saved = driver.save_screenshot(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    if not saved:
        raise Failure(f"could not write {path}")
    print(f"   screenshot {os.path.relpath(path, ROOT)}", flush=True)


def js_errors(driver):
    try:
        # Network entries are expected (the 409 of the conflict step); script errors are not.
        return [e["message"] for e in driver.get_log("browser")
                if e.get("level") == "SEVERE" and e.get("source") != "network"]
    except Exception:
        return []


def booking_flow(driver):
    step("creating a hall and a session through the API")
    hall = api("POST", "/halls", {"name": "Browser Test Hall", "sections": [
        {"id": "stalls", "name": "Stalls", "price": 11.5, "rows": [{"row": "A", "seats": 12}, {"row": "B", "seats": 12}]},
        {"id": "circle", "name": "Circle", "price": 16, "rows": [{"row": "C", "seats": 8}]}]})
    starts = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT19:30:00Z")
    session = api("POST", "/sessions", {"title": "Browser Test Screening", "hallId": hall["id"], "startsAt": starts})
    session_id = session["id"]
    # Someone else holds B5, so the map shows every colour and the page must not offer it.
    other = api("POST", "/users", {"name": "Other Buyer", "email": f"other-{time.time_ns()}@example.com"}, token=None)
    api("POST", f"/sessions/{session_id}/seats/reserve", {"seats": ["B5", "B6"]}, token=other["token"])
    taken = api("POST", f"/sessions/{session_id}/seats/reserve", {"seats": ["C3"]}, token=other["token"])
    api("POST", f"/bookings/{taken['id']}/confirm", token=other["token"])
    # House seats: the admin keeps C1 and C2 back from sale.
    api("POST", f"/sessions/{session_id}/blocks", {"seats": ["C1", "C2"], "reason": "press"})
    passed("hall and session created; C1 and C2 blocked")
    rush(hall["id"])

    step("opening the booking page")
    driver.get(BASE + "/")
    wait_for(driver, "the session in the list",
             lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-session-id="{session_id}"]'))
    passed("GET / lists the new session")

    driver.find_element(By.CSS_SELECTOR, f'button[data-session-id="{session_id}"]').click()
    seat = wait_for(driver, "seat A7 on the map",
                    lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '[data-seat="A7"][data-status="AVAILABLE"]')), None))
    wait_for(driver, "B5 to show HELD and C3 BOOKED",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="B5"]').get_attribute("data-status") == "HELD"
             and d.find_element(By.CSS_SELECTOR, '[data-seat="C3"]').get_attribute("data-status") == "BOOKED")
    count = len(driver.find_elements(By.CSS_SELECTOR, "[data-seat]"))
    if count != 32:
        raise Failure(f"expected 32 seats on the map, found {count}")
    if driver.find_element(By.CSS_SELECTOR, '[data-seat="B5"]').is_enabled():
        raise Failure("a held seat can be clicked")
    blocked = driver.find_element(By.CSS_SELECTOR, '[data-seat="C1"]')
    if blocked.get_attribute("data-status") != "BLOCKED" or blocked.is_enabled():
        raise Failure(f"C1 is not drawn as a blocked seat that cannot be clicked: {blocked.get_attribute('data-status')}")
    page_text = driver.find_element(By.ID, "seatmap").text
    if "Stalls" not in page_text or "Circle" not in page_text or "11.50" not in page_text:
        raise Failure(f"section names and prices missing from the map: {page_text[:200]!r}")
    passed("seat map drawn by rows with sections, prices and statuses (blocked seats too)")

    step("selecting a seat and holding it (registers on first use)")
    seat.click()
    wait_for(driver, "A7 to be selected",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="A7"]').get_attribute("data-selected") == "true")
    driver.find_element(By.ID, "hold-btn").click()
    wait_for(driver, "the registration dialog", lambda d: d.find_element(By.ID, "register-dialog").is_displayed())
    driver.find_element(By.ID, "reg-name").send_keys("Grace Hopper")
    driver.find_element(By.ID, "reg-email").send_keys(f"grace-{time.time_ns()}@example.com")
    driver.find_element(By.ID, "reg-submit").click()
    wait_for(driver, "the token in localStorage",
             lambda d: d.execute_script("const u = JSON.parse(localStorage.getItem('boxoffice.user') || 'null');"
                                        "return !!(u && u.token && u.token.length > 10);"))
    passed("registered through the page; token kept in localStorage")

    panel = wait_for(driver, "the hold panel with a HELD booking",
                     lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '#hold-panel[data-status="HELD"]')), None))
    booking_id = panel.get_attribute("data-booking-id")
    wait_for(driver, "A7 to show HELD (read your writes)",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="A7"]').get_attribute("data-status") == "HELD")
    first = int(wait_for(driver, "a countdown",
                         lambda d: d.find_element(By.ID, "countdown").get_attribute("data-seconds-left")))
    if not (0 < first <= 600) or not driver.find_element(By.ID, "countdown").is_displayed():
        raise Failure(f"countdown not visible or out of range: {first}")
    time.sleep(1.3)
    second = int(driver.find_element(By.ID, "countdown").get_attribute("data-seconds-left"))
    if second >= first:
        raise Failure(f"countdown does not run: {first} then {second}")
    passed(f"booking {booking_id} HELD; countdown visible and running ({first}s, then {second}s)")

    step("confirming")
    wait_for(driver, "the Confirm button to be enabled", lambda d: d.find_element(By.ID, "confirm-btn").is_enabled())
    driver.find_element(By.ID, "confirm-btn").click()
    wait_for(driver, "the booking to be CONFIRMED",
             lambda d: d.find_element(By.ID, "hold-panel").get_attribute("data-status") == "CONFIRMED")
    wait_for(driver, "A7 to show BOOKED",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="A7"]').get_attribute("data-status") == "BOOKED")
    ticket = wait_for(driver, "the ticket of A7 with its QR code",
                      lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '#tickets .ticket[data-status="VALID"] img')), None))
    if not ticket.get_attribute("src").startswith("data:image/svg+xml") or not driver.find_element(By.ID, "print-btn").is_displayed():
        raise Failure("the confirmed booking shows no QR code or no Print button")
    screenshot(driver, "tickets.png")
    passed("the confirmed booking shows its ticket with a QR code and a Print button")
    # The same after a full reload: the page reads the read model, not only its own memory.
    driver.refresh()
    wait_for(driver, "A7 BOOKED after a reload",
             lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '[data-seat="A7"][data-status="BOOKED"]')), None))
    wait_for(driver, "the booking in My bookings",
             lambda d: d.find_elements(By.CSS_SELECTOR, f'#my-bookings [data-booking-id="{booking_id}"][data-status="CONFIRMED"]'))
    confirmed = api("GET", f"/bookings/{booking_id}")
    if confirmed.get("status") != "CONFIRMED" or confirmed.get("seats") != ["A7"]:
        raise Failure(f"server booking is not CONFIRMED A7: {confirmed}")
    passed("confirmed; A7 shows BOOKED after a reload; the server agrees")

    step("another buyer takes a seat")
    api("POST", f"/sessions/{session_id}/seats/reserve", {"seats": ["A9"]}, token=other["token"])
    # Either the page has not polled yet, so our hold of A9 meets a 409 that must be explained, or it has, and
    # A9 is no longer selectable. Both must end with A9 shown HELD.
    candidate = driver.find_element(By.CSS_SELECTOR, '[data-seat="A9"]')
    if candidate.is_enabled():
        candidate.click()
        hold = driver.find_element(By.ID, "hold-btn")
        if hold.is_enabled():
            hold.click()
            wait_for(driver, "the conflict message naming A9",
                     lambda d: d.find_element(By.ID, "message").is_displayed()
                     and "A9" in d.find_element(By.ID, "message-text").text)
            passed("a 409 seat_unavailable is explained: " + driver.find_element(By.ID, "message-text").text)
    wait_for(driver, "A9 HELD by the other buyer",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="A9"]').get_attribute("data-status") == "HELD")
    passed("another buyer's hold appears on the map")

    step("asking for the best two seats together")
    driver.find_element(By.ID, "message-close").click() if driver.find_element(By.ID, "message").is_displayed() else None
    count = driver.find_element(By.ID, "best-count")
    count.clear()
    count.send_keys("2")
    driver.find_element(By.ID, "best-btn").click()
    wait_for(driver, "a hold of the best pair", lambda d: next(iter(d.find_elements(
        By.CSS_SELECTOR, '#hold-panel[data-status="HELD"]')), None) and d.find_element(By.ID, "hold-id").text.strip() not in ("", booking_id))
    best_id = driver.find_element(By.ID, "hold-id").text.strip()
    best = api("GET", f"/bookings/{best_id}")
    seats = best.get("seats") or []
    if len(seats) != 2 or seats[0][0] != seats[1][0] or abs(int(seats[0][1:]) - int(seats[1][1:])) != 1:
        raise Failure(f"best available did not hold two adjacent seats: {best}")
    wait_for(driver, "the pair drawn as mine", lambda d: all(
        d.find_element(By.CSS_SELECTOR, f'[data-seat="{seat}"]').get_attribute("data-mine") == "true" for seat in seats))
    driver.find_element(By.ID, "extend-btn").click()
    wait_for(driver, "the hold extended", lambda d: "Hold extended" in d.find_element(By.ID, "message-text").text)
    passed("Extend hold: " + driver.find_element(By.ID, "message-text").text)
    driver.find_element(By.ID, "cancel-btn").click()
    wait_for(driver, "the best pair cancelled",
             lambda d: d.find_element(By.ID, "hold-panel").get_attribute("data-status") == "CANCELLED")
    passed(f"best available held {', '.join(seats)} side by side; cancelled again")

    # For the picture: a running hold with its countdown (B8, B9) and a fresh selection (C5, C6).
    driver.find_element(By.ID, "message-close").click()
    for seat_id in ("B8", "B9"):
        driver.find_element(By.CSS_SELECTOR, f'[data-seat="{seat_id}"]').click()
    driver.find_element(By.ID, "hold-btn").click()
    wait_for(driver, "the second hold", lambda d: next(iter(d.find_elements(
        By.CSS_SELECTOR, '#hold-panel[data-status="HELD"]')), None) and
        d.find_element(By.CSS_SELECTOR, '[data-seat="B9"]').get_attribute("data-mine") == "true")
    for seat_id in ("C5", "C6"):
        driver.find_element(By.CSS_SELECTOR, f'[data-seat="{seat_id}"]').click()
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    screenshot(driver, "seatmap.png")
    return session_id


def dashboard(driver):
    step("opening the dashboard")
    driver.get(BASE + "/dashboard")
    for name in CHARTS:
        wait_for(driver, f"chart {name} to render",
                 lambda d, n=name: d.find_elements(By.CSS_SELECTOR, f'[data-chart="{n}"][data-rendered="true"]'), timeout=20)
        content = driver.execute_script(
            "const c = document.querySelector(arguments[0]);"
            "const svg = c.querySelector('svg'); const canvas = c.querySelector('canvas');"
            "return svg ? svg.querySelectorAll('path, rect, circle, line, polyline').length : (canvas ? canvas.width : 0);",
            f'[data-chart="{name}"]')
        if not content:
            raise Failure(f"chart {name} has no SVG or canvas content")
    passed(f"all {len(CHARTS)} charts rendered ({', '.join(CHARTS)})")
    # A second refresh must happen by itself: the update time changes.
    first = driver.find_element(By.ID, "updated").get_attribute("data-generated-at")
    wait_for(driver, "the dashboard to refresh itself",
             lambda d: d.find_element(By.ID, "updated").get_attribute("data-generated-at") != first, timeout=10)
    text = driver.find_element(By.TAG_NAME, "body").text
    for label in ("Success rate", "Seat conflicts", "Hold"):
        if label.lower() not in text.lower():
            raise Failure(f"dashboard does not show {label!r}")
    passed("dashboard refreshes itself and shows the text KPIs")
    # Let the throughput lines gather a few seconds of history for the picture.
    time.sleep(3)
    screenshot(driver, "dashboard.png")


def two_pages(driver, session_id):
    step("a second page on the same session sees the first page's hold pushed to it")
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(f"{BASE}/#session={session_id}")
    wait_for(driver, "the map in the second page, from its live stream",
             lambda d: d.find_elements(By.CSS_SELECTOR, '[data-seat="C5"]')
             and int(d.find_element(By.TAG_NAME, "body").get_attribute("data-stream-messages") or 0) > 0)
    second = driver.current_window_handle
    before = int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-stream-messages"))
    driver.switch_to.window(first)
    driver.find_element(By.ID, "hold-btn").click()
    started = time.monotonic()
    wait_for(driver, "the first page's hold of C5 and C6",
             lambda d: d.find_element(By.CSS_SELECTOR, '[data-seat="C6"]').get_attribute("data-mine") == "true")
    driver.switch_to.window(second)
    wait_for(driver, "C5 and C6 HELD in the second page",
             lambda d: all(d.find_element(By.CSS_SELECTOR, f'[data-seat="{seat}"]').get_attribute("data-status") == "HELD"
                           for seat in ("C5", "C6")))
    shown = time.monotonic() - started
    after = int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-stream-messages"))
    if after <= before:
        raise Failure("the second page changed without a message from its live stream")
    passed(f"the hold reached the second page through its stream ({after - before} message(s)); "
           f"{shown * 1000:.0f} ms from the click in the first page, the hold itself included")
    driver.close()
    driver.switch_to.window(first)


def waiting_list(driver):
    step("a sold-out session offers its waiting list")
    hall = api("POST", "/halls", {"name": "Browser Test Box", "sections": [
        {"id": "box", "name": "Box", "price": 40, "rows": [{"row": "A", "seats": 2}]}]})
    starts = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT19:30:00Z")
    session = api("POST", "/sessions", {"title": "Browser Test Sold Out", "hallId": hall["id"], "startsAt": starts})
    other = api("POST", "/users", {"name": "Box Buyer", "email": f"box-{time.time_ns()}@example.com"}, token=None)
    api("POST", f"/sessions/{session['id']}/seats/reserve", {"seats": ["A1", "A2"], "confirm": True}, token=other["token"])
    driver.get(f"{BASE}/#session={session['id']}")
    wait_for(driver, "the waiting-list button on the sold-out map",
             lambda d: d.find_element(By.ID, "wait-btn").is_displayed())
    count = driver.find_element(By.ID, "best-count")
    count.clear()
    count.send_keys("1")
    driver.find_element(By.ID, "wait-btn").click()
    wait_for(driver, "the place in line", lambda d: "number 1 of 1" in d.find_element(By.ID, "message-text").text)
    passed("joined the waiting list: " + driver.find_element(By.ID, "message-text").text.split(".")[0])


def waiting_room(driver):
    step("an on-sale with a waiting room queues the buyer who tries to book")
    hall = api("POST", "/halls", {"name": "Browser Test Arena", "sections": [
        {"id": "floor", "name": "Floor", "price": 60, "rows": [{"row": "A", "seats": 6}]}]})
    starts = (datetime.now(timezone.utc) + timedelta(days=4)).strftime("%Y-%m-%dT19:30:00Z")
    session = api("POST", "/sessions", {"title": "Browser Test On-Sale", "hallId": hall["id"], "startsAt": starts})
    opens = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api("POST", f"/sessions/{session['id']}/waiting-room", {"onSaleAt": opens, "admitPerMinute": 600})
    driver.get(f"{BASE}/#session={session['id']}")
    seat = wait_for(driver, "seat A3 on the on-sale's map",
                    lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '[data-seat="A3"][data-status="AVAILABLE"]')), None))
    seat.click()
    driver.find_element(By.ID, "hold-btn").click()
    wait_for(driver, "the queue message", lambda d: "in its queue" in d.find_element(By.ID, "message-text").text)
    queue = api("GET", f"/sessions/{session['id']}/queue")
    if queue.get("queued") != 1:
        raise Failure(f"the buyer was not queued: {queue}")
    passed("booking before the on-sale queued the buyer: " + driver.find_element(By.ID, "message-text").text.split(".")[0])


def main():
    if not ADMIN:
        print("ADMIN_TOKEN is required", file=sys.stderr)
        return 2
    driver = None
    try:
        driver = browser()
        session_id = booking_flow(driver)
        two_pages(driver, session_id)
        waiting_list(driver)
        waiting_room(driver)
        dashboard(driver)
        errors = js_errors(driver)
        if errors:
            raise Failure("JavaScript errors in the console: " + "; ".join(errors))
        print(f"browser-test: {len(checks)} passed, 0 failed", flush=True)
        return 0
    except Exception as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        if not isinstance(error, Failure):
            traceback.print_exc()
        if driver is not None:
            try:
                for line in js_errors(driver):
                    print(f"   console: {line}", file=sys.stderr)
                os.makedirs(SHOTS, exist_ok=True)
                path = os.path.join(SHOTS, "failure.png")
                driver.save_screenshot(path)
                print(f"   page at failure: {path}", file=sys.stderr)
            except Exception:
                pass
        print(f"browser-test: {len(checks)} passed, 1 failed", flush=True)
        return 1
    finally:
        if driver is not None:
            driver.quit()


if __name__ == "__main__":
    sys.exit(main())
