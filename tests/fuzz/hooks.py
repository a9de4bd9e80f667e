"""Schemathesis hooks for the API fuzz test (tests/fuzz/run).

Loaded through SCHEMATHESIS_HOOKS. TERMIN_FUZZ_BASE is the runner's origin
(http://127.0.0.1:PORT); TERMIN_FUZZ_AUTH says what the run sends:

- "none": what schemathesis generates, as it is. Kiosk and staff routes then
  answer 401, and those answers are checked against the document.
- "signed": every kiosk request signed as web/kiosk-sign.js signs it (with a
  demo kiosk's secret from /_local/kiosks), every staff request with a demo
  account's token (/_local/staff-token), so the handlers behind the checks run.

In both runs, so that the fuzzer reaches the rules behind "no such office"
and "invalid request" too, some generated values are swapped for real ones:
about two thirds of the office, service and desk ids for the demo offices';
about half of the booking bodies for a valid booking of a free slot; some
walk-in services, desk groups and block lifts; and for two thirds of the
requests about one booking, one of six holds made for the run, often with
its real confirm token, SMS code or manage token (read from the local
mailbox), and a confirmed one's kiosk code for some redeem requests. Which
values are swapped is a function of the generated value (CRC-32), so a seed
replays the same run.
"""

import atexit
import collections
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
import zlib

import requests
import schemathesis

BASE = os.environ["TERMIN_FUZZ_BASE"].rstrip("/")
AUTH = os.environ.get("TERMIN_FUZZ_AUTH", "none")
# The demo staff accounts (local/demo/staff.json) by office.
STAFF = {"olsztyn": ["clerk.olsztyn", "admin.olsztyn"], "opava": ["clerk.opava"], "mielec": ["clerk.mielec", "clerk2.mielec", "admin.mielec"]}
# What the SMS confirmation code is made of (termin::domain::codes::CODE_ALPHABET).
CODE_ALPHABET = "3479ACEFHJKMNPRTWXY"

_lock = threading.RLock()
_cache = {}
# How often each operation answered each status, written to TERMIN_FUZZ_TALLY at exit.
_tally = collections.Counter()


def _get(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as response:
        return json.load(response)


def _post(path, body):
    request = urllib.request.Request(
        BASE + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _once(key, load):
    """What load() returns, asked of the runner once per run."""
    with _lock:
        if key not in _cache:
            _cache[key] = load()
        return _cache[key]


def _pick(value, choices):
    """One of choices, or None (keep the generated value) for a third of values."""
    n = zlib.crc32(repr(value).encode())
    if n % 3 == 0:
        return None
    return choices[n % len(choices)]


def _catalogs():
    def load():
        offices = [o["id"] for o in _get("/api/offices")["offices"]]
        services = {}
        for office in offices:
            catalog = _get(f"/api/offices/{office}")
            services[office] = [s["id"] for d in catalog["departments"] for s in d["services"]]
        return services

    return _once("catalogs", load)


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict) or not isinstance(path_parameters.get("office_id"), str):
        return path_parameters
    services = _catalogs()
    office = _pick(path_parameters["office_id"], sorted(services))
    if office is not None:
        path_parameters["office_id"] = office
        if isinstance(path_parameters.get("service_id"), str):
            service = _pick(path_parameters["service_id"], services[office])
            if service is not None:
                path_parameters["service_id"] = service
    if isinstance(path_parameters.get("desk"), str):
        desk = _pick(path_parameters["desk"], ["1", "2", "A7"])
        if desk is not None:
            path_parameters["desk"] = desk
    return path_parameters


def _pesel(n):
    """A valid PESEL (born in the 1980s, a checksum that holds) from the number n."""
    digits = f"8{n % 10}{1 + n % 12:02d}{1 + n % 28:02d}{n % 10000:04d}"
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights)) % 10) % 10
    return digits + str(check)


def _free_slots(office, service):
    def load():
        listing = _get(f"/api/offices/{office}/services/{service}/slots")
        return [slot["start"] for day in listing["days"] for slot in day["slots"]]

    return _once(("slots", office, service), load)


