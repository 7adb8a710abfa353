#!/usr/bin/python3
"""Plays a MongoDB server for MongoWireTests, on a free loopback port, with mockupdb.

Usage: mock_mongo.py <scenario>. Prints "PORT <n>" first; then, for each command the Swift test's
MongoDocumentStore must send, in order, asserts its exact shape, prints a line and answers as a real
mongod 6.0 would (documents, a duplicate key, a server error, a dropped connection). Ends with
"OK <scenario>: …" and exit status 0, or "FAIL <scenario>: …" and exit status 1 (the server then
stops, so the driver sees closed sockets instead of waiting).

Handshakes (isMaster/hello, from the pool's monitor and from every new connection) are answered in
the background and recorded; at least one must carry libmongoc's client metadata and our appname.
Needs Debian's python3-mockupdb (run with /usr/bin/python3, where Debian puts it).
"""
import datetime
import sys
import threading

from bson.int64 import Int64
from mockupdb import MockupDB

DB = "boxoffice"
NOW = datetime.datetime.utcnow()
START_TIME = datetime.datetime(2026, 12, 24, 20, 0, 0)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def plain(value):
    """A decoded BSON value with OrderedDicts turned into dicts, for equality checks and messages."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def int64(value, expected, what):
    check(isinstance(value, Int64) and value == expected, "%s: expected Int64(%d), got %r (%s)"
          % (what, expected, value, type(value).__name__))


class Mock:
    def __init__(self, scenario):
        self.scenario = scenario
        self.verified = 0
        self.handshakes = []
        self.lock = threading.Lock()
        self.server = MockupDB(port=0, request_timeout=15)
        self.server.autoresponds(self.handshake)

    def handshake(self, request):
        """Answers isMaster/hello like a mongod 6.0 standalone (sessions supported, so the driver sends lsid)."""
        name = (request.command_name or "").lower()
        if name not in ("ismaster", "hello"):
            return False
        with self.lock:
            self.handshakes.append(plain(request.doc))
        request.replies({
            "ismaster": True, "isWritablePrimary": True, "helloOk": True,
            "maxBsonObjectSize": 16 * 1024 * 1024, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
            "localTime": datetime.datetime.utcnow(), "logicalSessionTimeoutMinutes": 30, "connectionId": 7,
            "minWireVersion": 0, "maxWireVersion": 17, "readOnly": False,
        })
        return True

    def next(self):
        return self.server.receives(timeout=15)

    def expect(self, command, target, request=None):
        """The next command must be `command` on `target` in our database."""
        request = request or self.next()
        name = request.command_name
        check(name == command and request.doc.get(name) == target,
              "expected %s %r, got %s %r: %r" % (command, target, name, request.doc.get(name), plain(request.doc)))
        check(request.doc.get("$db") == DB, "%s sent to database %r" % (command, request.doc.get("$db")))
        check("lsid" in request.doc, "%s without an implicit session id (lsid)" % command)
        self.verified += 1
        return request

    def log(self, message):
        print("  ok " + message, flush=True)

    # Shapes ---------------------------------------------------------------------------------------

    def find(self, collection, filter, limit=None, sort=None, request=None):
        request = self.expect("find", collection, request)
        check(plain(request.doc.get("filter")) == filter, "find %s filter %r, expected %r"
              % (collection, plain(request.doc.get("filter")), filter))
        if limit is not None:
            check(request.doc.get("limit") == limit, "find %s limit %r, expected %r" % (collection, request.doc.get("limit"), limit))
        else:
            check("limit" not in request.doc, "find %s has an unexpected limit" % collection)
        check(plain(request.doc.get("sort")) == sort, "find %s sort %r, expected %r" % (collection, plain(request.doc.get("sort")), sort))
        self.log("find %s filter=%s sort=%s limit=%s" % (collection, filter, sort, limit))
        return request

    def guarded_upserts(self, collection, expected):
        """An unordered `update` whose statements are guarded upserts: [(id, version)], in order."""
        request = self.expect("update", collection)
        check(request.doc.get("ordered") is False, "update %s must be unordered" % collection)
        updates = request.doc.get("updates") or []
        check(len(updates) == len(expected), "update %s has %d statements, expected %d" % (collection, len(updates), len(expected)))
        for statement, (document_id, version) in zip(updates, expected):
            check(statement.get("upsert") is True, "update %s %s without upsert: true" % (collection, document_id))
            check(statement.get("multi") in (None, False), "update %s %s must touch one document" % (collection, document_id))
            query = statement["q"]
            check(list(query.keys()) == ["_id", "version"] and query["_id"] == document_id,
                  "update %s filter %r, expected {_id: %r, version: {$lt: %d}}" % (collection, plain(query), document_id, version))
            check(list(query["version"].keys()) == ["$lt"], "update %s guard %r is not {$lt: n}" % (collection, plain(query["version"])))
            int64(query["version"]["$lt"], version, "update %s guard" % collection)
            replacement = statement["u"]
            check(list(replacement.keys()) == ["version", "body"], "update %s replacement keys %r, expected [version, body]"
                  % (collection, list(replacement.keys())))
            int64(replacement["version"], version, "update %s version" % collection)
        self.log("update %s: %d guarded upserts {_id, version: {$lt: n}}, upsert: true" % (collection, len(updates)))
        return request, [statement["u"]["body"] for statement in updates]

    def checkpoint_write(self, projection, generation, transaction, position, owner):
        request = self.expect("update", "projection_checkpoints")
        (statement,) = request.doc["updates"]
        check(statement.get("upsert") is True, "checkpoint write without upsert")
        query = plain(statement["q"])
        expected_query = {"_id": "%s.g%d" % (projection, generation), "$or": [
            {"transactionId": {"$lt": transaction}}, {"transactionId": transaction, "position": {"$lte": position}}]}
        check(query == expected_query, "checkpoint filter %r, expected %r" % (query, expected_query))
        int64(statement["q"]["$or"][0]["transactionId"]["$lt"], transaction, "checkpoint guard")
        replacement = statement["u"]
        check(list(replacement.keys()) == ["projection", "generation", "transactionId", "position", "owner", "updatedAt"],
              "checkpoint fields %r" % list(replacement.keys()))
        check(replacement["projection"] == projection and replacement["generation"] == generation and replacement["owner"] == owner,
              "checkpoint document %r" % plain(replacement))
        int64(replacement["transactionId"], transaction, "checkpoint transactionId")
        int64(replacement["position"], position, "checkpoint position")
        updated = replacement["updatedAt"]
        check(isinstance(updated, datetime.datetime) and abs((updated - datetime.datetime.utcnow()).total_seconds()) < 300,
              "checkpoint updatedAt %r is not a current BSON date" % updated)
        self.log("update projection_checkpoints %s.g%d -> (%d, %d), monotonic guard, upsert: true"
                 % (projection, generation, transaction, position))
        return request

    # Replies --------------------------------------------------------------------------------------

    @staticmethod
    def batch(request, documents):
        request.replies({"cursor": {"id": Int64(0), "ns": "%s.%s" % (DB, request.doc["find"]), "firstBatch": documents}})

    @staticmethod
    def duplicate_key(request, collection, document_id):
        request.replies({"n": 0, "nModified": 0, "writeErrors": [{
            "index": 0, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": document_id},
            "errmsg": 'E11000 duplicate key error collection: %s.%s index: _id_ dup key: { _id: "%s" }' % (DB, collection, document_id),
        }]})

    def end_sessions(self):
        """The last command: destroying the client pool ends the implicit sessions it used."""
        request = self.next()
        check(request.command_name == "endSessions" and request.doc.get("$db") == "admin",
              "expected endSessions on admin when the pool is destroyed, got %s: %r" % (request.command_name, plain(request.doc)))
        check(len(request.doc["endSessions"]) >= 1, "endSessions without session ids")
        request.replies({})
        self.verified += 1
        self.log("endSessions (%d) when the store's client pool was destroyed" % len(request.doc["endSessions"]))

    def run(self, steps):
        port = self.server.run()
        print("PORT %d" % port, flush=True)
        try:
            steps(self)
            if self.scenario != "health":  # the server process is still running: its pool is not destroyed
                self.end_sessions()
            with self.lock:
                handshakes = list(self.handshakes)
            check(handshakes, "no isMaster/hello handshake was seen")
            check(any(h.get("client", {}).get("driver", {}).get("name", "").startswith("mongoc")
                      and h.get("client", {}).get("application", {}).get("name", "").startswith("boxoffice") for h in handshakes),
                  "no handshake carried libmongoc's client metadata with our appname: %r" % handshakes[:1])
            print("OK %s: %d commands verified, %d handshakes (%s)" % (
                self.scenario, self.verified, len(handshakes),
                ", ".join(sorted({next(iter(h)) for h in handshakes}))), flush=True)
            return 0
        except Exception as error:  # Failure, or mockupdb's AssertionError on a timeout
            print("FAIL %s after %d commands: %s: %s" % (self.scenario, self.verified, type(error).__name__, error), flush=True)
            return 1
        finally:
            self.server.stop()


# Scenario "store": writes, the duplicate key that means "already newer", and every read. ---------

def seat_map(seats):
    return {"sessionId": "s1", "version": 3, "sections": [], "summary": {"total": seats, "available": seats, "held": 0, "booked": 0},
            "seats": [{"id": "%s%d" % (chr(65 + index // 50), index % 50 + 1), "row": chr(65 + index // 50), "number": index % 50 + 1,
                       "section": "stalls", "price": 12.5, "status": "AVAILABLE"} for index in range(seats)]}


def booking(document_id, amount, created, status="CONFIRMED"):
    return {"id": document_id, "sessionId": "s1", "sessionTitle": "Amélie — 東京物語 🎬", "sessionKind": "seated",
            "userId": "u1", "status": status, "seats": ["A1", "A2"], "sections": [{"id": "stalls", "name": "Parterre"}],
            "amount": amount, "createdAt": created, "updatedAt": created, "position": Int64(4_000_000_000_123)}


def store(mock):
    # commit of a seat map, a session and a booking into generation 1
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [])
    request, bodies = mock.guarded_upserts("sessions.seatmaps.g1", [("s1", 3)])
    check(len(bodies[0]["seats"]) == 2000 and bodies[0]["seats"][1999]["id"] == "AN50",
          "the seat map body does not hold 2,000 seats ending at AN50")
    check(isinstance(bodies[0]["seats"][0]["price"], float) and bodies[0]["seats"][0]["price"] == 12.5, "price 12.5 not a double")
    mock.duplicate_key(request, "sessions.seatmaps.g1", "s1")
    mock.log("  answered E11000 duplicate key (another writer inserted s1 between the guard and the insert)")
    request, _ = mock.guarded_upserts("sessions.seatmaps.g1", [("s1", 3)])
    request.replies({"n": 1, "nModified": 1})
    mock.log("  the same guarded upsert sent again replaced it (the other writer's was older)")
    request = mock.expect("createIndexes", "sessions.sessions.g1")
    check(plain(request.doc["indexes"]) == [{"key": {"body.startsAt": 1, "_id": 1}, "name": "startsAt"}],
          "sessions indexes %r" % plain(request.doc["indexes"]))
    request.replies({"numIndexesBefore": 1, "numIndexesAfter": 2, "createdCollectionAutomatically": True})
    mock.log("createIndexes sessions.sessions.g1 {body.startsAt, _id}")
    request, bodies = mock.guarded_upserts("sessions.sessions.g1", [("s1", 3)])
    check(bodies[0]["title"] == "Amélie — 東京物語 🎬", "session title %r" % bodies[0]["title"])
    request.replies({"n": 1, "nModified": 1})
    request = mock.expect("createIndexes", "sessions.bookings.g1")
    expected = [
        {"key": {"body.createdAt": -1, "_id": -1}, "name": "createdAt"},
        {"key": {"body.userId": 1, "body.createdAt": -1, "_id": -1}, "name": "userId_createdAt"},
        {"key": {"body.sessionId": 1, "body.createdAt": -1, "_id": -1}, "name": "sessionId_createdAt"},
        {"key": {"body.status": 1, "body.createdAt": -1, "_id": -1}, "name": "status_createdAt"},
        {"key": {"body.status": 1, "body.holdExpiresAt": 1, "_id": 1}, "name": "status_holdExpiresAt"},
    ]
    check(plain(request.doc["indexes"]) == expected, "bookings indexes %r" % plain(request.doc["indexes"]))
    request.replies({"numIndexesBefore": 1, "numIndexesAfter": 6, "createdCollectionAutomatically": True})
    mock.log("createIndexes sessions.bookings.g1: userId, sessionId, status (each with createdAt), status with holdExpiresAt")
    request, bodies = mock.guarded_upserts("sessions.bookings.g1", [("b1", 3), ("b2", 3)])
    check(bodies[0]["amount"] == 25.5 and isinstance(bodies[0]["amount"], float), "amount 25.5 %r" % bodies[0]["amount"])
    check(bodies[1]["amount"] == 37 and isinstance(bodies[1]["amount"], int), "amount 37 %r" % bodies[1]["amount"])
    int64(bodies[0]["position"], 4_000_000_000_123, "booking position")
    request.replies({"n": 2, "nModified": 0, "upserted": [{"index": 0, "_id": "b1"}, {"index": 1, "_id": "b2"}]})
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [])
    mock.checkpoint_write("sessions", 1, 700, 42, "wire-test").replies({"n": 1, "nModified": 0, "upserted": [{"index": 0, "_id": "sessions.g1"}]})

    # the same batch redelivered: indexes are not asked for again, every write is "already newer"
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [])
    request, _ = mock.guarded_upserts("sessions.bookings.g1", [("b1", 3)])
    mock.duplicate_key(request, "sessions.bookings.g1", "b1")
    request, _ = mock.guarded_upserts("sessions.bookings.g1", [("b1", 3)])
    mock.duplicate_key(request, "sessions.bookings.g1", "b1")
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [])
    mock.duplicate_key(mock.checkpoint_write("sessions", 1, 700, 42, "wire-test"), "projection_checkpoints", "sessions.g1")
    mock.duplicate_key(mock.checkpoint_write("sessions", 1, 700, 42, "wire-test"), "projection_checkpoints", "sessions.g1")
    mock.log("  redelivery: both answered E11000 duplicate key twice (sent again, still as new): skipped")

    # find: filters, keyset cursor (descending), sort and limit
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [{"_id": "sessions", "generation": Int64(1)}])
    request = mock.find("sessions.bookings.g1", {
        "body.status": "CONFIRMED", "body.userId": "u1",
        "$or": [{"body.createdAt": {"$lt": "2026-03-01T10:00:00.000Z"}},
                {"body.createdAt": "2026-03-01T10:00:00.000Z", "_id": {"$lt": "b9"}},
                {"body.createdAt": None}],
    }, limit=3, sort={"body.createdAt": -1, "_id": -1})
    mock.batch(request, [
        {"_id": "b8", "version": Int64(5), "body": booking("b8", 25.5, "2026-03-01T10:00:00.000Z")},
        {"_id": "b7", "version": 2, "body": booking("b7", 37, "2026-02-28T09:30:00.250Z")},
    ])

    # get: the active generation comes from projection_generations
    mock.batch(mock.find("projection_generations", {"_id": "users"}, limit=1), [{"_id": "users", "generation": Int64(2)}])
    mock.batch(mock.find("users.users.g2", {"_id": "u1"}, limit=1), [{"_id": "u1", "version": Int64(1), "body": {
        "id": "u1", "name": "Zoë Ångström-Núñez", "email": "zoe@example.test", "registeredAt": "2026-01-02T03:04:05.678Z"}}])

    # documents of one generation, one find per collection
    mock.batch(mock.find("sessions.bookings.g1", {"_id": {"$in": ["b1", "b2"]}}), [
        {"_id": "b1", "version": Int64(3), "body": booking("b1", 25.5, "2026-03-01T10:00:00.000Z", "HELD")}])
    mock.batch(mock.find("sessions.seatmaps.g1", {"_id": {"$in": ["s1"]}}), [{"_id": "s1", "version": Int64(3), "body": seat_map(4)}])
    mock.batch(mock.find("sessions.sessions.g1", {"_id": {"$in": ["s1"]}}), [])

    # appliedPosition: active generation, then its checkpoint
    mock.batch(mock.find("projection_generations", {"_id": "sessions"}, limit=1), [{"_id": "sessions", "generation": 1}])
    mock.batch(mock.find("projection_checkpoints", {"_id": "sessions.g1"}, limit=1), [{
        "_id": "sessions.g1", "projection": "sessions", "generation": Int64(1), "transactionId": Int64(700),
        "position": Int64(42), "owner": "wire-test", "updatedAt": datetime.datetime(2026, 11, 21, 12, 0, 0, 250000)}])


# Scenario "failures": server errors, a dropped connection, a stale generation, switching. ---------

def failures(mock):
    request = mock.find("projection_generations", {"_id": "halls"}, limit=1)
    request.replies({"ok": 0, "code": 13, "codeName": "Unauthorized",
                     "errmsg": 'not authorized on boxoffice to execute command { find: "projection_generations" }'})
    mock.log("  answered error 13 Unauthorized")

    mock.batch(mock.find("projection_generations", {"_id": "halls"}, limit=1), [])
    request, _ = mock.guarded_upserts("halls.halls.g1", [("h1", 1)])
    request.replies({"n": 0, "nModified": 0, "writeErrors": [{"index": 0, "code": 121, "errmsg": "Document failed validation"}]})
    mock.log("  answered write error 121 Document failed validation (no checkpoint may follow)")

    mock.find("projection_generations", {"_id": "halls"}, limit=1).hangup()
    mock.log("  hung up")
    retries = 0
    while True:
        request = mock.next()
        if request.command_name == "find" and plain(request.doc.get("filter")) == {"_id": "halls"} and retries == 0:
            retries += 1
            mock.expect("find", "projection_generations", request).hangup()
            mock.log("  hung up on the driver's one retryable-read retry too")
            continue
        break
    # the store works again on a new connection
    mock.batch(mock.find("projection_generations", {"_id": "users"}, limit=1, request=request), [{"_id": "users", "generation": Int64(4)}])

    # a commit into generation 2 while 4 is active writes nothing
    mock.batch(mock.find("projection_generations", {"_id": "users"}, limit=1), [{"_id": "users", "generation": Int64(4)}])
    mock.log("  (no write may follow the stale generation)")

    # activate halls generation 2: record it, drop the other generations, forget their checkpoints
    request = mock.expect("update", "projection_generations")
    (statement,) = request.doc["updates"]
    check(plain(statement["q"]) == {"_id": "halls"} and statement.get("upsert") is True, "generation write %r" % plain(statement))
    int64(statement["u"]["generation"], 2, "active generation")
    request.replies({"n": 1, "nModified": 1})
    mock.log("update projection_generations halls -> 2, upsert: true")
    request = mock.expect("listCollections", 1)
    check(request.doc.get("nameOnly") is True, "listCollections without nameOnly")
    request.replies({"cursor": {"id": Int64(0), "ns": DB + ".$cmd.listCollections", "firstBatch": [
        {"name": name, "type": "collection"} for name in
        ["projection_generations", "halls.halls.g1", "halls.halls.g2", "halls.halls.g3", "users.users.g4",
         "halls.notes", "projection_checkpoints"]]}})
    mock.log("listCollections nameOnly")
    mock.expect("drop", "halls.halls.g1").replies({"ns": DB + ".halls.halls.g1", "nIndexesWas": 1})
    mock.log("drop halls.halls.g1")
    mock.expect("drop", "halls.halls.g3").replies({"ok": 0, "code": 26, "codeName": "NamespaceNotFound", "errmsg": "ns not found"})
    mock.log("drop halls.halls.g3 (answered 26 ns not found: already gone)")
    request = mock.expect("delete", "projection_checkpoints")
    check(plain(request.doc["deletes"]) == [{"q": {"projection": "halls", "generation": {"$ne": 2}}, "limit": 0}],
          "checkpoint delete %r" % plain(request.doc["deletes"]))
    request.replies({"n": 2})
    mock.log("delete projection_checkpoints of the other halls generations")

    # drop an abandoned rebuild
    mock.expect("listCollections", 1).replies({"cursor": {"id": Int64(0), "ns": DB + ".$cmd.listCollections", "firstBatch": [
        {"name": "halls.halls.g2", "type": "collection"}, {"name": "halls.halls.g5", "type": "collection"}]}})
    mock.expect("drop", "halls.halls.g5").replies({"ns": DB + ".halls.halls.g5", "nIndexesWas": 1})
    request = mock.expect("delete", "projection_checkpoints")
    check(plain(request.doc["deletes"]) == [{"q": {"_id": "halls.g5"}, "limit": 0}], "checkpoint delete %r" % plain(request.doc["deletes"]))
    request.replies({"n": 1})
    mock.log("drop halls generation 5: its collection and checkpoint")


# Scenario "health": a real `boxoffice serve` with MONGODB_URI; one GET /health reads each projection's
# active generation and checkpoint. The server then goes away (exit), and /health must say so. -----

def health(mock):
    for projection in ("sessions", "users", "halls", "kpis"):
        mock.batch(mock.find("projection_generations", {"_id": projection}, limit=1), [])
        mock.batch(mock.find("projection_checkpoints", {"_id": projection + ".g1"}, limit=1), [{
            "_id": projection + ".g1", "projection": projection, "generation": Int64(1), "transactionId": Int64(0),
            "position": Int64(0), "owner": "none", "updatedAt": NOW}])


SCENARIOS = {"store": store, "failures": failures, "health": health}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print("usage: mock_mongo.py %s" % "|".join(SCENARIOS), file=sys.stderr)
        sys.exit(2)
    sys.exit(Mock(sys.argv[1]).run(SCENARIOS[sys.argv[1]]))
