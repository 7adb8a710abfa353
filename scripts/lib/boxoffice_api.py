"""The HTTP API as the Python scripts use it (record_replays.py, browser_test.py): JSON in and out, stdlib only."""
import json
import urllib.error
import urllib.request


def call(base, method, path, body=None, token=None, timeout=30):
    """Sends one request; answers (status, decoded JSON body) whatever the status."""
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, raw.decode(errors="replace")
