#!/usr/bin/env python3
"""Init only, side by side: a stand-in Lambda Runtime API (the one route a
runtime calls first) starts each given binary many times, interleaved, and
measures process start -> first `/next` (the init phase). No DynamoDB Local,
no moto, no build: it runs on whatever release binaries it is given, so it
answers "how much slower than the hello-world does each function start"
within a minute, where `cargo bench --bench cold_start` (which also times the
first answer) needs the benchmark's own release build first.

    tests/benches/init_only.py 15 $CARGO_TARGET_DIR/release/{hello-lambda,book,notify}

The first binary is the yardstick (the hello-world). SSL_CERT_* variables are
passed through, to see what loading the trust store costs. Exits 1 when an
init is over 1.5x the yardstick's (issue 9's target).
"""
import http.server
import os
import statistics
import subprocess
import sys
import threading
import time

TARGET_RATIO = 1.5
first = {}


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/invocation/next") and "at" not in first:
            first["at"] = time.perf_counter()
        time.sleep(30)  # no event: the binary is killed meanwhile

    def log_message(self, *args):
        pass


def main():
    starts, binaries = int(sys.argv[1]), sys.argv[2:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ["PATH"],
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % server.server_address[1],
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "TABLE_NAME": "termin",
        "HASH_KEY": "dGVybWluLWxvY2FsLWRldmVsb3BtZW50LWtleS0wMDAwMDA=",
        "EMAIL_FROM": "termin@example.pl",
        "PUBLIC_BASE_URL": "https://termin.example.pl",
        "RUST_LOG": "error",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith("SSL_CERT_")})
    inits = {b: [] for b in binaries}
    for _ in range(starts):
        for binary in binaries:  # interleaved: a busy moment hits every binary
            name = os.path.basename(binary)
            first.clear()
            started = time.perf_counter()
            child = subprocess.Popen(
                [binary],
                env=dict(env, AWS_LAMBDA_FUNCTION_NAME=name,
                         AWS_LAMBDA_LOG_GROUP_NAME="/aws/lambda/" + name),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while "at" not in first and child.poll() is None:
                if time.perf_counter() - started > 10:
                    break
                time.sleep(0.0002)
            child.kill()
            child.wait()
            if "at" not in first:
                sys.exit("%s did not ask for an event (exit %s)" % (name, child.returncode))
            inits[binary].append((first["at"] - started) * 1000)
    yardstick = statistics.median(inits[binaries[0]])
    print("%-13s %8s %9s %12s" % ("binary", "size MB", "init ms", "init / hello"))
    missed = []
    for binary in binaries:
        init = statistics.median(inits[binary])
        size = os.path.getsize(binary) / 1048576
        name = os.path.basename(binary)
        print("%-13s %8.1f %9.2f %12.2f" % (name, size, init, init / yardstick))
        if init / yardstick > TARGET_RATIO:
            missed.append("%s: %.2fx" % (name, init / yardstick))
    if missed:
        print("TARGET NOT MET (init <= %.1fx the hello-world's): %s" % (TARGET_RATIO, ", ".join(missed)))
        sys.exit(1)
    print("target met: every init <= %.1fx the hello-world's" % TARGET_RATIO)


if __name__ == "__main__":
    main()
