"""Plays the recorded scenarios of Replays/ against a running gateway and records them.

Usage: record_replays.py BASE_URL BOXOFFICE_BIN OUT_DIR  (see scripts/record-replays)."""
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import boxoffice_api  # noqa: E402

BASE, BIN, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
ADMIN = os.environ["ADMIN_TOKEN"]


def call(method, path, body=None, token=None):
    return boxoffice_api.call(BASE, method, path, body, token)


def must(expected, result):
    status, body = result
    if status != expected:
        sys.exit(f"expected {expected}, got {status}: {body}")
    return body


def user(name):
    return must(201, call("POST", "/users", {"name": name, "email": f"{name}.{time.time_ns()}@replays.test"}))["token"]


def hall(rows):
    return must(201, call("POST", "/halls", {"name": "Replay Hall", "sections": [
        {"id": "stalls", "name": "Stalls", "price": 12.5, "rows": [{"row": row, "seats": seats} for row, seats in rows]}]},
        ADMIN))["id"]


def seated_session(title, rows):
    return must(201, call("POST", "/sessions", {"title": title, "hallId": hall(rows), "startsAt": "2026-12-24T20:00:00Z"},
                          ADMIN))["id"]


def ga_flash_sale():
    event = must(201, call("POST", "/events/create", {"name": "Flash sale", "startsAt": "2026-12-31T22:00:00Z",
                                                      "sections": [{"name": "Floor", "price": 40, "capacity": 60}]}, ADMIN))
    tokens = [user(f"buyer{i}") for i in range(20)]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda token: call("POST", "/book", {"eventId": event["id"], "qty": 5}, token), tokens))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 12 + [409] * 8, statuses
    return event["id"]


def hold_then(action):
    session = seated_session(f"Hold then {action}", [("A", 6)])
    token = user("holder")
    booking = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A3", "A4"]}, token))
    if action == "expire":
        time.sleep(3.5)  # past HOLD_TTL=2: the expiry worker records HoldExpired
        must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A4"]}, user("late")))
    else:
        must(200, call("POST", f"/bookings/{booking['id']}/{action}", None, token))
    return session


def confirmed_then_cancel():
    session = seated_session("Confirmed then cancel", [("A", 6)])
    token = user("buyer")
    booking = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1", "A2"], "confirm": True}, token))
    must(200, call("POST", f"/bookings/{booking['id']}/cancel", None, token))
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A2"], "confirm": True}, user("next")))
    return session


def race_overlapping():
    session = seated_session("Race on overlapping pairs", [("A", 10), ("B", 10)])
    tokens = [user(f"racer{i}") for i in range(50)]

    def attempt(index):
        row, first = "AB"[index % 2], index % 9 + 1
        return call("POST", f"/sessions/{session}/seats/reserve", {"seats": [f"{row}{first}", f"{row}{first + 1}"]}, tokens[index])

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert all(status in (201, 409) for status, _ in results), results
    assert any(status == 409 for status, _ in results), "no conflict: the race did not overlap"
    return session


def hold_extended_then_confirmed():
    session = seated_session("Hold extended then confirmed", [("A", 6)])
    token = user("extender")
    booking = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A2", "A3"]}, token))
    must(200, call("POST", f"/bookings/{booking['id']}/extend", None, token))
    time.sleep(2.5)  # past the first deadline (HOLD_TTL=2), within the extended one
    must(200, call("POST", f"/bookings/{booking['id']}/confirm", None, token))
    return session


def cap_then_raised():
    session = must(201, call("POST", "/sessions", {"title": "Cap then raised", "hallId": hall([("A", 6)]),
                                                   "startsAt": "2026-12-24T20:00:00Z", "maxSeatsPerUser": 2}, ADMIN))["id"]
    token = user("capped")
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1", "A2"]}, token))
    must(409, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A3"]}, token))
    must(200, call("POST", f"/sessions/{session}/sales", {"maxSeatsPerUser": 4}, ADMIN))
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A3"]}, token))
    return session


def best_available_pairs():
    session = seated_session("Best available pairs", [("A", 6), ("B", 6)])
    tokens = [user(f"pair{i}") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda token: call("POST", f"/sessions/{session}/seats/reserve", {"count": 2}, token), tokens))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 6 + [409] * 2, statuses
    return session


