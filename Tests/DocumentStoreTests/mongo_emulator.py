#!/usr/bin/python3
"""An emulated mongod for the DocumentStore contract suite: MongoDB's wire protocol from mockupdb,
query semantics (filters, sort, limit, upserts, the _id unique index) from mongomock.

No MongoDB server can be installed on the project's machines; this lets the same contract tests that
run on PostgreSQL run on MongoDocumentStore through libmongoc, with each command really executed.
It answers the commands the store sends (find, update, delete, createIndexes, listCollections, drop,
endSessions and the handshakes); anything else is refused as CommandNotFound, so a new kind of
command shows up as a failing test rather than a silent pass.

Prints "PORT <n>", then serves until its standard input closes (the test process ended).
Needs Debian's python3-mockupdb and python3-mongomock (run with /usr/bin/python3).
"""
import datetime
import sys
import threading

import mongomock
from bson.int64 import Int64
from mockupdb import MockupDB

client = mongomock.MongoClient()
lock = threading.Lock()  # mongomock is not thread-safe; mockupdb serves each connection on a thread
HELLO = {"ismaster": True, "isWritablePrimary": True, "helloOk": True, "maxBsonObjectSize": 16 * 1024 * 1024,
         "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000, "logicalSessionTimeoutMinutes": 30,
         "connectionId": 1, "minWireVersion": 0, "maxWireVersion": 17, "readOnly": False}


def find(db, doc):
    cursor = db[doc["find"]].find(doc.get("filter") or {})
    if doc.get("sort"):
        cursor = cursor.sort(list(doc["sort"].items()))
    if doc.get("limit"):
        cursor = cursor.limit(int(doc["limit"]))
    return {"cursor": {"id": Int64(0), "ns": "%s.%s" % (db.name, doc["find"]), "firstBatch": list(cursor)}}


def update(db, doc):
    collection = db[doc["update"]]
    matched = modified = 0
    upserted, errors = [], []
    for index, statement in enumerate(doc["updates"]):
        query, change, upsert = statement["q"], statement["u"], bool(statement.get("upsert"))
        try:
            if any(key.startswith("$") for key in change):
                result = (collection.update_many if statement.get("multi") else collection.update_one)(query, change, upsert=upsert)
            else:
                result = collection.replace_one(query, change, upsert=upsert)
        except mongomock.DuplicateKeyError as error:
            errors.append({"index": index, "code": 11000, "errmsg": "E11000 duplicate key error collection: %s.%s index: _id_ (%s)"
                           % (db.name, doc["update"], error)})
            if doc.get("ordered", True):
                break
            continue
        matched += result.matched_count
        modified += result.modified_count
        if result.upserted_id is not None:
            upserted.append({"index": index, "_id": result.upserted_id})
    reply = {"n": matched + len(upserted), "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    if errors:
        reply["writeErrors"] = errors
    return reply


def delete(db, doc):
    collection = db[doc["delete"]]
    removed = 0
    for statement in doc["deletes"]:
        result = (collection.delete_one if statement.get("limit") == 1 else collection.delete_many)(statement["q"])
        removed += result.deleted_count
    return {"n": removed}


def create_indexes(db, doc):
    collection = db[doc["createIndexes"]]
    before = len(collection.index_information())
    for index in doc["indexes"]:
        collection.create_index(list(index["key"].items()), name=index["name"])
    return {"numIndexesBefore": before, "numIndexesAfter": len(collection.index_information()),
            "createdCollectionAutomatically": before == 0}


def list_collections(db, doc):
    names = db.list_collection_names()
    return {"cursor": {"id": Int64(0), "ns": db.name + ".$cmd.listCollections",
                       "firstBatch": [{"name": name, "type": "collection"} for name in names]}}


def drop(db, doc):
    if doc["drop"] not in db.list_collection_names():
        return {"ok": 0, "code": 26, "codeName": "NamespaceNotFound", "errmsg": "ns not found"}
    db.drop_collection(doc["drop"])
    return {"ns": "%s.%s" % (db.name, doc["drop"]), "nIndexesWas": 1}


COMMANDS = {"find": find, "update": update, "delete": delete, "createIndexes": create_indexes,
            "listCollections": list_collections, "drop": drop, "endSessions": lambda db, doc: {}}


# `stall`: a server that answers the handshake and then never answers a command, without closing.
STALL = len(sys.argv) > 1 and sys.argv[1] == "stall"


def serve(request):
    name = request.command_name or ""
    if name.lower() in ("ismaster", "hello"):
        request.replies(dict(HELLO, localTime=datetime.datetime.utcnow()))
        return True
    if STALL:
        return True
    handler = COMMANDS.get(name)
    if handler is None:
        request.replies({"ok": 0, "code": 59, "codeName": "CommandNotFound", "errmsg": "no such command: '%s'" % name})
        return True
    try:
        with lock:
            reply = handler(client[request.doc.get("$db", "test")], request.doc)
    except Exception as error:  # a bug here must reach the test as a server error, not a hang
        reply = {"ok": 0, "code": 1, "codeName": "InternalError", "errmsg": "emulator: %s: %s" % (type(error).__name__, error)}
    request.replies(reply)
    return True


if __name__ == "__main__":
    server = MockupDB(port=0, request_timeout=3600)
    server.autoresponds(serve)
    print("PORT %d" % server.run(), flush=True)
    sys.stdin.read()
    server.stop()
