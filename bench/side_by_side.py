"""The Python side of bench/side_by_side.sh: timed call loops through py-august and
authy-python against the local benchmark server.

usage: side_by_side.py lock-detail BASE_URL CALLS
       side_by_side.py authy-verify BASE_URL CALLS [--reuse-session]

Prints one JSON line like august-bench: calls, seconds, calls_per_second, micros_per_call.
"""

import json
import sys
import time

LOCK_ID = "A1B2C3D4E5F60718293A4B5C6D7E8F01"
ACCESS_TOKEN = "bench-access-token"
AUTHY_API_KEY = "bench-authy-api-key"
AUTHY_ID = 1000
AUTHY_TOKEN = "0123456"


def point_py_august_at(base_url):
    """py-august builds every URL from module constants at import time: rewrite them all."""
    import august.api_common as common

    old = common.API_BASE_URL
    for name in dir(common):
        value = getattr(common, name)
        if name.startswith("API_") and isinstance(value, str) and value.startswith(old):
            setattr(common, name, base_url + value[len(old):])
        elif name.startswith("API_") and isinstance(value, dict):
            setattr(common, name, {
                k: base_url + v[len(old):] if isinstance(v, str) and v.startswith(old) else v
                for k, v in value.items()
            })


def timed(calls, call):
    call()  # warm-up: opens the connection, as on the Rust side
    started = time.perf_counter()
    for _ in range(calls):
        call()
    elapsed = time.perf_counter() - started
    return {
        "calls": calls,
        "seconds": round(elapsed, 4),
        "calls_per_second": round(calls / elapsed, 1),
        "micros_per_call": round(elapsed * 1e6 / calls, 2),
    }


def lock_detail(base_url, calls):
    import requests

    point_py_august_at(base_url)
    from august.api import Api

    api = Api(http_session=requests.Session())

    def call():
        detail = api.get_lock_detail(ACCESS_TOKEN, LOCK_ID)
        if detail.device_name != "Front Door Lock":
            raise SystemExit("unexpected lock name %r" % detail.device_name)

    return timed(calls, call)


def authy_verify(base_url, calls, reuse_session):
    import requests
    import authy.api.resources as resources
    from authy.api import AuthyApiClient

    if reuse_session:
        # authy-python calls requests.request, a new session (and connection) per call;
        # this variant swaps in one shared session to separate HTTP cost from the library's.
        session = requests.Session()
        resources.requests = type("Requests", (), {"request": staticmethod(session.request)})
    client = AuthyApiClient(AUTHY_API_KEY, base_url)

    def call():
        token = client.tokens.verify(AUTHY_ID, AUTHY_TOKEN)
        if not token.ok():
            raise SystemExit("token not valid: %r" % token.errors())

    return timed(calls, call)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    command, base_url, calls = argv[0], argv[1].rstrip("/"), int(argv[2])
    if command == "lock-detail":
        result = lock_detail(base_url, calls)
    elif command == "authy-verify":
        result = authy_verify(base_url, calls, "--reuse-session" in argv[3:])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