@schemathesis.hook
def map_body(context, body):
    operation = context.operation
    if operation is None or not isinstance(body, dict):
        return body
    route = (operation.method.upper(), operation.path)
    n = zlib.crc32(json.dumps(body, sort_keys=True, default=str).encode())
    if route == ("POST", "/bookings"):
        return _booking(body, n) if n % 2 else body
    if route == ("POST", "/kiosk/walk-in") and isinstance(body.get("service_id"), str):
        service = _pick(body["service_id"], _catalogs()["olsztyn"])
        return {**body, "service_id": service} if service else body
    if route == ("POST", "/staff/blocks/lift") and n % 2:
        return {"office_id": "olsztyn", "national_id": _pesel(n)}
    if operation.path.endswith("/open") and n % 3:
        groups = _desk_groups()
        return {"groups": [groups[n % len(groups)], groups[(n // 7) % len(groups)]][: 1 + n % 2]}
    return body


def _booking(generated, n):
    """A valid booking of a free slot in Olsztyn, keeping some generated optional fields."""
    services = _catalogs()["olsztyn"]
    service = services[n % len(services)]
    starts = _free_slots("olsztyn", service)
    if not starts:
        return generated
    valid = {
        "office_id": "olsztyn",
        "service_id": service,
        "start": starts[n % len(starts)],
        "first_name": "Jan",
        "last_name": "Fuzz",
        "email": f"fuzz{n % 1000}@example.com",
        "national_id": _pesel(n),
        "accept_terms": True,
        "consent_data_processing": True,
    }
    # Some of the generated optional fields stay, to be checked by the rules.
    for key in ("phone", "confirm_by", "language", "application_number", "lost_document"):
        if key in generated and n % 5 < 2:
            valid[key] = generated[key]
    return valid


def _desk_groups():
    def load():
        request = urllib.request.Request(
            BASE + "/api/staff/offices/olsztyn/desks",
            headers={"Authorization": f"Bearer {_staff_token('clerk.olsztyn')}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return [g["desk_group"] for g in json.load(response)["groups"]]

    return _once("desk_groups", load)


def _holds():
    """Six holds made for this run, two of them confirmed, with what their
    emails carry (confirm token, manage token, SMS code) and the confirmed
    ones' kiosk codes, as the local mailbox (/_local/sent) shows them."""

    def load():
        services = ["id-card-application", "vehicle-registration", "driving-licence"]
        # People of their own per run (the two runs share the table).
        run = 100 * ["none", "signed"].index(AUTH)
        holds = []
        for i in range(6):
            service = services[i % len(services)]
            listing = _get(f"/api/offices/olsztyn/services/{service}/slots")
            starts = [slot["start"] for day in listing["days"] for slot in day["slots"]]
            # The first free slot that is still free when asked: the fuzzer books too.
            for start in starts[:20]:
                booking = {
                    **_booking({}, 0),
                    "service_id": service,
                    "start": start,
                    "national_id": _pesel(7000 + run + i),
                    "email": f"hold{run + i}@example.com",
                }
                try:
                    holds.append({"id": _post("/api/bookings", booking)["booking_id"]})
                    break
                except urllib.error.HTTPError as e:
                    if e.code != 409:
                        raise
            else:
                raise RuntimeError(f"no slot of {service} could be held")
        deadline = time.monotonic() + 120
        while True:
            text = "\n".join(e["text"] for e in _get("/_local/sent")["emails"])
            for hold in holds:
                confirm = re.search(rf"confirm\.html[?#]booking={hold['id']}&token=([\w-]+)", text)
                manage = re.search(rf"cancel\.html[?#]booking={hold['id']}&token=([\w-]+)", text)
                code = re.search(rf"booking={hold['id']}&token=[\w-]+\s+\S.*?:\s+([{CODE_ALPHABET}]{{6}})\s", text)
                if confirm and manage and code:
                    hold.update(confirm=confirm[1], manage=manage[1], code=code[1])
            if all("code" in hold for hold in holds):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the holds' emails did not reach the local mailbox within 120 s")
            time.sleep(0.5)
        for hold in holds[:2]:
            confirmed = _post(f"/api/bookings/{hold['id']}/confirm", {"token": hold["confirm"]})
            hold["kiosk_code"] = confirmed["booking"]["kiosk_code"]
        return holds

    return _once("holds", load)


@schemathesis.hook
def map_case(context, case):
    """For two thirds of the requests about one booking, one of this run's
    holds, and for some of them its real token, code or manage token."""
    path = case.operation.path
    n = zlib.crc32(repr((case.path_parameters, case.body, case.headers)).encode())
    if path == "/kiosk/redeem" and isinstance(case.body, dict) and n % 3 == 0:
        confirmed = [h for h in _holds() if "kiosk_code" in h]
        case.body = {"code": confirmed[n % len(confirmed)]["kiosk_code"]}
        return case
    if not path.startswith("/bookings/{booking_id}") or not isinstance(case.path_parameters, dict) or n % 3 == 0:
        return case
    holds = _holds()
    hold = holds[n % len(holds)]
    case.path_parameters["booking_id"] = hold["id"]
    if path.endswith("/confirm") and isinstance(case.body, dict) and n % 4:
        case.body = {"token": hold["confirm"]} if n % 4 == 1 else {"code": hold["code"].lower()}
    elif path.endswith("/cancel") and isinstance(case.body, dict) and n % 5 == 0:
        # Rarely: each cancel ends a hold for the rest of the run.
        case.body = {"token": hold["manage"]}
    elif case.operation.method.upper() == "GET" and n % 2:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {hold['manage']}"}
    return case


class KioskSignature(requests.auth.AuthBase):
    """Signs the request as the kiosk screen does (web/kiosk-sign.js)."""

    def __init__(self, kiosk_id, secret):
        self.kiosk_id = kiosk_id
        self.secret = secret

    def __call__(self, request):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        path = request.path_url.split("?")[0]
        path = path[len("/api"):] if path.startswith("/api/") else path
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        body_sha = hashlib.sha256(body).hexdigest()
        message = f"{request.method}\n{path}\n{timestamp}\n{nonce}\n{body_sha}"
        request.headers["x-kiosk-id"] = self.kiosk_id
        request.headers["x-kiosk-timestamp"] = timestamp
        request.headers["x-kiosk-nonce"] = nonce
        request.headers["x-kiosk-body-sha256"] = body_sha
        request.headers["x-kiosk-signature"] = hmac.new(
            self.secret.encode(), message.encode(), hashlib.sha256
        ).hexdigest()
        return request


class StaffToken(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _kiosks():
    return _once("kiosks", lambda: [(k["kiosk_id"], k["secret"]) for k in _get("/_local/kiosks")["kiosks"]])


def _staff_token(user):
    return _once(("staff", user), lambda: _post("/_local/staff-token", {"user": user})["token"])


@schemathesis.hook
def before_call(context, case, kwargs):
    if AUTH != "signed":
        return
    path = case.operation.path
    n = zlib.crc32(repr((case.path_parameters, case.body)).encode())
    if path.startswith("/kiosk/"):
        kiosks = _kiosks()
        # Mostly Olsztyn's kiosk, whose office the generated office ids are swapped for most.
        kiosk_id, secret = kiosks[0] if n % 3 else kiosks[n % len(kiosks)]
        kwargs["auth"] = KioskSignature(kiosk_id, secret)
    elif path.startswith("/staff/"):
        # Mostly an account of the office asked about (the handler's own checks
        # run), sometimes one of another office (403).
        office = (case.path_parameters or {}).get("office_id")
        if not isinstance(office, str) or office not in STAFF or n % 4 == 0:
            office = sorted(STAFF)[n % len(STAFF)]
        users = STAFF[office]
        kwargs["auth"] = StaffToken(_staff_token(users[(n // 4) % len(users)]))


@schemathesis.hook
def after_call(context, case, response):
    with _lock:
        _tally[(f"{case.operation.method.upper()} {case.operation.path}", response.status_code)] += 1


@atexit.register
def _write_tally():
    path = os.environ.get("TERMIN_FUZZ_TALLY")
    if not path:
        return
    by_operation = collections.defaultdict(dict)
    for (operation, status), count in sorted(_tally.items()):
        by_operation[operation][str(status)] = count
    with open(path, "w") as out:
        json.dump(by_operation, out, indent=1, sort_keys=True)