def house_seats():
    session = seated_session("House seats", [("A", 6)])
    block = must(201, call("POST", f"/sessions/{session}/blocks", {"seats": ["A1", "A2", "A3", "A4"], "reason": "press"}, ADMIN))
    buyer = must(201, call("POST", "/users", {"name": "buyer", "email": f"buyer.{time.time_ns()}@replays.test"}))
    must(409, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A2"]}, buyer["token"]))
    must(201, call("POST", f"/sessions/{session}/blocks/{block['id']}/book", {"userId": buyer["id"], "seats": ["A1", "A2"]}, ADMIN))
    must(200, call("DELETE", f"/sessions/{session}/blocks/{block['id']}", None, ADMIN))
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A3"]}, buyer["token"]))
    return session


def waitlist_offers():
    session = seated_session("Waiting list", [("A", 2)])
    owner = user("owner")
    booking = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1", "A2"], "confirm": True}, owner))["id"]
    first, second = user("first"), user("second")
    must(201, call("POST", f"/sessions/{session}/waitlist", {"count": 1}, first))
    must(201, call("POST", f"/sessions/{session}/waitlist", {"count": 1}, second))
    must(200, call("POST", f"/bookings/{booking}/cancel", None, owner))
    must(200, call("POST", f"/offers/{session}-offer-1/accept", None, first))
    must(200, call("POST", f"/bookings/{session}-offer-2/cancel", None, second))
    return session


def waiting_room():
    session = seated_session("Waiting room", [("A", 4)])
    opens = datetime.now(timezone.utc) + timedelta(seconds=2)
    must(201, call("POST", f"/sessions/{session}/waiting-room",
                   {"onSaleAt": opens.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", "admitPerMinute": 120}, ADMIN))
    buyers = [user(f"queued{i}") for i in range(3)]
    for token in buyers:
        must(201, call("POST", f"/sessions/{session}/queue", None, token))
    must(409, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1"]}, buyers[0]))
    time.sleep(max(0.0, (opens - datetime.now(timezone.utc)).total_seconds()) + 0.05)
    places = sorted((must(200, call("GET", f"/sessions/{session}/queue", None, token))["place"], token) for token in buyers)
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1"]}, places[0][1]))
    # One buyer every half second: the second's turn, before the room is empty.
    time.sleep(0.6)
    must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A2"]}, places[1][1]))
    return session


def tickets_at_the_door():
    """Confirm → tickets → check-in → an offline double entry, and a cancelled booking's voided ticket."""
    starts = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    session = must(201, call("POST", "/sessions", {"title": "Tonight", "hallId": hall([("A", 4)]), "startsAt": starts}, ADMIN))["id"]
    buyer, other = user("ticketed"), user("cancels")
    booking = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A1", "A2"]}, buyer))["id"]
    must(200, call("POST", f"/bookings/{booking}/confirm", None, buyer))
    secrets = [t["secret"] for t in must(200, call("GET", f"/bookings/{booking}/tickets", None, buyer))["tickets"]]
    cancelled = must(201, call("POST", f"/sessions/{session}/seats/reserve", {"seats": ["A4"], "confirm": True}, other))["id"]
    must(200, call("POST", f"/bookings/{cancelled}/cancel", None, other))
    north = must(201, call("POST", "/scanners", {"name": "North", "sessionId": session}, ADMIN))["token"]
    south = must(201, call("POST", "/scanners", {"name": "South"}, ADMIN))["token"]
    must(200, call("POST", "/checkin", {"secret": secrets[0], "gate": "North", "scanId": "n-1"}, north))
    must(409, call("POST", "/checkin", {"secret": secrets[0], "gate": "North", "scanId": "n-2"}, north))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    results = must(200, call("POST", "/checkin/batch", {"scans": [
        {"secret": secrets[0], "gate": "South", "scanId": "s-1", "scannedAt": now},
        {"secret": secrets[1], "gate": "South", "scanId": "s-2", "scannedAt": now}]}, south))["results"]
    assert [r["verdict"] for r in results] == ["DOUBLE_ENTRY", "ADMITTED"], results
    return session


SCENARIOS = {
    "ga-flash-sale-20x5": ga_flash_sale,
    "hold-confirm": lambda: hold_then("confirm"),
    "hold-expire": lambda: hold_then("expire"),
    "hold-cancel": lambda: hold_then("cancel"),
    "confirmed-cancel": confirmed_then_cancel,
    "race-50-overlapping": race_overlapping,
    "best-available-pairs": best_available_pairs,
    "hold-extended-confirmed": hold_extended_then_confirmed,
    "cap-then-raised": cap_then_raised,
    "house-seats": house_seats,
    "waitlist-offers": waitlist_offers,
    "waiting-room": waiting_room,
    "tickets-at-the-door": tickets_at_the_door,
}

# Scenario names after the arguments record only those; the others keep their files.
for name, play in SCENARIOS.items():
    if sys.argv[4:] and name not in sys.argv[4:]:
        continue
    session = play()
    subprocess.run([BIN, "replay", "record", session, "--output", f"{OUT}/{name}.jsonl",
                    "--read-models", f"{OUT}/{name}.read-models.json"], check=True, stderr=subprocess.DEVNULL)
    print(f"recorded {name} ({session})")
